/**
 * Process rules on the portal request page (issue #13 item 7): the compensations offered to the customer, to accept
 * or refuse (only an accepted one counts as granted, seed 001), and 确认方案 — accepting the proposed solution while
 * the request is being worked on (POST /portal/tickets/{id}/solution-confirmations).
 */
import { App, Button } from 'antd';
import { CheckCircleOutlined, GiftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { PortalTicketDetail } from '../api';
import { portalErrorMessage } from '../errors';
import { ticketKey } from '../keys';

interface Offered {
  id: string;
  kind: string;
  amountFen: number;
  acceptance: 'offered' | 'accepted' | 'refused';
  answeredAt: string | null;
  createdAt: string;
}

const enc = encodeURIComponent;
const rulesPortalApi = {
  compensations: (id: string) => api.get<{ items: Offered[] }>(`/portal/tickets/${enc(id)}/compensations`),
  answer: (id: string, compensationId: string, decision: 'accepted' | 'refused') =>
    api.post<unknown>(`/portal/tickets/${enc(id)}/compensation-acceptances`, { compensationId, decision }),
  confirmSolution: (id: string) => api.post<unknown>(`/portal/tickets/${enc(id)}/solution-confirmations`),
};

const money = (fen: number, locale: string) =>
  new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', { style: 'currency', currency: 'CNY' }).format(fen / 100);

/** The compensations offered on the request; each offered one with 接受 / 不接受. */
export function CompensationOffers({ ticket }: { ticket: PortalTicketDetail }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const key = [...ticketKey(ticket.id), 'compensations'];
  const query = useQuery({ queryKey: key, queryFn: () => rulesPortalApi.compensations(ticket.id) });
  const answer = useMutation({
    mutationFn: (v: { id: string; decision: 'accepted' | 'refused' }) => rulesPortalApi.answer(ticket.id, v.id, v.decision),
    onSuccess: async (_r, v) => {
      void message.success(t(v.decision === 'accepted' ? 'rules.comp.acceptedThanks' : 'rules.comp.refusedNote'));
      await queryClient.invalidateQueries({ queryKey: ticketKey(ticket.id) });
    },
    onError: (err) => void message.error(portalErrorMessage(err, t)),
  });
  const items = query.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="pt-card" aria-labelledby="comp-title" data-testid="portal-compensations">
      <h2 id="comp-title" className="pt-h2">
        <GiftOutlined /> {t('rules.comp.title')}
      </h2>
      <p className="pt-muted">{t('rules.comp.hint')}</p>
      {items.map((c) => (
        <div key={c.id} className="pt-facts" data-testid="portal-compensation" data-state={c.acceptance} style={{ display: 'block', marginTop: 12 }}>
          <div>
            <strong>{t(`rules.comp.kinds.${c.kind}`, { defaultValue: c.kind })}</strong> {money(c.amountFen, i18n.language)}
            <span className="pt-muted"> · {t(`rules.comp.states.${c.acceptance}`)}</span>
          </div>
          {c.acceptance === 'offered' ? (
            <div style={{ display: 'flex', gap: 8, marginTop: 8 }}>
              <Button
                type="primary"
                size="large"
                style={{ flex: 1 }}
                loading={answer.isPending && answer.variables?.id === c.id && answer.variables.decision === 'accepted'}
                onClick={() => answer.mutate({ id: c.id, decision: 'accepted' })}
                data-testid="portal-compensation-accept"
              >
                {t('rules.comp.accept')}
              </Button>
              <Button
                size="large"
                style={{ flex: 1 }}
                loading={answer.isPending && answer.variables?.id === c.id && answer.variables.decision === 'refused'}
                onClick={() => answer.mutate({ id: c.id, decision: 'refused' })}
                data-testid="portal-compensation-refuse"
              >
                {t('rules.comp.refuse')}
              </Button>
            </div>
          ) : null}
        </div>
      ))}
    </section>
  );
}

/** A solution was proposed (options offered, or a staff answer) and not confirmed since the last reopen. */
export function solutionAwaitingConfirmation(ticket: PortalTicketDetail): boolean {
  if (ticket.status === 'resolved' || ticket.status === 'closed' || ticket.status === 'new') return false;
  let proposed = ticket.replies.some((r) => r.authorKind === 'staff' && r.visibility === 'public');
  let confirmed = false;
  for (const e of ticket.timeline) {
    if (e.kind === 'ticket.solution_options_offered') proposed = true;
    if (e.kind === 'ticket.solution_confirmed') confirmed = true;
    if (e.kind === 'ticket.reopened') confirmed = false;
  }
  return proposed && !confirmed;
}

/** 确认方案: the customer accepts the solution proposed (the checkpoint 方案确认). */
export function SolutionConfirm({ ticket }: { ticket: PortalTicketDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => rulesPortalApi.confirmSolution(ticket.id),
    onSuccess: async () => {
      void message.success(t('rules.solution.thanks'));
      await queryClient.invalidateQueries({ queryKey: ticketKey(ticket.id) });
    },
    onError: (err) => void message.error(portalErrorMessage(err, t)),
  });
  if (!solutionAwaitingConfirmation(ticket)) return null;
  return (
    <section className="pt-card" aria-labelledby="solution-title" data-testid="solution-confirm-box">
      <h2 id="solution-title" className="pt-h2">
        {t('rules.solution.title')}
      </h2>
      <p className="pt-muted">{t('rules.solution.hint')}</p>
      <Button
        type="primary"
        size="large"
        block
        icon={<CheckCircleOutlined />}
        loading={confirm.isPending}
        onClick={() => confirm.mutate()}
        data-testid="solution-confirm"
      >
        {t('rules.solution.button')}
      </Button>
    </section>
  );
}
