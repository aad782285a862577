import { useEffect, useState, type ReactNode } from 'react';
import { Flex, Tag, Tooltip, Typography } from 'antd';
import { ClockCircleOutlined, CheckCircleOutlined, PauseCircleOutlined, WarningFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TicketStandard } from '../../api/types';
import { channelLabel, priorityLabel, standardStateLabel, ticketStatusLabel, ticketTypeLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { countedText } from './counted';

export const STATUS_COLOURS: Record<string, string> = {
  new: 'magenta',
  assigned: 'cyan',
  in_progress: 'blue',
  pending_customer: 'gold',
  pending_internal: 'purple',
  resolved: 'green',
  closed: 'default',
};

export const PRIORITY_COLOURS: Record<string, string> = {
  urgent: 'red',
  high: 'volcano',
  normal: 'blue',
  low: 'default',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOURS[status] ?? 'default'} style={{ marginInlineEnd: 0 }} data-status={status}>
      {ticketStatusLabel(t, status)}
    </Tag>
  );
}

export function PriorityTag({ priority }: { priority: string }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={PRIORITY_COLOURS[priority] ?? 'default'}
      style={{ marginInlineEnd: 0, fontWeight: priority === 'urgent' ? 600 : undefined }}
      data-priority={priority}
    >
      {priority === 'urgent' ? <WarningFilled style={{ marginInlineEnd: 4 }} /> : null}
      {priorityLabel(t, priority)}
    </Tag>
  );
}

export function TypeText({ type }: { type: string }) {
  const { t } = useTranslation();
  return <span>{ticketTypeLabel(t, type)}</span>;
}

export function ChannelText({ channel }: { channel: string }) {
  const { t } = useTranslation();
  return <span>{channelLabel(t, channel)}</span>;
}

/** GD20261123-0042 in a monospace face that reads well aloud on the phone. */
export function TicketNumber({ number, copyable = false, strong = false }: { number: string; copyable?: boolean; strong?: boolean }) {
  return (
    <Typography.Text className="chidu-ticket-no" copyable={copyable ? { text: number } : false} strong={strong}>
      {number}
    </Typography.Text>
  );
}

/** Relative time on top, exact time (user's zone, Chinese format) below. */
export function TimeCell({ iso }: { iso: string | null | undefined }) {
  const fmt = useFormat();
  useNow(60_000);
  if (!iso) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex vertical gap={0} style={{ lineHeight: 1.35 }}>
      <span>{fmt.relative(iso)}</span>
      <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
        {fmt.minuteTime(iso)}
      </Typography.Text>
    </Flex>
  );
}

/** Re-render every `ms` (countdowns, relative times). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export type ClockTone = 'ok' | 'warning' | 'breached' | 'paused' | 'done' | 'cancelled';

export interface ClockView {
  tone: ClockTone;
  /** seconds left (negative: overdue); null when not running */
  remaining: number | null;
}

/**
 * How a standard's clock looks now. Amber under 20 % of its window left, red when breached or past due.
 * The window starts at `startedAt` when the engine reports it, else at `fallbackStart` (the ticket's creation).
 */
export function clockView(s: TicketStandard, now: number, fallbackStart?: string): ClockView {
  if (s.state === 'met') return { tone: 'done', remaining: null };
  if (s.state === 'cancelled') return { tone: 'cancelled', remaining: null };
  if (s.state === 'breached') {
    const due = s.dueAt ? Date.parse(s.dueAt) : NaN;
    return { tone: 'breached', remaining: Number.isFinite(due) ? Math.round((due - now) / 1000) : null };
  }
  const paused = s.state === 'paused' || s.paused === true;
  let remaining: number | null = null;
  if (paused && typeof s.remainingSeconds === 'number') remaining = s.remainingSeconds;
  else if (s.dueAt) remaining = Math.round((Date.parse(s.dueAt) - now) / 1000);
  else if (typeof s.remainingSeconds === 'number') remaining = s.remainingSeconds;
  if (paused) return { tone: 'paused', remaining };
  if (remaining === null) return { tone: 'ok', remaining };
  if (remaining <= 0) return { tone: 'breached', remaining };
  const start = s.startedAt ?? fallbackStart;
  const window =
    typeof s.limitSeconds === 'number' && s.limitSeconds > 0 ? s.limitSeconds : start && s.dueAt ? (Date.parse(s.dueAt) - Date.parse(start)) / 1000 : null;
  if (window && window > 0 && remaining < window * 0.2) return { tone: 'warning', remaining };
  return { tone: 'ok', remaining };
}

const TONE_COLOURS: Record<ClockTone, string> = {
  ok: 'blue',
  warning: 'orange',
  breached: 'red',
  paused: 'default',
  done: 'green',
  cancelled: 'default',
};

/** The running (or paused) standard that is due first. */
export function nearestStandard(standards: TicketStandard[] | undefined): TicketStandard | undefined {
  if (!standards?.length) return undefined;
  const live = standards.filter((s) => s.state === 'running' || s.state === 'paused' || s.state === 'breached');
  const running = live.filter((s) => s.state !== 'breached');
  const pool = running.length ? running : live;
  return [...pool].sort((a, b) => (a.dueAt ? Date.parse(a.dueAt) : Infinity) - (b.dueAt ? Date.parse(b.dueAt) : Infinity))[0];
}

/** A countdown chip: "首次响应 · 剩 12分30秒" (amber < 20 %, red when breached). */
export function StandardChip({ standard, ticketCreatedAt, compact = false }: { standard: TicketStandard; ticketCreatedAt?: string; compact?: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow(1000);
  const view = clockView(standard, now, ticketCreatedAt);
  const name = standard.name || standard.code;
  const counted = countedText(t, { observed: standard.observed, limit: standard.countLimit, source: standard.countSource });
  let text: ReactNode;
  let icon: ReactNode = <ClockCircleOutlined />;
  if (view.tone === 'done') {
    text = t('standards.met');
    icon = <CheckCircleOutlined />;
  } else if (view.tone === 'cancelled') {
    text = standardStateLabel(t, 'cancelled');
  } else if (view.tone === 'paused') {
    text = view.remaining !== null ? t('standards.pausedLeft', { time: fmt.duration(view.remaining) }) : standardStateLabel(t, 'paused');
    icon = <PauseCircleOutlined />;
  } else if (standard.state === 'breached' && counted) {
    text = counted;
    icon = <WarningFilled />;
  } else if (view.remaining !== null && view.remaining <= 0) {
    text = t('standards.overdue', { time: fmt.duration(-view.remaining) });
    icon = <WarningFilled />;
  } else if (view.tone === 'breached') {
    text = standardStateLabel(t, 'breached');
    icon = <WarningFilled />;
  } else if (view.remaining !== null) {
    text = t('standards.left', { time: fmt.duration(view.remaining) });
  } else {
    text = standardStateLabel(t, String(standard.state));
  }
  const tip = [
    `${name} · ${standardStateLabel(t, String(standard.state))}`,
    counted && standard.state === 'met'
      ? countedText(t, { observed: standard.observed, limit: standard.countLimit, source: standard.countSource }, 'within')
      : null,
    standard.dueAt ? t('standards.dueAt', { time: fmt.dateTime(standard.dueAt) }) : null,
    standard.metAt ? t('standards.metAt', { time: fmt.dateTime(standard.metAt) }) : null,
    standard.breachedAt ? t('standards.breachedAt', { time: fmt.dateTime(standard.breachedAt) }) : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{tip}</span>}>
      <Tag
        color={TONE_COLOURS[view.tone]}
        icon={icon}
        style={{ marginInlineEnd: 0, fontVariantNumeric: 'tabular-nums' }}
        data-testid="standard-chip"
        data-tone={view.tone}
      >
        {compact ? text : `${name} · `}
        {compact ? null : text}
      </Tag>
    </Tooltip>
  );
}
