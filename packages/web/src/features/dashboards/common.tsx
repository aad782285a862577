import { useMemo, useState, type ReactNode } from 'react';
import { Button, Card, DatePicker, Drawer, Dropdown, Flex, Segmented, Table, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined, InfoCircleOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../auth/me';
import { exportUrl, useDrill, type MeasuresQuery, type Presented, type Target } from './api';

// ───────────── formatting ─────────────

export type MeasureKey =
  | 'csat'
  | 'nps'
  | 'ces'
  | 'fcr'
  | 'standardExecutionRate'
  | 'complaintRate'
  | 'complaintResolutionRate'
  | 'recoveryRate'
  | 'knowledgeApplicationRate'
  | 'firstResponseSecondsP50'
  | 'resolutionSecondsP50';
export const RATE_KEYS: MeasureKey[] = [
  'csat',
  'fcr',
  'standardExecutionRate',
  'complaintRate',
  'complaintResolutionRate',
  'recoveryRate',
  'knowledgeApplicationRate',
];

export const pct = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);

export function useDuration() {
  const { t } = useTranslation();
  return (s: number | null | undefined) => {
    if (s === null || s === undefined) return '—';
    if (s < 60) return t('measures.unit.seconds', { n: s });
    if (s < 3600) return t('measures.unit.minutes', { n: Math.round(s / 60) });
    if (s < 86_400) return t('measures.unit.hours', { n: (s / 3600).toFixed(1) });
    return t('measures.unit.days', { n: (s / 86_400).toFixed(1) });
  };
}

/** Value, numerator/denominator and the drill target of one measure in a presented row. */
export function measureOf(p: Presented, key: MeasureKey): { value: number | null; num: number | null; den: number; drill: string; numPart: string } {
  switch (key) {
    case 'csat':
      return { value: p.csat.value, num: p.csat.numerator, den: p.csat.denominator, drill: 'csat', numPart: 'numerator' };
    case 'nps':
      return { value: p.nps.value, num: p.nps.promoters, den: p.nps.count, drill: 'nps', numPart: 'numerator' };
    case 'ces':
      return { value: p.ces.value, num: null, den: p.ces.count, drill: 'ces', numPart: 'denominator' };
    case 'fcr':
      return { value: p.fcr.value, num: p.fcr.numerator, den: p.fcr.denominator, drill: 'fcr', numPart: 'numerator' };
    case 'standardExecutionRate':
      return {
        value: p.standardExecutionRate.value,
        num: p.standardExecutionRate.numerator,
        den: p.standardExecutionRate.denominator,
        drill: 'standardExecutionRate',
        numPart: 'numerator',
      };
    case 'complaintRate':
      return { value: p.complaintRate.value, num: p.complaintRate.numerator, den: p.complaintRate.denominator, drill: 'complaintRate', numPart: 'numerator' };
    case 'complaintResolutionRate':
      return {
        value: p.complaintResolutionRate.value,
        num: p.complaintResolutionRate.numerator,
        den: p.complaintResolutionRate.denominator,
        drill: 'complaintResolutionRate',
        numPart: 'numerator',
      };
    case 'recoveryRate':
      return { value: p.recoveryRate.value, num: p.recoveryRate.numerator, den: p.recoveryRate.denominator, drill: 'recoveryRate', numPart: 'numerator' };
    case 'knowledgeApplicationRate':
      return {
        value: p.knowledgeApplicationRate.value,
        num: p.knowledgeApplicationRate.numerator,
        den: p.knowledgeApplicationRate.denominator,
        drill: 'knowledgeApplicationRate',
        numPart: 'numerator',
      };
    case 'firstResponseSecondsP50':
      return { value: p.firstResponseSeconds.p50, num: null, den: p.firstResponseSeconds.count, drill: 'firstResponse', numPart: 'denominator' };
    case 'resolutionSecondsP50':
      return { value: p.resolutionSeconds.p50, num: null, den: p.resolutionSeconds.count, drill: 'resolution', numPart: 'denominator' };
  }
}

export function useFormatMeasure() {
  const dur = useDuration();
  return (key: MeasureKey, v: number | null | undefined) => {
    if (v === null || v === undefined) return '—';
    if (key === 'nps') return v.toFixed(1);
    if (key === 'ces') return v.toFixed(2);
    if (key === 'firstResponseSecondsP50' || key === 'resolutionSecondsP50') return dur(v);
    return pct(v);
  };
}

export function missed(v: number | null, t: Target | undefined): boolean | null {
  if (v === null || !t || t.target === null) return null;
  return t.direction === 'min' ? v < t.target : v > t.target;
}

// ───────────── period ─────────────

export type PeriodPreset = 'today' | '7d' | '30d' | 'month' | '12m';
export function periodOf(preset: PeriodPreset, range?: [Dayjs, Dayjs] | null): { from: string; to: string } {
  const today = dayjs().tz('Asia/Shanghai');
  const f = (d: Dayjs) => d.format('YYYY-MM-DD');
  if (range) return { from: f(range[0]), to: f(range[1]) };
  switch (preset) {
    case 'today':
      return { from: f(today), to: f(today) };
    case '7d':
      return { from: f(today.subtract(6, 'day')), to: f(today) };
    case 'month':
      return { from: f(today.startOf('month')), to: f(today) };
    case '12m':
      return { from: f(today.subtract(11, 'month').startOf('month')), to: f(today) };
    default:
      return { from: f(today.subtract(29, 'day')), to: f(today) };
  }
}

export function PeriodBar({
  preset,
  onPreset,
  range,
  onRange,
}: {
  preset: PeriodPreset;
  onPreset: (p: PeriodPreset) => void;
  range: [Dayjs, Dayjs] | null;
  onRange: (r: [Dayjs, Dayjs] | null) => void;
}) {
  const { t } = useTranslation();
  return (
    <Flex gap={8} wrap align="center">
      <Segmented<PeriodPreset>
        value={range ? undefined : preset}
        onChange={(v) => {
          onRange(null);
          onPreset(v);
        }}
        options={(['today', '7d', '30d', 'month', '12m'] as const).map((p) => ({ value: p, label: t(`measures.period.${p}`) }))}
      />
      <DatePicker.RangePicker value={range} onChange={(v) => onRange(v && v[0] && v[1] ? [v[0], v[1]] : null)} allowClear />
    </Flex>
  );
}

// ───────────── metric card ─────────────

export function MetricCard({
  k,
  p,
  target,
  onDrill,
  testId,
  extra,
}: {
  k: MeasureKey;
  p: Presented | undefined;
  target?: Target;
  onDrill: (measure: string, part: string, title: string) => void;
  testId?: string;
  extra?: ReactNode;
}) {
  const { t } = useTranslation();
  const fmt = useFormatMeasure();
  const m = p ? measureOf(p, k) : null;
  const miss = m ? missed(m.value, target) : null;
  const title = t(`measures.name.${k}`);
  return (
    <Card size="small" className="measure-card" data-testid={testId ?? `card-${k}`} styles={{ body: { padding: 14 } }}>
      <Flex justify="space-between" align="flex-start" gap={6}>
        <Typography.Text strong style={{ fontSize: 13 }}>
          {title}
        </Typography.Text>
        {target && target.target !== null ? (
          <Tag color={miss === null ? 'default' : miss ? 'red' : 'green'} style={{ marginInlineEnd: 0 }}>
            {t('measures.target')} {target.direction === 'min' ? '≥' : '≤'} {fmt(k, target.target)}
          </Tag>
        ) : null}
      </Flex>
      <Button
        type="link"
        style={{ padding: 0, height: 'auto', fontSize: 26, fontWeight: 600, color: miss ? '#cf1322' : undefined }}
        data-testid={`value-${k}`}
        onClick={() => m && onDrill(m.drill, m.numPart, title)}
        aria-label={t('measures.drillHint')}
      >
        {m ? fmt(k, m.value) : '…'}
      </Button>
      <div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`counts-${k}`}>
          {m ? (
            m.num !== null ? (
              <>
                <a onClick={() => onDrill(m.drill, 'numerator', `${title} · ${t('measures.numerator')}`)}>{m.num}</a>
                {' / '}
                <a onClick={() => onDrill(m.drill, 'denominator', `${title} · ${t('measures.denominator')}`)}>{m.den}</a>
              </>
            ) : (
              <a onClick={() => onDrill(m.drill, 'denominator', title)}>{t('measures.count', { n: m.den })}</a>
            )
          ) : null}
        </Typography.Text>
      </div>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '6px 0 0', lineHeight: 1.45 }} data-testid={`def-${k}`}>
        {t(`measures.def.${k}`)}
      </Typography.Paragraph>
      {extra}
    </Card>
  );
}

// ───────────── drill-down ─────────────

export interface DrillState {
  measure: string;
  part: string;
  title: string;
  extra?: Partial<MeasuresQuery>;
}

export function DrillDrawer({ query, drill, onClose }: { query: MeasuresQuery; drill: DrillState | null; onClose: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = drill ? { ...query, ...drill.extra, groupBy: undefined, measure: drill.measure, part: drill.part } : null;
  const data = useDrill(q);
  return (
    <Drawer open={drill !== null} onClose={onClose} width={Math.min(880, window.innerWidth - 24)} title={drill?.title} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('measures.drillTotal', { n: data.data?.total ?? 0 })}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="id"
        loading={data.isLoading}
        dataSource={data.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        scroll={{ x: 760 }}
        columns={[
          {
            title: t('measures.col.number'),
            dataIndex: 'number',
            width: 170,
            render: (n: string, r) => (
              <Link to={`/tickets/${r.id}`} data-testid="drill-ticket" onClick={onClose}>
                {n}
              </Link>
            ),
          },
          { title: t('measures.col.subject'), dataIndex: 'subject', ellipsis: true },
          { title: t('measures.col.type'), dataIndex: 'type', width: 90, render: (v: string) => t(`measures.type.${v}`, { defaultValue: v }) },
          { title: t('measures.col.team'), dataIndex: 'teamName', width: 110, render: (v: string | null) => v ?? '—' },
          { title: t('measures.col.owner'), dataIndex: 'ownerName', width: 100, render: (v: string | null) => v ?? '—' },
          { title: t('measures.col.created'), dataIndex: 'createdAt', width: 150, render: (v: string) => fmt.minuteTime(v) },
          { title: t('measures.col.value'), dataIndex: 'value', width: 80, render: (v: number | null) => (v === null ? '' : v) },
        ]}
      />
    </Drawer>
  );
}

// ───────────── export ─────────────

export function ExportButton({
  query,
  view = 'measures',
}: {
  query: Record<string, string | undefined>;
  view?: 'measures' | 'complaints' | 'board' | 'field';
}) {
  const { t, i18n } = useTranslation();
  return (
    <Dropdown
      menu={{
        items: [
          {
            key: 'xlsx',
            label: (
              <a href={exportUrl(query, 'xlsx', view, i18n.language)} download>
                {t('measures.export.xlsx')}
              </a>
            ),
          },
          {
            key: 'csv',
            label: (
              <a href={exportUrl(query, 'csv', view, i18n.language)} download>
                {t('measures.export.csv')}
              </a>
            ),
          },
        ],
      }}
    >
      <Button icon={<DownloadOutlined />} data-testid={`export-${view}`}>
        {t('measures.export.button')}
      </Button>
    </Dropdown>
  );
}

export function Hint({ text }: { text: string }) {
  return (
    <Tooltip title={text}>
      <InfoCircleOutlined style={{ color: '#8c8c8c', marginInlineStart: 6 }} />
    </Tooltip>
  );
}

export function useDrillState() {
  const [drill, setDrill] = useState<DrillState | null>(null);
  const open = useMemo(
    () => (measure: string, part: string, title: string, extra?: Partial<MeasuresQuery>) => setDrill({ measure, part, title, ...(extra ? { extra } : {}) }),
    [],
  );
  return { drill, open, close: () => setDrill(null) };
}
