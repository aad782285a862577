import { useState } from 'react';
import { App, Button, Card, Flex, Form, Input, List, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { useApiError } from '../../lib/useApiError';
import { useFormat, usePermission } from '../auth/me';
import { QA_KEYS, QA_PERM, useProposals } from './api';

const STATE_COLOR: Record<string, string> = { submitted: 'blue', adopted: 'green', declined: 'default' };

/** 合理化建议: agents submit; a supervisor adopts or declines (adopted ones score in the composite). */
export function Proposals() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const reviewer = usePermission(QA_PERM.review);
  const list = useProposals(reviewer ? {} : { mine: true });
  const [form] = Form.useForm<{ title: string; body: string }>();
  const [writing, setWriting] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: QA_KEYS.all });
  const create = useMutation({
    mutationFn: (v: { title: string; body: string }) => http.post('/proposals', { body: v }),
    onSuccess: async () => {
      void message.success(t('quality.proposals.sent'));
      form.resetFields();
      setWriting(false);
      await refresh();
    },
    onError: (e) => showError(e, { form, fields: ['title', 'body'] }),
  });
  const review = useMutation({
    mutationFn: (v: { id: string; decision: 'adopted' | 'declined' }) =>
      http.post('/proposals/{id}/review', { path: { id: v.id }, body: { decision: v.decision } }),
    onSuccess: refresh,
    onError: (e) => showError(e),
  });
  return (
    <Card
      size="small"
      title={t('quality.proposals.title')}
      extra={
        <Button size="small" onClick={() => setWriting((w) => !w)} data-testid="proposal-new">
          {t('quality.proposals.new')}
        </Button>
      }
    >
      {writing ? (
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} style={{ marginBottom: 12 }}>
          <Form.Item name="title" label={t('quality.proposals.titleField')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="body" label={t('quality.proposals.body')} rules={[{ required: true, whitespace: true }]}>
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={5000} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('quality.proposals.submit')}
          </Button>
        </Form>
      ) : null}
      <List
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('quality.proposals.empty') }}
        renderItem={(p) => (
          <List.Item
            key={p.id}
            actions={
              reviewer && p.state === 'submitted'
                ? [
                    <a key="a" onClick={() => review.mutate({ id: p.id, decision: 'adopted' })}>
                      {t('quality.proposals.adopt')}
                    </a>,
                    <a key="d" onClick={() => review.mutate({ id: p.id, decision: 'declined' })}>
                      {t('quality.proposals.decline')}
                    </a>,
                  ]
                : []
            }
          >
            <Flex vertical gap={2} style={{ minWidth: 0 }}>
              <Flex gap={6} wrap align="center">
                <Typography.Text strong>{p.title}</Typography.Text>
                <Tag color={STATE_COLOR[p.state]}>{t(`quality.proposalState.${p.state}`)}</Tag>
              </Flex>
              <Typography.Text type="secondary" ellipsis>
                {p.author?.name} · {fmt.date(p.createdAt)} · {p.body}
              </Typography.Text>
            </Flex>
          </List.Item>
        )}
      />
    </Card>
  );
}
