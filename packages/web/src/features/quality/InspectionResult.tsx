import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Flex, Grid, Input, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import type { TicketDetail } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { maxOf, QA_KEYS, scoreColor, STATE_COLOR, type Appeal, type Inspection } from './api';
import { quoteContext } from './quoteSpan';

export function AppealBox({ appeal }: { appeal: Appeal }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <Descriptions size="small" column={1} bordered data-testid="qa-appeal">
      <Descriptions.Item label={t('quality.appeal.state')}>
        <Tag color={appeal.state === 'open' ? 'orange' : appeal.state === 'revised' ? 'purple' : 'blue'}>{t(`quality.appealState.${appeal.state}`)}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label={t('quality.appeal.reason')}>{appeal.reason}</Descriptions.Item>
      <Descriptions.Item label={t('quality.appeal.scores')}>
        {t('quality.appeal.before', { score: appeal.scoreBefore })}
        {appeal.scoreAfter !== null ? ` → ${t('quality.appeal.after', { score: appeal.scoreAfter })}` : ''}
      </Descriptions.Item>
      {appeal.ruling ? (
        <Descriptions.Item label={t('quality.appeal.due')}>
          {fmt.dateTime(appeal.ruling.dueAt)} {appeal.ruling.breachedAt ? <Tag color="red">{t('quality.appeal.breached')}</Tag> : null}
        </Descriptions.Item>
      ) : null}
      {appeal.rulingReason ? (
        <Descriptions.Item label={t('quality.appeal.ruling')}>
          {appeal.rulingReason}
          <Typography.Text type="secondary">
            {' '}
            — {appeal.ruledBy?.name} · {fmt.dateTime(appeal.ruledAt)}
          </Typography.Text>
        </Descriptions.Item>
      ) : null}
    </Descriptions>
  );
}

/**
 * A quoted span in its context: … before [quote] after …, from the reply body when the ticket is at hand and the
 * stored quote is still that span of it; otherwise the stored quote alone.
 */
function Quote({ evidence: e, ticket }: { evidence: NonNullable<Inspection['scores'][number]['evidence']>; ticket: TicketDetail | undefined }) {
  const body = ticket?.replies.find((r) => r.id === e.replyId)?.body;
  if (body === undefined || e.start === undefined || e.end === undefined || body.slice(e.start, e.end) !== e.quote)
    return <Typography.Text mark>“{e.quote}”</Typography.Text>;
  const c = quoteContext(body, { start: e.start, end: e.end });
  return (
    <span className="chidu-qa-quote" data-testid="qa-quote">
      <Typography.Text type="secondary">
        {c.cutBefore ? '…' : ''}
        {c.before}
      </Typography.Text>
      <Typography.Text mark>{c.quote}</Typography.Text>
      <Typography.Text type="secondary">
        {c.after}
        {c.cutAfter ? '…' : ''}
      </Typography.Text>
    </span>
  );
}

/** A submitted inspection: scores with evidence, the sandwich feedback, and the agent's acknowledge / appeal. */
export function InspectionResult({ inspection: i, ticket }: { inspection: Inspection; ticket: TicketDetail | undefined }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const narrow = !Grid.useBreakpoint().md;
  const done = async (msg: string) => {
    void message.success(msg);
    await qc.invalidateQueries({ queryKey: QA_KEYS.all });
  };
  const ack = useMutation({
    mutationFn: () => http.post('/qa/inspections/{id}/acknowledge', { path: { id: i.id } }),
    onSuccess: () => done(t('quality.mine.acknowledged')),
    onError: (e) => showError(e),
  });
  const appeal = useMutation({
    mutationFn: () => http.post('/qa/inspections/{id}/appeal', { path: { id: i.id }, body: { reason } }),
    onSuccess: () => done(t('quality.mine.appealed')),
    onError: (e) => showError(e),
  });
  const byKey = new Map(i.scores.map((s) => [s.item, s]));
  const eventTitle = (id: number | undefined) => ticket?.timeline.find((e) => e.id === String(id))?.title ?? `#${id}`;
  const evidenceOf = (key: string) => {
    const s = byKey.get(key);
    const e = s?.evidence;
    return (
      <span>
        {e?.quote ? <Quote evidence={e} ticket={ticket} /> : null}
        {e?.eventId ? <Tag>{eventTitle(e.eventId)}</Tag> : null}
        {s?.note ? <Typography.Text type="secondary"> {s.note}</Typography.Text> : null}
      </span>
    );
  };
  return (
    <Flex vertical gap={12}>
      <Card size="small" data-testid="qa-result">
        <Flex justify="space-between" align="center" wrap gap={8}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            <Tag color={scoreColor(i.score, i.scorecard.passMark)} style={{ fontSize: 20, padding: '4px 10px' }} data-testid="qa-score">
              {t('quality.score', { score: i.score })}
            </Tag>
            {i.firstScore !== null && i.firstScore !== i.score ? (
              <Typography.Text type="secondary" delete>
                {t('quality.score', { score: i.firstScore })}
              </Typography.Text>
            ) : null}
          </Typography.Title>
          <Flex gap={6} wrap>
            <Tag color={i.passed ? 'green' : 'red'}>{i.passed ? t('quality.passed') : t('quality.failed')}</Tag>
            <Tag color={STATE_COLOR[i.state]}>{t(`quality.state.${i.state}`)}</Tag>
          </Flex>
        </Flex>
        <Typography.Text type="secondary">
          {t('quality.inspect.by', { inspector: i.inspector?.name ?? '', agent: i.agent?.name ?? '', at: fmt.dateTime(i.submittedAt) })}
        </Typography.Text>
      </Card>
      <Table
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={i.scorecard.items}
        {...(narrow ? {} : { scroll: { x: 520 } })}
        columns={[
          {
            title: t('quality.item'),
            dataIndex: 'label',
            render: (v: string, it) => (
              <>
                <span>
                  {v} {it.critical ? <Tag color="red">{t('quality.critical')}</Tag> : null}
                </span>
                {/* On a phone the evidence goes under its item instead of a third column that scrolls sideways. */}
                {narrow ? <div data-testid={`evidence-stacked-${it.key}`}>{evidenceOf(it.key)}</div> : null}
              </>
            ),
          },
          {
            title: t('quality.itemScore'),
            width: 90,
            render: (_, it) => {
              const s = byKey.get(it.key)?.score;
              return s === null || s === undefined ? t('quality.inspect.na') : `${s} / ${maxOf(it)}`;
            },
          },
          ...(narrow ? [] : [{ title: t('quality.evidence'), render: (_: unknown, it: { key: string }) => evidenceOf(it.key) }]),
        ]}
      />
      {i.feedback ? (
        <Card size="small" title={t('quality.feedback.title')} data-testid="qa-feedback">
          {(['strength', 'improvement', 'encouragement'] as const).map((k) => (
            <p key={k} style={{ margin: '4px 0' }}>
              <Typography.Text strong>{t(`quality.feedback.${k}`)}：</Typography.Text>
              {i.feedback![k]}
            </p>
          ))}
        </Card>
      ) : null}
      {i.appeal ? <AppealBox appeal={i.appeal} /> : null}
      {i.allowed.acknowledge || i.allowed.appeal ? (
        <Card size="small" title={t('quality.mine.actions')}>
          {i.appealDeadline ? (
            <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t('quality.mine.window', { at: fmt.dateTime(i.appealDeadline) })} />
          ) : null}
          <Flex vertical gap={8}>
            {i.allowed.acknowledge ? (
              <Button onClick={() => ack.mutate()} loading={ack.isPending} data-testid="qa-acknowledge">
                {t('quality.mine.acknowledge')}
              </Button>
            ) : null}
            {i.allowed.appeal ? (
              <>
                <Input.TextArea
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  placeholder={t('quality.mine.reasonPlaceholder')}
                  autoSize={{ minRows: 2, maxRows: 5 }}
                  maxLength={2000}
                  data-testid="qa-appeal-reason"
                />
                <Button danger disabled={!reason.trim()} onClick={() => appeal.mutate()} loading={appeal.isPending} data-testid="qa-appeal-submit">
                  {t('quality.mine.appeal')}
                </Button>
              </>
            ) : null}
          </Flex>
        </Card>
      ) : null}
    </Flex>
  );
}
