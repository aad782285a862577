import { Button, Flex, Input, InputNumber, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { OrderLine } from '../../api/types';

export type EditableLine = Omit<OrderLine, 'id'> & { key: string };

let seq = 0;
export const newLine = (l?: Partial<OrderLine>): EditableLine => ({ key: `l${++seq}`, item: l?.item ?? '', spec: l?.spec ?? '', quantity: l?.quantity ?? 1 });
export const toEditable = (lines: OrderLine[]): EditableLine[] => lines.map((l) => newLine(l));
export const cleanLines = (lines: EditableLine[]): Omit<OrderLine, 'id'>[] =>
  lines.filter((l) => l.item.trim()).map((l) => ({ item: l.item.trim(), spec: l.spec.trim(), quantity: Math.max(1, Math.round(l.quantity || 1)) }));

/** Item / spec / quantity rows (订单明细). Controlled; works inside antd Form.Item. */
export function OrderLinesEditor({ value = [], onChange, disabled }: { value?: EditableLine[]; onChange?: (v: EditableLine[]) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const set = (key: string, patch: Partial<EditableLine>) => onChange?.(value.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  return (
    <Flex vertical gap={8} data-testid="order-lines-editor">
      {value.length === 0 ? <Typography.Text type="secondary">{t('orders.noLines')}</Typography.Text> : null}
      {value.map((l, i) => (
        <Flex key={l.key} gap={8} align="center" wrap className="chidu-order-line">
          <Typography.Text type="secondary" style={{ width: 20 }}>
            {i + 1}
          </Typography.Text>
          <Input
            value={l.item}
            onChange={(e) => set(l.key, { item: e.target.value })}
            placeholder={t('orders.item')}
            maxLength={100}
            disabled={disabled}
            style={{ flex: '2 1 140px' }}
            aria-label={t('orders.item')}
          />
          <Input
            value={l.spec}
            onChange={(e) => set(l.key, { spec: e.target.value })}
            placeholder={t('orders.spec')}
            maxLength={100}
            disabled={disabled}
            style={{ flex: '2 1 120px' }}
            aria-label={t('orders.spec')}
          />
          <InputNumber
            value={l.quantity}
            min={1}
            max={1_000_000}
            precision={0}
            onChange={(v) => set(l.key, { quantity: Number(v ?? 1) })}
            disabled={disabled}
            style={{ width: 96 }}
            aria-label={t('orders.quantity')}
            suffix={t('orders.unit')}
          />
          <Button
            type="text"
            danger
            icon={<DeleteOutlined />}
            disabled={disabled}
            aria-label={t('common.delete')}
            onClick={() => onChange?.(value.filter((x) => x.key !== l.key))}
          />
        </Flex>
      ))}
      <div>
        <Button icon={<PlusOutlined />} disabled={disabled} onClick={() => onChange?.([...value, newLine()])} size="small">
          {t('orders.addLine')}
        </Button>
      </div>
    </Flex>
  );
}
