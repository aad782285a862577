import { Button, Flex, Progress, Tag, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../auth/me';
import { pct, type Counts, type InstanceState, type Standard, type StandardDefinition } from './api';

/** Rate against target: a bar with the target marked, green when it meets the target, red when below. */
export function RateBar({ rate, target, width = 160 }: { rate: number | null; target: number; width?: number }) {
  const { t } = useTranslation();
  if (rate === null) {
    return (
      <Tooltip title={t('std.def.noneFinished')}>
        <Typography.Text type="secondary">—</Typography.Text>
      </Tooltip>
    );
  }
  const ok = rate >= target;
  return (
    <Flex align="center" gap={8} data-testid="rate-bar">
      <div style={{ position: 'relative', width }}>
        <Progress percent={Math.round(rate * 1000) / 10} showInfo={false} size="small" strokeColor={ok ? '#389e0d' : '#cf1322'} style={{ margin: 0 }} />
        <Tooltip title={t('std.targetIs', { target: pct(target) })}>
          <span
            aria-hidden
            style={{ position: 'absolute', left: `${Math.min(100, target * 100)}%`, top: 1, width: 2, height: 14, background: '#1f2a3d', borderRadius: 1 }}
          />
        </Tooltip>
      </div>
      <Typography.Text strong type={ok ? 'success' : 'danger'} style={{ minWidth: 48 }} data-testid="rate-value">
        {pct(rate)}
      </Typography.Text>
    </Flex>
  );
}

/** The met / breached / running numbers, each a button that opens the clocks behind it. */
export function CountButtons({ c, onDrill, size = 'small' }: { c: Counts; onDrill?: (state: InstanceState) => void; size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  const item = (state: InstanceState, n: number, colour: string) => (
    <Tooltip title={t('std.drillHelp')} key={state}>
      <Button
        size={size}
        type="text"
        disabled={!onDrill || n === 0}
        onClick={() => onDrill?.(state)}
        style={{ paddingInline: 4 }}
        data-testid={`drill-${state}`}
      >
        <span style={{ color: n ? colour : undefined }}>
          {t(`std.count.${state}`)} {n}
        </span>
      </Button>
    </Tooltip>
  );
  return (
    <Flex gap={2} wrap>
      {item('met', c.met, '#389e0d')}
      {item('breached', c.breached, '#cf1322')}
      {item('running', c.running, '#1d5fb4')}
    </Flex>
  );
}

/** "rate = met / (met + breached)" next to a number, so trainees know what it is. */
export function RateDefinition({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return compact ? (
    <Tooltip title={t('std.def.rateLong')}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('std.def.rate')} <QuestionCircleOutlined />
      </Typography.Text>
    </Tooltip>
  ) : (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="rate-definition">
      {t('std.def.rate')} · {t('std.def.rateLong')}
    </Typography.Text>
  );
}

/** "15秒" / "当日办结" / "—" */
export function useLimitText() {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (d: Pick<StandardDefinition, 'timed' | 'deadline' | 'limitSeconds'> & Partial<Pick<StandardDefinition, 'measure' | 'count' | 'timeOfDay'>>) => {
    if (d.measure === 'count' && d.count) return t('engine.limit.count', { limit: d.count.limit, source: t(`engine.count.sources.${d.count.source}`) });
    if (d.timed && d.deadline === 'time_of_day' && d.timeOfDay) return timeOfDayText(t, d.timeOfDay);
    return !d.timed ? '—' : d.deadline === 'end_of_business_day' ? t('std.deadline.end_of_business_day') : d.limitSeconds ? fmt.duration(d.limitSeconds) : '—';
  };
}

/** "次 1 个工作日 10:30 前", "当日营业结束前（16:00 后受理顺延）". */
export function timeOfDayText(t: TFunction, d: { at: string; businessDaysAfter: number; cutoff: string | null }): string {
  const at = d.at === 'end_of_day' ? t('engine.limit.endOfDay') : t('engine.limit.at', { at: d.at });
  const day = d.businessDaysAfter === 0 ? t('engine.limit.sameDay') : t('engine.limit.nthDay', { n: d.businessDaysAfter });
  return `${day}${at}${d.cutoff ? t('engine.limit.cutoff', { cutoff: d.cutoff }) : ''}`;
}

export function KindTag({ s }: { s: Pick<Standard, 'kind' | 'measure'> }) {
  const { t } = useTranslation();
  return (
    <Flex gap={4} wrap>
      <Tag color={s.kind === 'hard' ? 'blue' : 'purple'} style={{ marginInlineEnd: 0 }}>
        {t(`std.kind.${s.kind}`)}
      </Tag>
      <Tag style={{ marginInlineEnd: 0 }}>{t(`std.measure.${s.measure}`)}</Tag>
    </Flex>
  );
}

export function eventsText(t: TFunction, v: string | string[] | null, label: (t: TFunction, v: string) => string): string {
  if (!v) return '—';
  return (Array.isArray(v) ? v : [v]).map((e) => label(t, e)).join(' / ');
}
