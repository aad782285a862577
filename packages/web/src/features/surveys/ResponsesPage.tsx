import { useMemo, useState } from 'react';
import { Button, Card, DatePicker, Flex, Rate, Select, Space, Table, Tag, Typography } from 'antd';
import { LeftOutlined, ReloadOutlined, RightOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat } from '../auth/me';
import { useTeams } from '../staff/queries';

type Item = ItemOf<ResponseOf<'get', '/surveys/responses'>['items']>;

/** Score presets (CSAT 1–5); the server filters by the range. */
const SCORE_RANGES: Record<string, { min?: number; max?: number }> = {
  all: {},
  low: { max: 2 },
  mid: { min: 3, max: 3 },
  high: { min: 4 },
  five: { min: 5 },
};
const PAGE = 20;

/**
 * 评价明细 (/surveys/responses): every answer on the tickets the reader may see — filter by score, team and period
 * (on the server); the ticket (link), the customer (phone masked), the score, the comment and reasons, and the
 * low-score recovery case with its state.
 */
export default function ResponsesPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const score = params.get('score') ?? 'all';
  const teamId = params.get('team') ?? undefined;
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const teams = useTeams();
  const sr = SCORE_RANGES[score] ?? {};
  const query = {
    scoreMin: sr.min,
    scoreMax: sr.max,
    teamId,
    from: range?.[0]?.format('YYYY-MM-DD'),
    to: range?.[1]?.format('YYYY-MM-DD'),
    limit: PAGE,
    cursor,
  };
  const q = useQuery({
    queryKey: ['survey-responses', query],
    queryFn: () => http.get('/surveys/responses', { query }),
    placeholderData: keepPreviousData,
  });
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value && value !== 'all') next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
    setCursors([undefined]);
  };
  const scoreOptions = useMemo(() => Object.keys(SCORE_RANGES).map((k) => ({ value: k, label: t(`surveyReach.list.scores.${k}`) })), [t]);

  const columns = [
    {
      key: 'ticket',
      title: t('surveyReach.list.cols.ticket'),
      render: (_: unknown, r: Item) => (
        <Flex vertical>
          <Link to={`/tickets/${r.ticketId}`} data-testid="response-ticket">
            {r.ticketNumber}
          </Link>
          <Typography.Text type="secondary" ellipsis style={{ maxWidth: 200 }}>
            {r.ticketSubject}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'customer',
      title: t('surveyReach.list.cols.customer'),
      render: (_: unknown, r: Item) => (
        <Flex vertical>
          <span>{r.customerName ?? '—'}</span>
          {r.customerPhone ? <Typography.Text type="secondary">{r.customerPhone}</Typography.Text> : null}
        </Flex>
      ),
    },
    {
      key: 'score',
      title: t('surveyReach.list.cols.score'),
      render: (_: unknown, r: Item) => (
        <Flex vertical gap={2} align="flex-start" data-testid="response-score" data-score={r.csat ?? ''}>
          {r.csat !== null ? <Rate disabled value={r.csat} style={{ fontSize: 14 }} /> : null}
          {r.nps !== null ? <Typography.Text type="secondary">{t('surveyReach.nps', { n: r.nps })}</Typography.Text> : null}
          {r.ces !== null ? <Typography.Text type="secondary">{t('surveyReach.ces', { n: r.ces })}</Typography.Text> : null}
          {r.lowScore ? <Tag color="red">{t('surveyReach.lowScore')}</Tag> : null}
        </Flex>
      ),
    },
    {
      key: 'comment',
      title: t('surveyReach.list.cols.comment'),
      render: (_: unknown, r: Item) => (
        <Flex vertical gap={4} style={{ maxWidth: 320 }}>
          {r.comment ? <Typography.Text>{r.comment}</Typography.Text> : <Typography.Text type="secondary">{t('surveyReach.list.noComment')}</Typography.Text>}
          {r.reasons.length ? (
            <Flex wrap gap={4}>
              {r.reasons.map((x) => (
                <Tag key={x}>{x}</Tag>
              ))}
            </Flex>
          ) : null}
        </Flex>
      ),
    },
    {
      key: 'team',
      title: t('surveyReach.list.cols.team'),
      render: (_: unknown, r: Item) => (
        <Flex vertical>
          <span>{r.teamName ?? '—'}</span>
          {r.ownerName ? <Typography.Text type="secondary">{r.ownerName}</Typography.Text> : null}
        </Flex>
      ),
    },
    { key: 'at', title: t('surveyReach.list.cols.answeredAt'), render: (_: unknown, r: Item) => fmt.minuteTime(r.answeredAt) },
    {
      key: 'recovery',
      title: t('surveyReach.list.cols.recovery'),
      render: (_: unknown, r: Item) =>
        r.recovery ? (
          <Space direction="vertical" size={2}>
            <Tag color={r.recovery.state === 'closed' ? 'green' : 'orange'} data-testid="response-recovery">
              {t(`surveyReach.recoveryStates.${r.recovery.state}`)}
            </Tag>
            {r.recovery.outcome ? <Typography.Text type="secondary">{t(`surveyReach.outcomes.${r.recovery.outcome}`)}</Typography.Text> : null}
            {r.recovery.canOpen ? <Link to="/recovery">{t('surveyReach.openRecovery')}</Link> : null}
          </Space>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  return (
    <div className="chidu-page" data-testid="survey-responses-page">
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 12 }}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('surveyReach.list.title')}
          </Typography.Title>
          <Typography.Text type="secondary">{t('surveyReach.list.subtitle')}</Typography.Text>
        </div>
        <Link to="/surveys">{t('surveyReach.list.toTemplates')}</Link>
      </Flex>
      <Card size="small">
        <Flex wrap gap={12} align="center" style={{ marginBottom: 12 }}>
          <Space>
            <span>{t('surveyReach.list.score')}</span>
            <Select value={score} options={scoreOptions} onChange={(v) => set('score', v)} style={{ width: 150 }} data-testid="filter-score" />
          </Space>
          <Space>
            <span>{t('surveyReach.list.team')}</span>
            <Select
              allowClear
              value={teamId}
              placeholder={t('surveyReach.list.allTeams')}
              options={(teams.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
              onChange={(v?: string) => set('team', v)}
              style={{ width: 180 }}
              data-testid="filter-team"
            />
          </Space>
          <Space>
            <span>{t('surveyReach.list.period')}</span>
            <DatePicker.RangePicker
              allowEmpty={[true, true]}
              value={range}
              onChange={(v) => {
                setRange(v);
                setCursors([undefined]);
              }}
              style={{ width: 260 }}
            />
          </Space>
          <Button icon={<ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />
        </Flex>
        {q.isError ? <Typography.Text type="danger">{errorMessage(q.error, t)}</Typography.Text> : null}
        <Table<Item>
          rowKey="id"
          size="middle"
          loading={q.isFetching}
          columns={columns}
          dataSource={q.data?.items ?? []}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{ emptyText: t('surveyReach.list.empty') }}
          data-testid="responses-table"
        />
        <Flex justify="flex-end" gap={8} style={{ marginTop: 12 }}>
          <Button icon={<LeftOutlined />} disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('surveyReach.list.prev')}
          </Button>
          <Button disabled={!q.data?.nextCursor} onClick={() => setCursors((c) => [...c, q.data!.nextCursor!])}>
            {t('surveyReach.list.next')} <RightOutlined />
          </Button>
        </Flex>
      </Card>
    </div>
  );
}
