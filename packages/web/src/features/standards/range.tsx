import { useMemo } from 'react';
import { DatePicker } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { dayjs } from '../../lib/time';
import { useFormat } from '../auth/me';
import type { Range } from './api';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The reporting window (local dates in the user's zone, `to` inclusive), kept in the URL (?from=&to=). */
export function useRange(): [Range, (from: string, to: string) => void, string] {
  const [params, setParams] = useSearchParams();
  const fmt = useFormat();
  const tz = fmt.timeZone;
  const range = useMemo(() => {
    const today = dayjs().tz(tz).format('YYYY-MM-DD');
    const to = DATE.test(params.get('to') ?? '') ? params.get('to')! : today;
    const from = DATE.test(params.get('from') ?? '') ? params.get('from')! : dayjs(to).subtract(29, 'day').format('YYYY-MM-DD');
    return { from, to, tz };
  }, [params, tz]);
  const set = (from: string, to: string) => {
    const next = new URLSearchParams(params);
    next.set('from', from);
    next.set('to', to);
    setParams(next, { replace: true });
  };
  const search = params.get('from') || params.get('to') ? `?from=${range.from}&to=${range.to}` : '';
  return [range, set, search];
}

export function RangeSelect({ range, onChange }: { range: Range; onChange: (from: string, to: string) => void }) {
  const { t } = useTranslation();
  const today = dayjs();
  return (
    <DatePicker.RangePicker
      allowClear={false}
      value={[dayjs(range.from), dayjs(range.to)]}
      onChange={(v) => {
        if (v?.[0] && v[1]) onChange(v[0].format('YYYY-MM-DD'), v[1].format('YYYY-MM-DD'));
      }}
      presets={[
        { label: t('std.range.7'), value: [today.subtract(6, 'day'), today] },
        { label: t('std.range.30'), value: [today.subtract(29, 'day'), today] },
        { label: t('std.range.90'), value: [today.subtract(89, 'day'), today] },
      ]}
      data-testid="std-range"
    />
  );
}
