import { Badge, Card, Empty, Flex, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { priorityLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { COMPLAINT_STEPS, useComplaints, type ComplaintLoop } from './api';
import { boardStyle, columnStyle, Countdown, useNow } from './ui';

/** 投诉闭环看板: complaint tickets in the column of their next step (done = awaiting close), overdue in red. */
export default function ComplaintBoard() {
  const { t } = useTranslation();
  const q = useComplaints();
  const now = useNow();
  const items = q.data?.items ?? [];
  const cols = [...COMPLAINT_STEPS, 'done'] as const;
  return (
    <Page title={t('loops.complaint.boardTitle')} subtitle={t('loops.complaint.boardSubtitle')}>
      <div style={{ ...boardStyle, gridAutoColumns: 'minmax(176px, 1fr)' }} data-testid="complaint-board">
        {cols.map((col) => {
          const list = items.filter((c) => (c.nextStep ?? 'done') === col);
          return (
            <div key={col} style={columnStyle}>
              <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
                <Typography.Text strong>{col === 'done' ? t('loops.complaint.allDone') : t(`loops.complaint.steps.${col}`)}</Typography.Text>
                <Badge count={list.length} showZero color="#8c8c8c" />
              </Flex>
              <Flex vertical gap={10}>
                {list.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('loops.empty')} /> : null}
                {list.map((c) => <ComplaintCard key={c.ticketId} c={c} now={now} />)}
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
    <Card size="small" style={{ borderColor: overdue ? '#ff7875' : undefined, background: overdue ? '#fff1f0' : undefined }} data-testid="complaint-card"
      title={<Link to={`/tickets/${c.ticketId}`}>{c.ticketNumber}</Link>}
      extra={<Flex gap={4}>{c.severity === 'serious' ? <Tag color="red">{t('loops.complaint.severities.serious')}</Tag> : null}{c.priority ? <Tag>{priorityLabel(t, c.priority)}</Tag> : null}</Flex>}>
      <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>{c.ticketSubject}</Typography.Paragraph>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.customerName} · {c.ownerName ?? t('loops.unowned')} · {fmt.shortTime(c.createdAt)}</Typography.Text>
      <div style={{ marginTop: 6 }}>
        <Typography.Text style={{ fontSize: 12 }}>{t('loops.complaint.progress', { done: 6 - c.missingForClose.length })}</Typography.Text>
      </div>
      {running.length ? <Flex vertical gap={4} style={{ marginTop: 6 }}>{running.map((s) => <div key={s.code}><Countdown clock={s} now={now} /></div>)}</Flex> : null}
    </Card>
  );
}
