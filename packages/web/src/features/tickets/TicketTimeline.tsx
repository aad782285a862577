import type { MouseEvent, ReactNode } from 'react';
import { Flex, Tag, Timeline, Typography } from 'antd';
import {
  AlertOutlined,
  CheckCircleOutlined,
  ClockCircleOutlined,
  CommentOutlined,
  DollarOutlined,
  EditOutlined,
  FieldTimeOutlined,
  LinkOutlined,
  PlusCircleOutlined,
  RiseOutlined,
  SwapOutlined,
  UserSwitchOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { TimelineEvent } from '../../api/types';
import { countedText } from './counted';
import {
  channelLabel,
  compensationKindLabel,
  eventKindLabel,
  linkKindLabel,
  priorityLabel,
  roleLabel,
  ticketStatusLabel,
  ticketTypeLabel,
} from '../auth/labels';
import { useFormat } from '../auth/me';

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function colourOf(kind: string): string {
  if (kind === 'standard.breached' || kind === 'ticket.escalated' || kind.endsWith('_rejected') || kind === 'ticket.handover_declined') return 'red';
  if (kind === 'standard.warning' || kind.endsWith('_requested')) return 'orange';
  if (kind === 'ticket.resolved' || kind === 'ticket.closed' || kind.endsWith('_confirmed') || kind.endsWith('_granted') || kind.endsWith('_approved'))
    return 'green';
  if (kind === 'ticket.internal_note') return 'gold';
  return 'blue';
}

function iconOf(kind: string): ReactNode {
  if (kind === 'ticket.created') return <PlusCircleOutlined />;
  if (kind === 'ticket.assigned' || kind === 'ticket.taken' || kind.startsWith('ticket.handover')) return <UserSwitchOutlined />;
  if (kind.includes('reply') || kind === 'ticket.internal_note') return <CommentOutlined />;
  if (kind === 'ticket.status_changed' || kind === 'ticket.team_transferred') return <SwapOutlined />;
  if (kind === 'ticket.resolved' || kind === 'ticket.closed' || kind === 'ticket.customer_confirmed') return <CheckCircleOutlined />;
  if (kind.startsWith('ticket.compensation')) return <DollarOutlined />;
  if (kind === 'ticket.linked' || kind === 'ticket.merged') return <LinkOutlined />;
  if (kind === 'standard.warning') return <FieldTimeOutlined />;
  if (kind === 'standard.breached') return <WarningOutlined />;
  if (kind === 'ticket.escalated') return <RiseOutlined />;
  if (kind === 'ticket.priority_changed') return <AlertOutlined />;
  if (kind === 'ticket.updated') return <EditOutlined />;
  return <ClockCircleOutlined />;
}

interface Ctx {
  t: TFunction;
  money: (fen: number) => string;
  duration: (s: number) => string;
  dateTime: (iso: string) => string;
  staffName: (id: string | null) => string | null;
}

/** One line of detail per event kind (Chinese labels via i18n); the dispatch reason for assignments. */
function describe(e: TimelineEvent, c: Ctx): ReactNode {
  const d = e.data ?? {};
  const { t } = c;
  switch (e.kind) {
    case 'ticket.created':
      return [
        str(d.type) && ticketTypeLabel(t, str(d.type)!),
        str(d.channel) && channelLabel(t, str(d.channel)!),
        str(d.priority) && priorityLabel(t, str(d.priority)!),
      ]
        .filter(Boolean)
        .join(' · ');
    case 'ticket.assigned': {
      const owner = c.staffName(str(d.ownerId));
      return (
        <Flex vertical gap={2}>
          {owner ? (
            <span>{t('timeline.assignedTo', { name: owner })}</span>
          ) : str(d.ownerId) === null && 'ownerId' in d ? (
            <span>{t('timeline.unassigned')}</span>
          ) : null}
          {str(d.reason) ? (
            <span className="chidu-dispatch-reason" data-testid="dispatch-reason">
              {d.auto === true ? (
                <Tag color="geekblue" style={{ marginInlineEnd: 6 }}>
                  {t('timeline.auto')}
                </Tag>
              ) : null}
              {str(d.reason)}
            </span>
          ) : null}
        </Flex>
      );
    }
    case 'ticket.taken':
      return str(d.reason);
    case 'ticket.status_changed': {
      const from = str(d.from);
      const to = str(d.to);
      const base = from && to ? `${ticketStatusLabel(t, from)} → ${ticketStatusLabel(t, to)}` : to ? ticketStatusLabel(t, to) : null;
      const note = str(d.note);
      return note ? `${base ?? ''}（${note}）` : base;
    }
    case 'ticket.priority_changed':
      return str(d.from) && str(d.to) ? `${priorityLabel(t, str(d.from)!)} → ${priorityLabel(t, str(d.to)!)}` : null;
    case 'ticket.updated':
      return Array.isArray(d.fields)
        ? t('timeline.fields', { fields: (d.fields as string[]).map((f) => t(`timeline.field.${f}`, { defaultValue: f })).join('、') })
        : null;
    case 'ticket.resolved':
      return str(d.resolution);
    case 'ticket.reopened':
      return str(d.reason);
    case 'ticket.checklist_recorded':
      return str(d.step) ? `${t(`checklist.steps.${str(d.step)}`)} · ${d.inTime === false ? t('checklist.late') : t('checklist.inTime')}` : null;
    case 'ticket.closed':
      return d.customerConfirmed === true ? t('timeline.customerConfirmed') : null;
    case 'ticket.handover_requested':
      return withReason(c.staffName(str(d.toStaffId)) ? t('timeline.handoverTo', { name: c.staffName(str(d.toStaffId)) }) : null, d, t);
    case 'ticket.handover_confirmed':
      return withReason(c.staffName(str(d.fromStaffId)) ? t('timeline.handoverFrom', { name: c.staffName(str(d.fromStaffId)) }) : null, d, t);
    case 'ticket.owner_transferred':
    case 'ticket.team_transferred':
      return withReason(c.staffName(str(d.to)) ? t('timeline.assignedTo', { name: c.staffName(str(d.to)) }) : null, d, t);
    case 'ticket.solution_options_offered':
      return Array.isArray(d.options) ? (d.options as string[]).map((o, i) => `${i + 1}. ${o}`).join('；') : null;
    case 'ticket.solution_chosen':
      return num(d.chosen) !== null && str(d.option) ? t('process.solution.timelineChosen', { n: num(d.chosen)! + 1, option: str(d.option) }) : null;
    case 'ticket.handover_declined':
      return str(d.note);
    case 'ticket.compensation_granted':
    case 'ticket.compensation_requested':
    case 'ticket.compensation_rejected':
    case 'ticket.compensation_accepted':
    case 'ticket.compensation_refused': {
      const parts = [str(d.kind) && compensationKindLabel(t, str(d.kind)!), num(d.amountFen) !== null && c.money(num(d.amountFen)!), str(d.comment)];
      return parts.filter(Boolean).join(' · ');
    }
    case 'ticket.order_change_requested':
      return str(d.reason);
    case 'ticket.order_change_approved':
    case 'ticket.order_change_rejected':
      return str(d.comment);
    case 'ticket.order_confirmed':
      return Array.isArray(d.lines)
        ? (d.lines as { item: string; spec: string; quantity: number }[]).map((l) => `${l.item}${l.spec ? `（${l.spec}）` : ''} × ${l.quantity}`).join('；')
        : null;
    case 'ticket.linked': {
      const n = str(d.number);
      const other = str(d.otherId);
      return (
        <span>
          {str(d.kind) ? `${linkKindLabel(t, str(d.kind)!)} ` : null}
          {n && other ? (
            <Link to={`/tickets/${other}`} className="chidu-ticket-no">
              {n}
            </Link>
          ) : (
            n
          )}
        </span>
      );
    }
    case 'ticket.merged': {
      const n = str(d.intoNumber);
      const into = str(d.intoId);
      return n && into ? (
        <span>
          {t('timeline.mergedInto')}{' '}
          <Link to={`/tickets/${into}`} className="chidu-ticket-no">
            {n}
          </Link>
        </span>
      ) : null;
    }
    case 'standard.warning': {
      const parts = [str(d.name) ?? str(d.code)];
      if (num(d.percent) !== null) parts.push(t('timeline.usedPercent', { percent: Math.round(num(d.percent)!) }));
      if (num(d.remainingSeconds) !== null) parts.push(t('standards.left', { time: c.duration(num(d.remainingSeconds)!) }));
      return parts.filter(Boolean).join(' · ');
    }
    case 'ticket.status_requested':
    case 'ticket.solution_confirmed':
      return [str(d.channel) ? t(`stdEvents.channel.${str(d.channel)!}`) : null, str(d.note)].filter(Boolean).join(' · ') || null;
    case 'standard.breached': {
      const counted = countedText(t, { observed: d.observed, limit: d.limit, source: d.source });
      return [str(d.name) ?? str(d.code), counted ?? (str(d.dueAt) && t('standards.dueAt', { time: c.dateTime(str(d.dueAt)!) }))].filter(Boolean).join(' · ');
    }
    case 'ticket.escalated':
      return [
        str(d.name) ?? str(d.code),
        num(d.step) !== null ? t('timeline.escalationStep', { step: num(d.step) }) : null,
        str(d.notifyRole) ? t('timeline.notified', { role: roleLabel(t, str(d.notifyRole)!) }) : null,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'care.contacted': // an automatic care contact (loops/touches.ts): 自动发送 · 短信
      return d.auto === true ? [t('loops.auto.sent'), str(d.channel) ? t(`loops.auto.channel.${str(d.channel)}`) : null].filter(Boolean).join(' · ') : null;
    case 'survey.sent': // 发送满意度调查 → the survey panel on this page (SurveyPanel.tsx)
      return <SurveyPanelLink resend={d.resend === true} t={t} />;
    default:
      return null;
  }
}

/** A line with the transfer or handover reason (process requirements: seed 000) under it. */
function withReason(line: string | null, d: Record<string, unknown>, t: TFunction): ReactNode {
  const reason = str(d.reason);
  if (!reason) return line;
  return (
    <Flex vertical gap={2}>
      {line ? <span>{line}</span> : null}
      <span data-testid="transfer-reason">{t('process.transfer.reasonLine', { reason })}</span>
    </Flex>
  );
}

function SurveyPanelLink({ resend, t }: { resend: boolean; t: TFunction }) {
  const go = (e: MouseEvent) => {
    e.preventDefault();
    document.getElementById('survey-panel')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  return (
    <a href="#survey-panel" onClick={go} data-testid="timeline-survey-link">
      {resend ? t('surveyReach.timelineResent') : t('surveyReach.timelineLink')}
    </a>
  );
}

/** 处理时间线: every event with who and when. */
export function TicketTimeline({ events, staffName }: { events: TimelineEvent[]; staffName: (id: string | null) => string | null }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const ctx: Ctx = { t, money: fmt.money, duration: fmt.duration, dateTime: fmt.dateTime, staffName };
  if (events.length === 0) return <Typography.Text type="secondary">{t('timeline.empty')}</Typography.Text>;
  const sorted = [...events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || Number(b.id) - Number(a.id));
  return (
    <Timeline
      className="chidu-timeline"
      data-testid="ticket-timeline"
      items={sorted.map((e) => {
        const detail = describe(e, ctx);
        const who =
          e.actorName ?? (e.actorKind === 'system' ? t('timeline.system') : e.actorKind === 'customer' ? t('timeline.customer') : t('timeline.system'));
        return {
          key: e.id,
          color: colourOf(e.kind),
          icon: iconOf(e.kind),
          content: (
            <div data-kind={e.kind} data-testid="timeline-item">
              <Flex justify="space-between" gap={8} wrap>
                <Typography.Text strong>{eventKindLabel(t, e.kind)}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }} title={fmt.dateTime(e.at)}>
                  {who} · {fmt.shortTime(e.at)}
                </Typography.Text>
              </Flex>
              {detail ? <div className="chidu-timeline-detail">{detail}</div> : null}
            </div>
          ),
        };
      })}
    />
  );
}
