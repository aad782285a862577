import { useState } from 'react';
import { App, Button, Input, Modal, Result, Skeleton } from 'antd';
import { CheckOutlined, CustomerServiceOutlined, QuestionCircleOutlined, ReloadOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { portalApi, type PortalTicketDetail, type Reply, type TicketStatus } from '../api';
import { AttachmentGrid } from '../components/Attachments';
import { PhotoPicker, usePhotoUploads } from '../components/PhotoPicker';
import { RatingCard } from '../components/RatingCard';
import { SlotPicker } from '../components/SlotPicker';
import { VisitReports } from '../components/VisitReports';
import { CompensationOffers, SolutionConfirm } from '../components/RulesCards';
import { PageTitle, StatusChip, TypeLabel, useFormatDate } from '../components/ui';
import { portalErrorMessage } from '../errors';
import { STEPS, buildTimeline, stepOf } from '../format';
import { TICKETS_KEY, ticketKey } from '../keys';

const STATUS_SENTENCE: Record<TicketStatus, string> = {
  new: 'detail.sentence.new',
  assigned: 'detail.sentence.assigned',
  in_progress: 'detail.sentence.in_progress',
  pending_customer: 'detail.sentence.pending_customer',
  pending_internal: 'detail.sentence.pending_internal',
  resolved: 'detail.sentence.resolved',
  closed: 'detail.sentence.closed',
};

function Stepper({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  const current = stepOf(status);
  return (
    <ol className="pt-steps" aria-label={t('detail.progress')} data-testid="stepper" data-step={current}>
      {STEPS.map((key, i) => {
        const state = i < current ? 'done' : i === current ? 'current' : 'todo';
        return (
          <li key={key} className={`pt-step pt-step--${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="pt-step-dot">{state === 'done' ? <CheckOutlined /> : i + 1}</span>
            <span className="pt-step-label">{t(key)}</span>
          </li>
        );
      })}
    </ol>
  );
}

function Message({ reply }: { reply: Reply }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const mine = reply.authorKind === 'customer';
  const who = mine ? t('detail.you') : reply.authorName ? t('detail.staffNamed', { name: reply.authorName }) : t('detail.staff');
  return (
    <div className={`pt-msg ${mine ? 'pt-msg--me' : 'pt-msg--staff'}`} data-testid={mine ? 'my-reply' : 'staff-reply'}>
      <span className="pt-msg-avatar" aria-hidden>
        {mine ? <UserOutlined /> : <CustomerServiceOutlined />}
      </span>
      <div className="pt-msg-main">
        <div className="pt-msg-meta">
          <span>{who}</span>
          <span>{fmt(reply.createdAt)}</span>
        </div>
        <div className="pt-msg-bubble">{reply.body}</div>
        <AttachmentGrid items={reply.attachments} />
      </div>
    </div>
  );
}

function ReplyBox({ ticket }: { ticket: PortalTicketDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const photos = usePhotoUploads();
  const send = useMutation({
    mutationFn: () => portalApi.reply(ticket.id, text.trim(), photos.ids),
    onSuccess: async () => {
      setText('');
      photos.reset();
      void message.success(t('reply.sent'));
      await queryClient.invalidateQueries({ queryKey: ticketKey(ticket.id) });
      void queryClient.invalidateQueries({ queryKey: TICKETS_KEY });
    },
    onError: (err) => void message.error(portalErrorMessage(err, t)),
  });
  const canSend = text.trim().length > 0 && !photos.busy && !send.isPending;
  return (
    <section className="pt-card pt-reply" aria-labelledby="reply-title">
      <h2 id="reply-title" className="pt-h2">
        {ticket.status === 'pending_customer' ? t('reply.titleNeeded') : t('reply.title')}
      </h2>
      {ticket.status === 'resolved' ? <p className="pt-hint">{t('reply.reopensHint')}</p> : null}
      <Input.TextArea
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={2000}
        placeholder={t('reply.placeholder')}
        data-testid="portal-reply-input"
      />
      <PhotoPicker state={photos} testIdPrefix="reply-photo" />
      <Button
        type="primary"
        size="large"
        block
        icon={<SendOutlined />}
        disabled={!canSend}
        loading={send.isPending}
        onClick={() => {
          if (photos.failed) {
            void message.warning(t('submit.fixPhotos'));
            return;
          }
          send.mutate();
        }}
        data-testid="portal-reply-send"
      >
        {photos.busy ? t('submit.uploading') : t('reply.send')}
      </Button>
    </section>
  );
}

function ConfirmBox({ ticket }: { ticket: PortalTicketDetail }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [reopenOpen, setReopenOpen] = useState(false);
  const [reason, setReason] = useState('');
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ticketKey(ticket.id) });
    void queryClient.invalidateQueries({ queryKey: TICKETS_KEY });
  };
  const onConflict = (err: unknown) => {
    void message.error(portalErrorMessage(err, t));
    if (err instanceof ApiError && err.code === 'conflict') void refresh();
  };
  const confirm = useMutation({
    mutationFn: () => portalApi.confirm(ticket.id),
    onSuccess: async () => {
      void message.success(t('confirm.thanks'));
      await refresh();
    },
    onError: onConflict,
  });
  const reopen = useMutation({
    mutationFn: () => portalApi.reopen(ticket.id, reason.trim() || undefined),
    onSuccess: async () => {
      setReopenOpen(false);
      setReason('');
      void message.success(t('confirm.reopened'));
      await refresh();
    },
    onError: onConflict,
  });

  return (
    <section className="pt-card pt-confirm" data-testid="confirm-box">
      <h2 className="pt-h2">{t('confirm.title')}</h2>
      {ticket.resolution ? (
        <div className="pt-resolution">
          <span className="pt-muted">{t('confirm.resolution')}</span>
          <p data-testid="resolution">{ticket.resolution}</p>
        </div>
      ) : null}
      <p className="pt-muted">{t('confirm.hint')}</p>
      <div className="pt-button-stack">
        <Button
          type="primary"
          size="large"
          block
          icon={<CheckOutlined />}
          className="pt-confirm-button"
          loading={confirm.isPending}
          onClick={() => {
            modal.confirm({
              title: t('confirm.dialogTitle'),
              content: t('confirm.dialogText'),
              okText: t('confirm.yes'),
              cancelText: t('common.cancel'),
              centered: true,
              okButtonProps: { 'data-testid': 'confirm-ok' },
              onOk: () => confirm.mutateAsync().catch(() => undefined),
            });
          }}
          data-testid="confirm-resolved"
        >
          {t('confirm.yes')}
        </Button>
        <Button size="large" block onClick={() => setReopenOpen(true)} data-testid="not-resolved">
          {t('confirm.no')}
        </Button>
      </div>
      <Modal
        open={reopenOpen}
        title={t('confirm.reopenTitle')}
        okText={t('confirm.reopenOk')}
        cancelText={t('common.cancel')}
        onOk={() => reopen.mutate()}
        confirmLoading={reopen.isPending}
        onCancel={() => setReopenOpen(false)}
        centered
        destroyOnHidden
      >
        <p className="pt-muted">{t('confirm.reopenHint')}</p>
        <Input.TextArea
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          autoSize={{ minRows: 3, maxRows: 6 }}
          maxLength={500}
          placeholder={t('confirm.reopenPlaceholder')}
          data-testid="reopen-reason"
        />
      </Modal>
    </section>
  );
}

/** 询问进度: tells the staff the customer is waiting for news; the status standard (e.g. 询问后 1 分钟内告知进度) starts. */
function AskProgress({ ticket }: { ticket: PortalTicketDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const ask = useMutation({
    mutationFn: () => portalApi.askProgress(ticket.id),
    onSuccess: async () => {
      void message.success(t('detail.askProgress.sent'));
      await queryClient.invalidateQueries({ queryKey: ticketKey(ticket.id) });
    },
    onError: (err) => void message.error(portalErrorMessage(err, t)),
  });
  return (
    <div className="pt-ask-progress">
      <Button icon={<QuestionCircleOutlined />} loading={ask.isPending} onClick={() => ask.mutate()} data-testid="ask-progress">
        {t('detail.askProgress.button')}
      </Button>
      <span className="pt-muted">{t('detail.askProgress.hint')}</span>
    </div>
  );
}

function Timeline({ ticket }: { ticket: PortalTicketDetail }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const entries = buildTimeline(ticket).reverse();
  if (entries.length === 0) return null;
  return (
    <section className="pt-card" aria-labelledby="timeline-title">
      <h2 id="timeline-title" className="pt-h2">
        {t('detail.timeline')}
      </h2>
      <ol className="pt-timeline" data-testid="timeline">
        {entries.map((e, i) => (
          <li key={e.id} className={`pt-tl pt-tl--${e.tone}${i === 0 ? ' is-latest' : ''}`}>
            <span className="pt-tl-dot" aria-hidden />
            <div className="pt-tl-text">{t(e.key, Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, t(v)])))}</div>
            <div className="pt-tl-meta">
              {fmt(e.at)}
              {e.by === 'staff' && e.staffName ? ` · ${t('detail.staffNamed', { name: e.staffName })}` : ''}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

export default function RequestPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const fmt = useFormatDate();
  const { id = '' } = useParams();
  const query = useQuery({
    queryKey: ticketKey(id),
    queryFn: () => portalApi.ticket(id),
    enabled: Boolean(id),
    refetchInterval: (q) => (q.state.data?.status === 'closed' ? false : 30_000),
  });

  const refreshButton = (
    <Button
      type="text"
      icon={<ReloadOutlined spin={query.isRefetching} />}
      onClick={() =>
        void query.refetch().then((r) => {
          if (r.isError) void message.error(portalErrorMessage(r.error, t));
        })
      }
      aria-label={t('common.refresh')}
      data-testid="refresh"
    />
  );

  if (query.isPending) {
    return (
      <div className="pt-detail">
        <PageTitle title={t('detail.title')} />
        <div className="pt-card">
          <Skeleton active paragraph={{ rows: 6 }} />
        </div>
      </div>
    );
  }
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <div className="pt-detail">
        <PageTitle title={t('detail.title')} />
        <Result
          status={notFound ? '404' : 'warning'}
          title={notFound ? t('detail.notFound') : portalErrorMessage(query.error, t)}
          extra={
            notFound ? (
              <Link to="/">
                <Button type="primary" size="large">
                  {t('nav.home')}
                </Button>
              </Link>
            ) : (
              <Button type="primary" size="large" onClick={() => void query.refetch()}>
                {t('common.retry')}
              </Button>
            )
          }
        />
      </div>
    );
  }

  const ticket = query.data;
  const ownAttachments = ticket.attachments.filter((a) => !a.replyId);
  const closed = ticket.status === 'closed';
  return (
    <div className="pt-detail" data-testid="request-detail" data-status={ticket.status}>
      <PageTitle title={t('detail.title')} extra={refreshButton} />

      <section className="pt-card pt-detail-head">
        <div className="pt-ticket-top">
          <TypeLabel type={ticket.type} />
          <span className="pt-number" data-testid="detail-number">
            {ticket.number}
          </span>
          <StatusChip status={ticket.status} />
        </div>
        <h2 className="pt-detail-subject">{ticket.subject}</h2>
        <Stepper status={ticket.status} />
        {closed ? (
          <p className="pt-status-sentence pt-status-sentence--closed" data-testid="closed-note">
            {ticket.customerConfirmedAt ? t('detail.closedConfirmed', { time: fmt(ticket.customerConfirmedAt) }) : t('detail.closedNote')}{' '}
            <Link to={`/new?type=${ticket.type === 'repair' || ticket.type === 'complaint' || ticket.type === 'suggestion' ? ticket.type : 'inquiry'}`}>
              {t('detail.newRequest')}
            </Link>
          </p>
        ) : (
          <p className={`pt-status-sentence pt-status-sentence--${ticket.status}`} data-testid="status-sentence">
            {ticket.ownerName && (ticket.status === 'assigned' || ticket.status === 'in_progress')
              ? t('detail.sentence.withOwner', { name: ticket.ownerName })
              : t(STATUS_SENTENCE[ticket.status])}
          </p>
        )}
        {!closed && ticket.status !== 'resolved' ? <AskProgress ticket={ticket} /> : null}
      </section>

      {/* The server says whether a visit can be booked; after a completed visit the picker shows that visit and its 回执. */}
      {ticket.type === 'repair' || ticket.type === 'after_sales' ? <SlotPicker ticketId={ticket.id} /> : null}
      {ticket.type === 'repair' || ticket.type === 'after_sales' ? <VisitReports ticketId={ticket.id} /> : null}
      <SolutionConfirm ticket={ticket} />
      <CompensationOffers ticket={ticket} />
      {ticket.status === 'resolved' ? <ConfirmBox ticket={ticket} /> : null}
      {ticket.status === 'resolved' || closed ? <RatingCard ticketId={ticket.id} /> : null}

      <section className="pt-card" aria-labelledby="desc-title">
        <h2 id="desc-title" className="pt-h2">
          {t('detail.yourRequest')}
        </h2>
        <dl className="pt-facts">
          <dt>{t('detail.submittedAt')}</dt>
          <dd>{fmt(ticket.createdAt)}</dd>
          {ticket.site ? (
            <>
              <dt>{t('detail.site')}</dt>
              <dd>{ticket.site}</dd>
            </>
          ) : null}
        </dl>
        {ticket.description ? <p className="pt-description">{ticket.description}</p> : null}
        <AttachmentGrid items={ownAttachments} />
      </section>

      <section className="pt-card" aria-labelledby="conv-title">
        <h2 id="conv-title" className="pt-h2">
          {t('detail.conversation')}
        </h2>
        {ticket.replies.length === 0 ? (
          <p className="pt-muted" data-testid="no-replies">
            {t('detail.noReplies')}
          </p>
        ) : (
          <div className="pt-conversation" data-testid="conversation">
            {ticket.replies.map((r) => (
              <Message key={r.id} reply={r} />
            ))}
          </div>
        )}
      </section>

      {!closed && ticket.allowed.reply ? <ReplyBox ticket={ticket} /> : null}

      <Timeline ticket={ticket} />
    </div>
  );
}
