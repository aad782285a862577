import type { ReactNode } from 'react';
import { App, Button, Skeleton } from 'antd';
import { CommentOutlined, FileSearchOutlined, FrownOutlined, QuestionCircleOutlined, ReloadOutlined, RightOutlined, ToolOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { portalApi, type PortalTicket, type PortalType } from '../api';
import { StatusChip, TypeLabel, useFormatDate } from '../components/ui';
import { portalErrorMessage } from '../errors';
import { TICKETS_KEY } from '../keys';
import '../help/help.css';

const ACTIONS: { type: PortalType; key: string; hint: string; icon: ReactNode }[] = [
  { type: 'repair', key: 'home.actionRepair', hint: 'home.actionRepairHint', icon: <ToolOutlined /> },
  { type: 'inquiry', key: 'home.actionInquiry', hint: 'home.actionInquiryHint', icon: <CommentOutlined /> },
  { type: 'complaint', key: 'home.actionComplaint', hint: 'home.actionComplaintHint', icon: <FrownOutlined /> },
];

function TicketCard({ ticket }: { ticket: PortalTicket }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  return (
    <Link to={`/requests/${ticket.id}`} className="pt-card pt-ticket" data-testid="ticket-card" data-number={ticket.number}>
      <div className="pt-ticket-top">
        <TypeLabel type={ticket.type} />
        <span className="pt-number">{ticket.number}</span>
        <StatusChip status={ticket.status} />
      </div>
      <div className="pt-ticket-subject">{ticket.subject}</div>
      <div className="pt-ticket-bottom">
        <span className="pt-muted">{t('home.submittedAt', { time: fmt(ticket.createdAt) })}</span>
        {ticket.status === 'resolved' ? (
          <span className="pt-confirm-hint">
            {t('home.pleaseConfirm')} <RightOutlined />
          </span>
        ) : ticket.status === 'pending_customer' ? (
          <span className="pt-confirm-hint">
            {t('home.pleaseReply')} <RightOutlined />
          </span>
        ) : (
          <RightOutlined className="pt-muted" />
        )}
      </div>
    </Link>
  );
}

export function HomePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useInfiniteQuery({
    queryKey: TICKETS_KEY,
    queryFn: ({ pageParam }) => portalApi.tickets(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 60_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  const refresh = async () => {
    const res = await list.refetch();
    if (res.isError) void message.error(portalErrorMessage(res.error, t));
    else void message.success({ content: t('home.refreshed'), duration: 1.5 });
  };

  return (
    <div className="pt-home">
      <section className="pt-hello">
        <h1 className="pt-h1">{t('home.greeting')}</h1>
        <p className="pt-muted">{t('home.prompt')}</p>
      </section>

      <nav className="pt-actions" aria-label={t('home.actionsLabel')}>
        {ACTIONS.map((a) => (
          <Link key={a.type} to={`/new?type=${a.type}`} className={`pt-action pt-action--${a.type}`} data-testid={`action-${a.type}`}>
            <span className="pt-action-icon" aria-hidden>
              {a.icon}
            </span>
            <span className="pt-action-title">{t(a.key)}</span>
            <span className="pt-action-hint">{t(a.hint)}</span>
          </Link>
        ))}
      </nav>

      <Link to="/help" className="pt-card pt-help-entry" data-testid="help-entry">
        <QuestionCircleOutlined className="pt-help-entry-icon" aria-hidden />
        <span className="pt-help-entry-text">
          <strong>{t('help.entry')}</strong>
          <span className="pt-muted">{t('help.entryHint')}</span>
        </span>
      </Link>

      <section className="pt-section" aria-labelledby="my-requests">
        <div className="pt-section-head">
          <h2 id="my-requests" className="pt-h2">
            {t('home.myRequests')}
          </h2>
          <Button
            type="text"
            icon={<ReloadOutlined spin={list.isRefetching} />}
            onClick={() => void refresh()}
            disabled={list.isFetching}
            data-testid="refresh"
          >
            {t('common.refresh')}
          </Button>
        </div>
        {list.isPending ? (
          <div className="pt-card">
            <Skeleton active paragraph={{ rows: 3 }} />
          </div>
        ) : list.isError ? (
          <div className="pt-card pt-empty">
            <p>{portalErrorMessage(list.error, t)}</p>
            <Button onClick={() => void list.refetch()}>{t('common.retry')}</Button>
          </div>
        ) : items.length === 0 ? (
          <div className="pt-card pt-empty" data-testid="no-requests">
            <FileSearchOutlined className="pt-empty-icon" />
            <p className="pt-empty-title">{t('home.emptyTitle')}</p>
            <p className="pt-muted">{t('home.emptyHint')}</p>
          </div>
        ) : (
          <div className="pt-list" data-testid="ticket-list">
            {items.map((ticket) => (
              <TicketCard key={ticket.id} ticket={ticket} />
            ))}
            {list.hasNextPage ? (
              <Button block size="large" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                {t('home.loadMore')}
              </Button>
            ) : items.length > 3 ? (
              <p className="pt-end">{t('home.end')}</p>
            ) : null}
          </div>
        )}
      </section>
    </div>
  );
}
