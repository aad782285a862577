import { useState } from 'react';
import { Button, Card, Empty, Flex, Select, Table, Tag, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { http } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { TicketSearchSelect } from '../tickets/TicketSearchSelect';
import { scoreColor, STATE_COLOR, useInspections, useQueue, useScorecards } from './api';

const REASON_COLOR: Record<string, string> = {
  complaint: 'red',
  low_csat: 'orange',
  breached: 'volcano',
  critical_hit: 'magenta',
  random: 'blue',
  minimum: 'cyan',
};

/** 质检工作台: the inspector's sampling queue, an inspection of any ticket, and the drafts and results of the inspector. */
export default function WorkbenchPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const showError = useApiError();
  const queue = useQueue();
  const cards = useScorecards();
  const mine = useInspections({ mine: 'inspector' });
  const active = (cards.data?.items ?? []).filter((c) => c.active);
  const [card, setCard] = useState<string | undefined>();
  const [ticket, setTicket] = useState<string | undefined>();
  const scorecardId = card ?? active[0]?.id;
  const open = useMutation({
    mutationFn: (ticketId: string) => http.post('/qa/inspections', { body: { ticketId, scorecardId: scorecardId! } }),
    onSuccess: (r) => navigate(`/qa/inspections/${r.id}`),
    onError: (e) => showError(e),
  });
  const queued = (queue.data?.items ?? []).filter((s) => s.state === 'queued');
  return (
    <Page
      title={t('quality.workbench.title')}
      subtitle={t('quality.workbench.subtitle')}
      extra={
        <Select
          style={{ width: 220 }}
          value={scorecardId}
          onChange={setCard}
          options={active.map((c) => ({ value: c.id, label: `${c.name} · v${c.version}` }))}
          placeholder={t('quality.workbench.scorecard')}
          data-testid="qa-scorecard"
        />
      }
    >
      <Flex vertical gap={16}>
        <Card size="small" title={t('quality.workbench.any')}>
          <Flex gap={8} wrap>
            <div style={{ flex: '1 1 260px', minWidth: 0 }} data-testid="qa-ticket-search">
              <TicketSearchSelect value={ticket} onChange={setTicket} />
            </div>
            <Button type="primary" disabled={!ticket || !scorecardId} loading={open.isPending} onClick={() => open.mutate(ticket!)} data-testid="qa-open">
              {t('quality.workbench.start')}
            </Button>
          </Flex>
        </Card>
        <Card size="small" title={t('quality.workbench.queue', { count: queued.length })}>
          <Table
            size="small"
            rowKey="id"
            loading={queue.isLoading}
            dataSource={queued}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 560 }}
            locale={{ emptyText: <Empty description={t('quality.workbench.queueEmpty')} /> }}
            columns={[
              { title: t('quality.ticket'), dataIndex: 'ticketNumber', render: (v: string, s) => <Link to={`/tickets/${s.ticketId}`}>{v}</Link> },
              { title: t('quality.agent'), render: (_, s) => s.agent?.name },
              {
                title: t('quality.workbench.reason'),
                dataIndex: 'reason',
                render: (r: string) => <Tag color={REASON_COLOR[r]}>{t(`quality.reason.${r}`)}</Tag>,
              },
              {
                title: '',
                width: 110,
                render: (_, s) => (
                  <Button size="small" type="link" disabled={!scorecardId} onClick={() => open.mutate(s.ticketId)} data-testid={`qa-start-${s.ticketNumber}`}>
                    {t('quality.workbench.start')}
                  </Button>
                ),
              },
            ]}
          />
        </Card>
        <Card size="small" title={t('quality.workbench.done')}>
          <Table
            size="small"
            rowKey="id"
            loading={mine.isLoading}
            dataSource={mine.data?.items ?? []}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 640 }}
            columns={[
              { title: t('quality.ticket'), render: (_, i) => <Link to={`/qa/inspections/${i.id}`}>{i.ticketNumber}</Link> },
              { title: t('quality.agent'), render: (_, i) => i.agent?.name },
              { title: t('quality.scorecard'), render: (_, i) => i.scorecard.name },
              {
                title: t('quality.scoreCol'),
                render: (_, i) => (i.score === null ? '—' : <Tag color={scoreColor(i.score, i.scorecard.passMark)}>{i.score}</Tag>),
              },
              { title: t('quality.stateCol'), render: (_, i) => <Tag color={STATE_COLOR[i.state]}>{t(`quality.state.${i.state}`)}</Tag> },
              { title: t('quality.when'), render: (_, i) => <Typography.Text type="secondary">{fmt.dateTime(i.submittedAt ?? i.createdAt)}</Typography.Text> },
            ]}
          />
        </Card>
      </Flex>
    </Page>
  );
}
