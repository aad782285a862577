import { Flex, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';

/** 楼栋 / 单元 / 房号 of a customer, as one line ("3栋 1单元 1201"); null when none is known. */
export function flatText(c: { building?: string | null; unit?: string | null; room?: string | null }): string | null {
  const parts = [c.building, c.unit, c.room].filter((p): p is string => Boolean(p?.trim()));
  return parts.length ? parts.join(' ') : null;
}

export const FLAT_FIELDS = ['building', 'unit', 'room'] as const;

/** The three form fields (楼栋 / 单元 / 房号) side by side; they wrap on a phone. */
export function FlatFormItems() {
  const { t } = useTranslation();
  return (
    <Flex gap={12} wrap>
      {FLAT_FIELDS.map((f) => (
        <Form.Item key={f} name={f} label={t(`customers.${f}`)} style={{ flex: '1 1 120px', minWidth: 100 }}>
          <Input maxLength={32} placeholder={t(`customers.${f}Placeholder`)} data-testid={`customer-${f}`} />
        </Form.Item>
      ))}
    </Flex>
  );
}

/** Trimmed values for a create (absent when empty) or a patch (null when cleared). */
export function flatBody(v: { building?: string; unit?: string; room?: string }, clear: boolean) {
  const out: { building?: string | null; unit?: string | null; room?: string | null } = {};
  for (const f of FLAT_FIELDS) {
    const s = v[f]?.trim();
    if (s) out[f] = s;
    else if (clear) out[f] = null;
  }
  return out;
}
