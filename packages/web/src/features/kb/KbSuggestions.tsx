import './kb.css';
import { App, Button, Card, Empty, Flex, List, Skeleton, Tooltip, Typography } from 'antd';
import { BookOutlined, CheckOutlined, DislikeOutlined, EnterOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { TicketDetail } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { usePermission } from '../auth/me';
import { insertIntoReply, KB_PERM, kbApi, kbKeys, type KbSuggestion } from './api';
import { KindTag, Snippet } from './ui';

/** 知识推荐 on the agent's ticket page: knowledge and scripts for the ticket text; insert a script into the reply. */
export function KbSuggestions({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const canView = usePermission(KB_PERM.view);
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: kbKeys.suggestions(ticket.id),
    queryFn: () => kbApi.suggestions(ticket.id),
    enabled: canView && ticket.allowed.reply,
    staleTime: 60_000,
  });
  const mark = useMutation({
    mutationFn: (v: { itemId: string; kind: 'used' | 'not_helpful' }) => kbApi.usage(ticket.id, v.itemId, v.kind),
    onSuccess: (_r, v) => {
      void qc.invalidateQueries({ queryKey: kbKeys.suggestions(ticket.id) });
      void message.success(v.kind === 'used' ? t('kb.suggest.markedUsed') : t('kb.suggest.markedNotHelpful'));
    },
    onError: (e) => showError(e),
  });
  const insert = useMutation({
    mutationFn: (itemId: string) => kbApi.render(ticket.id, itemId),
    onSuccess: (r) => {
      insertIntoReply(ticket.id, r.text);
      if (r.missing.length) void message.warning(t('kb.suggest.missing', { names: r.missing.map((m) => `{${m}}`).join('、') }));
      else void message.success(t('kb.suggest.inserted'));
      mark.mutate({ itemId: r.itemId, kind: 'used' });
    },
    onError: (e) => showError(e),
  });
  if (!canView || !ticket.allowed.reply) return null;

  const actions = (h: KbSuggestion, script: boolean) => [
    ...(script
      ? [
          <Button
            key="insert"
            size="small"
            type="primary"
            icon={<EnterOutlined />}
            loading={insert.isPending && insert.variables === h.id}
            onClick={() => insert.mutate(h.id)}
            data-testid="kb-insert-script"
          >
            {t('kb.suggest.insert')}
          </Button>,
        ]
      : [
          <Tooltip key="used" title={h.used ? undefined : t('compose.adoptHint')}>
            <Button
              size="small"
              icon={h.used ? <CheckOutlined /> : undefined}
              type={h.used ? 'text' : 'default'}
              disabled={h.used}
              loading={mark.isPending && mark.variables.itemId === h.id && mark.variables.kind === 'used'}
              onClick={() => mark.mutate({ itemId: h.id, kind: 'used' })}
              data-testid="kb-mark-used"
              data-used={h.used ? 'true' : 'false'}
            >
              {h.used ? t('compose.adopted') : t('compose.adopt')}
            </Button>
          </Tooltip>,
        ]),
    <Tooltip key="nh" title={t('kb.suggest.notHelpfulHint')}>
      <Button
        size="small"
        type="text"
        icon={<DislikeOutlined />}
        disabled={h.notHelpful}
        onClick={() => mark.mutate({ itemId: h.id, kind: 'not_helpful' })}
        aria-label={t('kb.suggest.notHelpful')}
        data-testid="kb-mark-not-helpful"
      />
    </Tooltip>,
  ];

  return (
    <Card
      size="small"
      title={
        <span>
          <BookOutlined /> {t('kb.suggest.title')}
        </span>
      }
      data-testid="kb-suggestions"
    >
      {q.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : q.isError ? (
        <Typography.Text type="danger">{t('app.loadFailed')}</Typography.Text>
      ) : q.data.items.length === 0 && q.data.scripts.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('compose.noneRelevant')} data-testid="kb-suggestions-empty">
          <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginBottom: 8 }}>
            {t('compose.noneRelevantHint')}
          </Typography.Text>
          <Link to="/kb">{t('compose.searchKb')}</Link>
        </Empty>
      ) : (
        <Flex vertical gap={12}>
          {q.data.items.length ? (
            <List
              size="small"
              dataSource={q.data.items}
              data-testid="kb-suggestion-items"
              renderItem={(h) => (
                <List.Item key={h.id} data-testid="kb-suggestion" data-kb-id={h.id} style={{ display: 'block', paddingInline: 0 }}>
                  <Flex gap={6} align="center" wrap style={{ marginBottom: 4 }}>
                    <KindTag kind={h.kind} />
                    <Link to={`/kb/${h.id}`} target="_blank" className="chidu-kb-hit-title" data-testid="kb-suggestion-title">
                      {h.title}
                    </Link>
                  </Flex>
                  <Typography.Paragraph type="secondary" style={{ fontSize: 13, marginBottom: 6 }} ellipsis={{ rows: 2 }}>
                    <Snippet html={h.snippet} />
                  </Typography.Paragraph>
                  <Flex gap={4} justify="flex-end">
                    {actions(h, false)}
                  </Flex>
                </List.Item>
              )}
            />
          ) : null}
          {q.data.scripts.length ? (
            <div>
              <Typography.Text strong style={{ display: 'block', marginBottom: 6 }}>
                {t('kb.suggest.scripts')}
              </Typography.Text>
              <List
                size="small"
                dataSource={q.data.scripts}
                renderItem={(h) => (
                  <List.Item key={h.id} data-testid="kb-script" data-kb-id={h.id} style={{ display: 'block', paddingInline: 0 }}>
                    <Typography.Text style={{ display: 'block', marginBottom: 4 }}>{h.title}</Typography.Text>
                    <Typography.Paragraph type="secondary" style={{ fontSize: 13, marginBottom: 6 }} ellipsis={{ rows: 2, tooltip: h.body }}>
                      {h.body}
                    </Typography.Paragraph>
                    <Flex gap={4} justify="flex-end">
                      {actions(h, true)}
                    </Flex>
                  </List.Item>
                )}
              />
            </div>
          ) : null}
        </Flex>
      )}
    </Card>
  );
}
