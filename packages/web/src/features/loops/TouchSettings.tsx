import { Card, Flex, Form, Input, Segmented, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export type TouchMode = 'task' | 'message';
export interface Touch {
  mode: TouchMode;
  text: string;
}

/** The days typed in the settings form ("1, 3, 6"), sorted as the server plans them. */
export const parseDays = (x: string) =>
  x
    .split(/[,，\s]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isFinite(n))
    .sort((a, b) => a - b);

/** As many touch settings as days (extra ones dropped; the server fills missing ones with tasks). */
export const touchesFor = (touches: Touch[] | undefined, days: number[]) => (touches ?? []).slice(0, days.length);

/**
 * 闭环设置: per care contact / reactivation touch, a task for a person or a message sent automatically by the
 * customer's channel, with its text (placeholders {name} {number} {subject}).
 */
export function TouchSettings({ kind, daysField }: { kind: 'care' | 'reactivation'; daysField: string }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const daysText = (Form.useWatch([kind, daysField], form) as string | undefined) ?? '';
  const days = parseDays(daysText);
  return (
    <Card size="small" type="inner" title={t(`loops.touches.${kind}`)} style={{ marginBottom: 12 }}>
      <Form.List name={[kind, 'touches']}>
        {(fields) => (
          <Flex vertical gap={8}>
            {fields.map((f, i) => (
              <div key={f.key} data-testid={`touch-${kind}-${i + 1}`} style={{ display: i < Math.max(days.length, 1) ? undefined : 'none' }}>
                <Flex gap={12} wrap align="center" style={{ marginBottom: 4 }}>
                  <Typography.Text strong>
                    {days[i] !== undefined ? t('loops.touches.nth', { n: i + 1, day: days[i] }) : t('loops.touches.nthNoDay', { n: i + 1 })}
                  </Typography.Text>
                  <Form.Item name={[f.name, 'mode']} noStyle>
                    <Segmented<TouchMode>
                      size="small"
                      options={(['task', 'message'] as const).map((m) => ({ value: m, label: t(`loops.touches.mode.${m}`) }))}
                    />
                  </Form.Item>
                </Flex>
                <Form.Item noStyle shouldUpdate>
                  {({ getFieldValue }) => (
                    // Always mounted (hidden for a task) so the text is kept and sent with the settings.
                    <Form.Item
                      name={[f.name, 'text']}
                      hidden={getFieldValue([kind, 'touches', f.name, 'mode']) !== 'message'}
                      aria-label={t('loops.touches.text')}
                      rules={[{ required: true, whitespace: true }, { max: 500 }]}
                      style={{ marginBottom: 4 }}
                    >
                      <Input.TextArea rows={2} maxLength={500} />
                    </Form.Item>
                  )}
                </Form.Item>
              </div>
            ))}
          </Flex>
        )}
      </Form.List>
    </Card>
  );
}
