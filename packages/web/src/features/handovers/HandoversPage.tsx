import { useMemo, useState } from 'react';
import { Card, Empty, Flex, Segmented, Spin, Tabs, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { handoversApi } from '../../api/endpoints';
import type { Handover, HandoverState } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat, useMe } from '../auth/me';
import { HandoverDecisionButtons, HandoverSheet, HandoverStateTag } from '../tickets/Handover';

type Box = 'incoming' | 'outgoing' | 'all';

/** 交接 inbox: handovers waiting for me, the ones I sent, and (supervisors) everything. */
export default function HandoversPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [box, setBox] = useState<Box>('incoming');
  const [state, setState] = useState<HandoverState | 'any'>('pending');
  const list = useQuery({ queryKey: ['handovers', state], queryFn: () => handoversApi.list(state === 'any' ? undefined : state), refetchInterval: 60_000 });

  const items = useMemo(() => {
    const all = list.data?.items ?? [];
    if (box === 'incoming') return all.filter((h) => h.toStaffId === me.id);
    if (box === 'outgoing') return all.filter((h) => h.fromStaffId === me.id);
    return all;
  }, [list.data, box, me.id]);
  const incomingPending = (list.data?.items ?? []).filter((h) => h.toStaffId === me.id && h.state === 'pending').length;

  return (
    <Page title={t('handoversPage.title')} subtitle={t('handoversPage.subtitle')}>
      <Flex justify="space-between" align="center" wrap gap={8} className="chidu-toolbar">
        <Tabs
          activeKey={box}
          onChange={(k) => setBox(k as Box)}
          style={{ marginBottom: 0 }}
          items={[
            {
              key: 'incoming',
              label: state === 'pending' && incomingPending ? t('handoversPage.incomingN', { n: incomingPending }) : t('handoversPage.incoming'),
            },
            { key: 'outgoing', label: t('handoversPage.outgoing') },
            { key: 'all', label: t('handoversPage.all') },
          ]}
        />
        <Segmented<HandoverState | 'any'>
          value={state}
          onChange={setState}
          options={[
            { value: 'pending', label: t('handover.states.pending') },
            { value: 'confirmed', label: t('handover.states.confirmed') },
            { value: 'declined', label: t('handover.states.declined') },
            { value: 'any', label: t('handoversPage.anyState') },
          ]}
        />
      </Flex>
      {list.isPending ? (
        <Flex justify="center" style={{ padding: 48 }}>
          <Spin />
        </Flex>
      ) : list.isError ? (
        <Card>
          <Typography.Text type="danger">{errorMessage(list.error, t)}</Typography.Text>
        </Card>
      ) : items.length === 0 ? (
        <Card>
          <Empty description={t(`handoversPage.empty.${box}`)} />
        </Card>
      ) : (
        <Flex vertical gap={12} data-testid="handover-list">
          {items.map((h) => (
            <HandoverCard key={h.id} h={h} canDecide={h.state === 'pending' && h.toStaffId === me.id} />
          ))}
        </Flex>
      )}
    </Page>
  );
}

function HandoverCard({ h, canDecide }: { h: Handover; canDecide: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <Card
      size="small"
      data-testid="handover-card"
      title={
        <Flex gap={8} align="center" wrap style={{ whiteSpace: 'normal' }}>
          <Link to={`/tickets/${h.ticketId}`} className="chidu-ticket-no">
            {h.ticketNumber ?? h.ticketId}
          </Link>
          <span style={{ fontWeight: 400 }}>{h.ticketSubject}</span>
          <HandoverStateTag state={h.state} />
        </Flex>
      }
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fmt.dateTime(h.createdAt)}
        </Typography.Text>
      }
    >
      <Flex vertical gap={12}>
        <Typography.Text>{t('handoversPage.fromTo', { from: h.fromStaffName ?? '—', to: h.toStaffName ?? '—' })}</Typography.Text>
        <HandoverSheet h={h} />
        {h.decisionNote ? <Typography.Text type="secondary">{t('handover.note', { note: h.decisionNote })}</Typography.Text> : null}
        {canDecide ? <HandoverDecisionButtons h={h} /> : null}
      </Flex>
    </Card>
  );
}
