import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Flex, Grid, Result, Row, Table, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, LinkOutlined, ReloadOutlined } from '@ant-design/icons';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import type { Compensation, TicketDetail } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { PageSpinner } from '../../layout/AppLayout';
import { compensationKindLabel, linkKindLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { CustomerPanel } from '../customers/CustomerPanel';
import { TierTag } from '../customers/CustomersPage';
import { useWatchTickets } from '../notifications/realtime';
import { AttachmentList } from './Attachments';
import { Conversation } from './Conversation';
import { HandoverBanner, HandoverSheet, HandoverStateTag } from './Handover';
import type { CreatedState } from './NewTicketDrawer';
import { OrderPanel } from './OrderPanel';
import { SurveyPanel } from './SurveyPanel';
import { useCategoryTree, useTeamLoad, useTicket } from './queries';
import { TicketActions } from './TicketActions';
import { TicketTimeline } from './TicketTimeline';
import { ComplaintPanel } from '../loops/ComplaintPanel';
import { SolutionOptionsPanel } from '../process/SolutionOptionsPanel';
import { CompensationAnswer } from '../rules/CompensationAnswer';
import { KbSuggestions } from '../kb/KbSuggestions';
import { ChannelText, PriorityTag, StandardChip, StatusTag, TicketNumber, TypeText } from './ui';
import { Checkpoints } from './Checkpoints';
import { ProgressActions } from './ProgressActions';
import { Checklist } from './Checklist';
import { AssistTag } from '../customers/AssistFields';
import { EmailDeliveries } from '../channels/EmailDeliveries';

export default function TicketPage() {
  const { id } = useParams<{ id: string }>();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const ticket = useTicket(id);
  useWatchTickets(id ? [id] : []);
  const [createdDismissed, setCreatedDismissed] = useState(false);
  const created = (location.state as CreatedState | null)?.created;

  if (ticket.isPending) return <PageSpinner />;
  if (ticket.isError) {
    const notFound = ticket.error instanceof ApiError && (ticket.error.status === 404 || ticket.error.status === 400);
    return (
      <Result
        status={notFound ? '404' : 'error'}
        title={notFound ? t('tickets.notFoundTitle') : t('app.loadFailed')}
        subTitle={notFound ? t('tickets.notFoundDescription') : errorMessage(ticket.error, t)}
        data-testid={notFound ? 'ticket-not-found' : 'ticket-load-failed'}
        extra={
          <Flex gap={8} justify="center">
            <Button onClick={() => void navigate('/tickets')}>{t('tickets.backToQueue')}</Button>
            {notFound ? null : (
              <Button type="primary" onClick={() => void ticket.refetch()}>
                {t('common.retry')}
              </Button>
            )}
          </Flex>
        }
      />
    );
  }
  const tk = ticket.data;
  return (
    <div className="chidu-page chidu-ticket-page" data-testid="ticket-page" data-ticket-id={tk.id}>
      <Flex align="center" gap={8} style={{ marginBottom: 12 }} wrap>
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void (window.history.length > 1 ? navigate(-1) : navigate('/tickets'))}>
          {t('tickets.backToQueue')}
        </Button>
        <Button type="text" icon={<ReloadOutlined />} loading={ticket.isRefetching} onClick={() => void ticket.refetch()} aria-label={t('common.refresh')} />
      </Flex>
      {created && !createdDismissed ? (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setCreatedDismissed(true) }}
          style={{ marginBottom: 12 }}
          data-testid="ticket-created-banner"
          title={
            <span>
              {t('tickets.new.createdBanner')} <TicketNumber number={created.number} copyable strong />
            </span>
          }
          description={created.reason ? t('tickets.new.dispatchReason', { reason: created.reason }) : t('tickets.new.noDispatch')}
        />
      ) : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Flex vertical gap={16}>
            <TicketHeader ticket={tk} />
            <HandoverBanner ticket={tk} />
            {tk.type === 'order' ? <OrderPanel ticket={tk} /> : null}
            {tk.type === 'complaint' ? <ComplaintPanel ticketId={tk.id} /> : null}
            {tk.type === 'complaint' ? <SolutionOptionsPanel ticket={tk} /> : null}
            {tk.type === 'internal' ? null : <SurveyPanel ticket={tk} />}
            <Card size="small" title={t('replies.title', { n: tk.replies.length })} data-testid="conversation">
              <Conversation ticket={tk} />
            </Card>
            {tk.channel === 'email' ? <EmailDeliveries ticketId={tk.id} /> : null}
            <TimelineCard ticket={tk} />
          </Flex>
        </Col>
        <Col xs={24} lg={8}>
          <Flex vertical gap={16}>
            {tk.type === 'internal' ? null : <CustomerPanel customerId={tk.customerId} currentTicketId={tk.id} />}
            <KbSuggestions ticket={tk} />
            <CompensationCard ticket={tk} />
            <HandoversCard ticket={tk} />
            <LinksCard ticket={tk} />
          </Flex>
        </Col>
      </Row>
    </div>
  );
}

function TicketHeader({ ticket: tk }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const screens = Grid.useBreakpoint();
  const categories = useCategoryTree();
  const live = tk.standards.filter((s) => s.state !== 'cancelled');
  const ticketAttachments = tk.attachments.filter((a) => a.replyId === null);
  return (
    <Card size="small" className="chidu-ticket-header" data-testid="ticket-header">
      <Flex vertical gap={10}>
        <Flex justify="space-between" align="flex-start" gap={8} wrap>
          <Flex vertical gap={4} style={{ minWidth: 0, flex: '1 1 320px' }}>
            <Flex gap={8} align="center" wrap>
              <TicketNumber number={tk.number} copyable strong />
              <StatusTag status={tk.status} />
              <PriorityTag priority={tk.priority} />
              {tk.mergedIntoId ? <Tag color="default">{t('tickets.merged')}</Tag> : null}
            </Flex>
            <Typography.Title level={4} style={{ margin: 0, wordBreak: 'break-word' }} data-testid="ticket-subject">
              {tk.subject}
            </Typography.Title>
          </Flex>
        </Flex>
        {live.length ? (
          <Flex gap={6} wrap data-testid="ticket-standards">
            {live.map((s) => (
              <StandardChip key={`${s.code}-${String((s as { cycle?: number }).cycle ?? '')}`} standard={s} ticketCreatedAt={tk.createdAt} />
            ))}
          </Flex>
        ) : null}
        <Checkpoints ticketId={tk.id} version={`${tk.timeline.length}:${tk.status}`} />
        <ProgressActions ticket={tk} />
        <Checklist ticket={tk} />
        <Descriptions
          size="small"
          column={screens.md === false ? 1 : screens.xl ? 3 : 2}
          className="chidu-ticket-facts"
          items={[
            {
              key: 'customer',
              label: t('tickets.customer'),
              // An internal ticket (内部工单) has no customer to link: the organisation's own work.
              children:
                tk.type === 'internal' ? (
                  <Tag color="purple" data-testid="ticket-internal">
                    {t('ticketTypes.internal')}
                  </Tag>
                ) : (
                  <Flex gap={6} align="center" wrap>
                    <Link to={`/customers/${tk.customerId}`}>{tk.customerName ?? '—'}</Link>
                    {tk.customerTier ? <TierTag tier={tk.customerTier} /> : null}
                    {tk.assistance ? <AssistTag kind={tk.assistance.kind} helperName={tk.assistance.helperName} note={tk.assistance.note} /> : null}
                  </Flex>
                ),
            },
            { key: 'type', label: t('tickets.type'), children: <TypeText type={tk.type} /> },
            { key: 'channel', label: t('tickets.channel'), children: <ChannelText channel={tk.channel} /> },
            {
              key: 'owner',
              label: t('tickets.owner'),
              children: tk.ownerName ?? <Typography.Text type="secondary">{t('tickets.unassigned')}</Typography.Text>,
            },
            { key: 'team', label: t('tickets.team'), children: tk.teamName ?? '—' },
            {
              key: 'category',
              label: t('tickets.category'),
              children: tk.categoryId ? (categories.paths.get(tk.categoryId) ?? '—') : '—',
            },
            { key: 'created', label: t('common.createdAt'), children: `${fmt.dateTime(tk.createdAt)}（${fmt.relative(tk.createdAt)}）` },
            ...(tk.callDurationSeconds !== null
              ? [
                  {
                    key: 'call',
                    label: tk.channel === 'walk_in' ? t('tickets.new.visitDuration') : t('tickets.new.callDuration'),
                    children: fmt.duration(tk.callDurationSeconds),
                  },
                ]
              : []),
            ...(tk.ringCount !== null ? [{ key: 'rings', label: t('tickets.new.ringCount'), children: t('tickets.ringsValue', { n: tk.ringCount }) }] : []),
            ...(tk.site ? [{ key: 'site', label: t('tickets.site'), children: tk.site }] : []),
            ...(tk.resolvedAt ? [{ key: 'resolvedAt', label: t('tickets.resolvedAt'), children: fmt.dateTime(tk.resolvedAt) }] : []),
            ...(tk.tags.length
              ? [
                  {
                    key: 'tags',
                    label: t('tickets.tags'),
                    children: (
                      <Flex gap={4} wrap>
                        {tk.tags.map((tag) => (
                          <Tag key={tag} style={{ marginInlineEnd: 0 }}>
                            {tag}
                          </Tag>
                        ))}
                      </Flex>
                    ),
                  },
                ]
              : []),
          ]}
        />
        {tk.description ? (
          <div className="chidu-ticket-description" data-testid="ticket-description">
            {tk.description}
          </div>
        ) : null}
        <AttachmentList items={ticketAttachments} />
        {tk.resolution ? (
          <Alert type="success" showIcon title={t('tickets.resolution')} description={<span style={{ whiteSpace: 'pre-wrap' }}>{tk.resolution}</span>} />
        ) : null}
        <TicketActions ticket={tk} />
      </Flex>
    </Card>
  );
}

function TimelineCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const load = useTeamLoad(true);
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const m of load.data?.items ?? []) map.set(m.staffId, m.name);
    if (ticket.ownerId && ticket.ownerName) map.set(ticket.ownerId, ticket.ownerName);
    for (const h of ticket.handovers) {
      if (h.fromStaffName) map.set(h.fromStaffId, h.fromStaffName);
      if (h.toStaffName) map.set(h.toStaffId, h.toStaffName);
    }
    for (const e of ticket.timeline) if (e.actorId && e.actorName) map.set(e.actorId, e.actorName);
    return map;
  }, [load.data, ticket]);
  return (
    <Card size="small" title={t('timeline.title', { n: ticket.timeline.length })}>
      <TicketTimeline events={ticket.timeline} staffName={(id) => (id ? (names.get(id) ?? null) : null)} />
    </Card>
  );
}

const COMP_STATE_COLOURS: Record<string, string> = { granted: 'green', pending_approval: 'orange', rejected: 'red' };

function CompensationCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const items = ticket.compensations;
  if (items.length === 0) return null;
  // only what the customer accepted counts as granted (process rule, seed 001)
  const total = items.filter((c) => c.state === 'granted' && (c.acceptance ?? 'accepted') === 'accepted').reduce((s, c) => s + c.amountFen, 0);
  return (
    <Card
      size="small"
      title={t('compensation.listTitle')}
      extra={<Typography.Text type="secondary">{t('compensation.total', { amount: fmt.money(total) })}</Typography.Text>}
      data-testid="compensations"
    >
      <Table<Compensation>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={items}
        columns={[
          { title: t('compensation.kind'), dataIndex: 'kind', render: (k: string) => compensationKindLabel(t, k) },
          { title: t('compensation.amount'), dataIndex: 'amountFen', align: 'right', render: (v: number) => fmt.money(v) },
          {
            title: t('tickets.status'),
            dataIndex: 'state',
            render: (s: string) => <Tag color={COMP_STATE_COLOURS[s] ?? 'default'}>{t(`compensation.states.${s}`, { defaultValue: s })}</Tag>,
          },
          {
            title: t('stdRules.comp.column'),
            key: 'acceptance',
            render: (_: unknown, c: Compensation) => <CompensationAnswer ticketId={ticket.id} c={c} canAnswer={ticket.allowed.reply} />,
          },
        ]}
        expandable={{ expandedRowRender: (c) => <span style={{ whiteSpace: 'pre-wrap' }}>{c.reason}</span>, rowExpandable: (c) => Boolean(c.reason) }}
      />
    </Card>
  );
}

function HandoversCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const done = ticket.handovers.filter((h) => h.state !== 'pending');
  if (done.length === 0) return null;
  return (
    <Card size="small" title={t('handover.history')}>
      <Flex vertical gap={12}>
        {done.map((h) => (
          <details key={h.id} className="chidu-details">
            <summary>
              <Flex justify="space-between" gap={8} wrap style={{ display: 'inline-flex', width: 'calc(100% - 20px)' }}>
                <span>
                  {h.fromStaffName} → {h.toStaffName}
                </span>
                <Flex gap={6} align="center">
                  <HandoverStateTag state={h.state} />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {fmt.shortTime(h.createdAt)}
                  </Typography.Text>
                </Flex>
              </Flex>
            </summary>
            <div style={{ marginTop: 8 }}>
              <HandoverSheet h={h} />
              {h.decisionNote ? (
                <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
                  {t('handover.note', { note: h.decisionNote })}
                </Typography.Paragraph>
              ) : null}
            </div>
          </details>
        ))}
      </Flex>
    </Card>
  );
}

function LinksCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  if (ticket.links.length === 0 && !ticket.mergedIntoId) return null;
  return (
    <Card
      size="small"
      title={
        <span>
          <LinkOutlined /> {t('tickets.links.title')}
        </span>
      }
    >
      {ticket.links.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Flex vertical gap={6}>
          {ticket.links.map((l) => (
            <Flex key={`${l.otherId}-${l.kind}`} justify="space-between" gap={8}>
              <Link to={`/tickets/${l.otherId}`} className="chidu-ticket-no">
                {l.number ?? l.otherId}
              </Link>
              <Tag style={{ marginInlineEnd: 0 }}>{linkKindLabel(t, l.kind)}</Tag>
            </Flex>
          ))}
        </Flex>
      )}
    </Card>
  );
}
