import { InputNumber, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { joinSeconds, splitSeconds } from './api';

interface Props {
  value?: number | null;
  onChange?: (seconds: number | null) => void;
  id?: string;
  disabled?: boolean;
  'data-testid'?: string;
}

/** A duration entered as 时 / 分 / 秒; the value is whole seconds (null when all three are empty). */
export function DurationInput({ value, onChange, id, disabled, ...rest }: Props) {
  const { t } = useTranslation();
  const parts = value === null || value === undefined ? null : splitSeconds(value);
  const set = (k: 'h' | 'm' | 's', v: number | null) => {
    const next = { ...(parts ?? { h: 0, m: 0, s: 0 }), [k]: v ?? 0 };
    const total = joinSeconds(next);
    onChange?.(parts === null && v === null ? null : total);
  };
  const box = (k: 'h' | 'm' | 's', max: number, label: string) => (
    <InputNumber
      id={k === 'h' ? id : undefined}
      min={0}
      max={max}
      precision={0}
      value={parts ? parts[k] : null}
      onChange={(v) => set(k, typeof v === 'number' ? v : null)}
      suffix={label}
      disabled={disabled}
      style={{ width: 104 }}
      data-testid={rest['data-testid'] ? `${rest['data-testid']}-${k}` : undefined}
      aria-label={label}
    />
  );
  return (
    <Space.Compact>
      {box('h', 366 * 24, t('std.form.hours'))}
      {box('m', 59, t('std.form.minutes'))}
      {box('s', 59, t('std.form.seconds'))}
    </Space.Compact>
  );
}
