import { useEffect } from 'react';
import { Alert, App, Button, Drawer, Form, InputNumber, Space, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';

interface ReminderSettings {
  eveningHour: number;
  leadHours: number;
}
const KEY = ['field-reminder-settings'] as const;
const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** 上门提醒设置 (field.manage): when the customer is reminded before a booked visit — the evening before, or N hours before. */
export default function ReminderSettingsDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<ReminderSettings>();
  const current = useQuery({ queryKey: KEY, queryFn: () => http.get('/field/reminder-settings'), enabled: open });
  useEffect(() => {
    if (current.data) form.setFieldsValue(current.data);
  }, [current.data, form]);
  const eveningHour = Form.useWatch('eveningHour', form) ?? current.data?.eveningHour ?? 18;
  const leadHours = Form.useWatch('leadHours', form) ?? current.data?.leadHours ?? 2;
  const save = useMutation({
    mutationFn: (body: ReminderSettings) => http.put('/field/reminder-settings', { body }),
    onSuccess: async () => {
      message.success(t('fieldDispatch.reminders.saved'));
      await qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
    onError: (e) => message.error(errorMessage(e, t)),
  });
  return (
    <Drawer open={open} onClose={onClose} title={t('fieldDispatch.reminders.title')} width={420} destroyOnHidden data-testid="reminder-settings">
      {current.isError ? <Alert type="error" showIcon message={errorMessage(current.error, t)} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate({ eveningHour: v.eveningHour, leadHours: v.leadHours })} disabled={!current.data}>
        <Form.Item
          name="eveningHour"
          label={t('fieldDispatch.reminders.eveningHour')}
          rules={[{ required: true, message: t('fieldDispatch.reminders.required') }]}
        >
          <InputNumber min={0} max={23} precision={0} addonAfter=":00" aria-label={t('fieldDispatch.reminders.eveningHour')} />
        </Form.Item>
        <Form.Item name="leadHours" label={t('fieldDispatch.reminders.leadHours')} rules={[{ required: true, message: t('fieldDispatch.reminders.required') }]}>
          <InputNumber min={1} max={48} precision={0} addonAfter={t('fieldDispatch.reminders.hours')} aria-label={t('fieldDispatch.reminders.leadHours')} />
        </Form.Item>
        <Typography.Paragraph type="secondary" data-testid="reminder-rule">
          {t('fieldDispatch.reminders.rule', { time: pad(eveningHour), hours: leadHours })}
        </Typography.Paragraph>
        <Space>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('fieldDispatch.reminders.save')}
          </Button>
          <Button onClick={onClose}>{t('fieldDispatch.reminders.cancel')}</Button>
        </Space>
      </Form>
    </Drawer>
  );
}
