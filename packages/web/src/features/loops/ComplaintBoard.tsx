import { Badge, Card, Empty, Flex, Grid, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { priorityLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { COMPLAINT_STEPS, useComplaints, type ComplaintLoop } from './api';
import { columnStyle, Countdown, useNow } from './ui';

/**
 * 投诉闭环看板: complaint tickets in the column of their next step (done = awaiting close), overdue in red.
 * Wide screens: the six columns share the width (all visible at 1440 px); narrower ones scroll sideways, a phone
 * swipes column by column (scroll snap).
 */
export default function ComplaintBoard() {
  const { t } = useTranslation();
  const q = useComplaints();
  const now = useNow();
  const screens = Grid.useBreakpoint();
  const items = q.data?.items ?? [];
  const cols = [...COMPLAINT_STEPS, 'done'] as const;
  const phone = screens.md === false;
  const board = phone
    ? { gridAutoFlow: 'column' as const, gridAutoColumns: '82%', scrollSnapType: 'x mandatory' as const }
    : { gridTemplateColumns: `repeat(${cols.length}, minmax(138px, 1fr))` };
  return (
    <Page title={t('loops.complaint.boardTitle')} subtitle={t('loops.complaint.boardSubtitle')}>
      <div style={{ display: 'grid', gap: 10, overflowX: 'auto', paddingBottom: 8, ...board }} data-testid="complaint-board">
        {cols.map((col) => {
          const list = items.filter((c) => (c.nextStep ?? 'done') === col);
          return (
            <div key={col} style={{ ...columnStyle, minWidth: 0, scrollSnapAlign: 'start' }} data-testid="complaint-column" data-step={col}>
              <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
                <Typography.Text strong>{col === 'done' ? t('loops.complaint.allDone') : t(`loops.complaint.steps.${col}`)}</Typography.Text>
                <Badge count={list.length} showZero color="#8c8c8c" />
              </Flex>
              <Flex vertical gap={10}>
                {list.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('loops.empty')} /> : null}
                {list.map((c) => (
                  <ComplaintCard key={c.ticketId} c={c} now={now} />
                ))}
              </Flex>
            </div>
          );
        })}
      </div>
    </Page>
  );
}

function ComplaintCard({ c, now }: { c: ComplaintLoop; now: number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const running = c.standards.filter((s) => s.state === 'running' || s.state === 'breached');
  const overdue = running.some((s) => s.state === 'breached' || (s.dueAt && Date.parse(s.dueAt) < now));
  return (
    <Card
      size="small"
      style={{ borderColor: overdue ? '#ff7875' : undefined, background: overdue ? '#fff1f0' : undefined, minWidth: 0 }}
      styles={{ body: { padding: 10 } }}
      data-testid="complaint-card"
      data-step={c.nextStep ?? 'done'}
      data-done={6 - c.missingForClose.length}
    >
      <Flex justify="space-between" align="flex-start" gap={4} wrap style={{ marginBottom: 4 }}>
        <Link
          to={`/tickets/${c.ticketId}`}
          style={{ fontWeight: 600, fontSize: 13, fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}
          data-testid="complaint-number"
        >
          {c.ticketNumber}
        </Link>
        <Flex gap={4} wrap>
          {c.severity === 'serious' ? (
            <Tag color="red" style={{ marginInlineEnd: 0 }}>
              {t('loops.complaint.severities.serious')}
            </Tag>
          ) : null}
          {c.priority ? <Tag style={{ marginInlineEnd: 0 }}>{priorityLabel(t, c.priority)}</Tag> : null}
        </Flex>
      </Flex>
      <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>
        {c.ticketSubject}
      </Typography.Paragraph>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {c.customerName} · {c.ownerName ?? t('loops.unowned')} · {fmt.shortTime(c.createdAt)}
      </Typography.Text>
      <div style={{ marginTop: 6 }}>
        <Typography.Text style={{ fontSize: 12 }}>{t('loops.complaint.progress', { done: 6 - c.missingForClose.length })}</Typography.Text>
      </div>
      {running.length ? (
        <Flex vertical gap={4} style={{ marginTop: 6, minWidth: 0 }}>
          {running.map((s) => (
            <div key={s.code} style={{ minWidth: 0 }}>
              <Countdown clock={s} now={now} wrap />
            </div>
          ))}
        </Flex>
      ) : null}
    </Card>
  );
}
