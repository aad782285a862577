import { useEffect, useState } from 'react';
import { Tag, Tooltip } from 'antd';
import { ClockCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../auth/me';
import type { Clock } from './api';

/** Re-render every second (countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function fmtLeft(ms: number, days: (n: number) => string = (n) => `${n}d`): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return d > 0 ? `${days(d)} ${pad(h)}:${pad(m)}:${pad(sec)}` : h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

/** A tag that wraps its text instead of overflowing a narrow card. */
const wrapTag = { whiteSpace: 'normal' as const, maxWidth: '100%', height: 'auto', marginInlineEnd: 0, wordBreak: 'break-word' as const };

/** A clock's countdown: remaining time (orange under 25 %), or overdue in red; met / cancelled as a tag. `wrap`: the tag wraps inside a narrow card. */
export function Countdown({ clock, now, wrap = false }: { clock: Clock; now: number; wrap?: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (clock.state === 'met')
    return (
      <Tag color="green" style={wrap ? wrapTag : undefined}>
        {clock.name} · {t('loops.clock.met')}
      </Tag>
    );
  if (clock.state === 'cancelled')
    return (
      <Tag style={wrap ? wrapTag : undefined}>
        {clock.name} · {t('loops.clock.cancelled')}
      </Tag>
    );
  if (clock.state === 'paused' || !clock.dueAt)
    return (
      <Tag color="default" style={wrap ? wrapTag : undefined}>
        {clock.name} · {t('loops.clock.paused')}
      </Tag>
    );
  const dl = (n: number) => t('loops.clock.days', { n });
  const left = Date.parse(clock.dueAt) - now;
  const total = Date.parse(clock.dueAt) - Date.parse(clock.startedAt);
  const over = left < 0 || clock.state === 'breached';
  const color = over ? 'red' : left < total * 0.25 ? 'orange' : 'blue';
  return (
    <Tooltip title={t('loops.clock.due', { at: fmt.dateTime(clock.dueAt) })}>
      <Tag
        color={color}
        icon={over ? <WarningOutlined /> : <ClockCircleOutlined />}
        data-testid="countdown"
        data-code={clock.code}
        style={{ fontVariantNumeric: 'tabular-nums', ...(wrap ? wrapTag : {}) }}
      >
        {clock.name} · {over ? t('loops.clock.overdue', { t: fmtLeft(left, dl) }) : t('loops.clock.left', { t: fmtLeft(left, dl) })}
      </Tag>
    </Tooltip>
  );
}

export const boardStyle = {
  display: 'grid',
  gap: 12,
  gridAutoFlow: 'column' as const,
  gridAutoColumns: 'minmax(260px, 1fr)',
  overflowX: 'auto' as const,
  paddingBottom: 8,
};
export const columnStyle = { background: '#f5f7fa', borderRadius: 10, padding: 10, minHeight: 240 };
