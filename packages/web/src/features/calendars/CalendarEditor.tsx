import { useEffect, useMemo } from 'react';
import { App, Button, Col, Drawer, Flex, Form, Grid, Input, Row, Select, Switch, Typography, type FormInstance } from 'antd';
import { CopyOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { errorMessage, normaliseErrorPath } from '../../lib/apiErrors';
import { COMMON_TIME_ZONES } from '../../lib/time';
import { serverMessageLabel } from '../auth/labels';
import { CAL_KEYS, calendarsApi, WEEKDAYS, type BusinessCalendar, type Period, type Weekday, type Weekly } from './api';

interface Values {
  name: string;
  description?: string;
  timeZone: string;
  builtIn: boolean;
  weekly: Record<Weekday, Period[]>;
}

const OFFICE: Period[] = [
  ['09:00', '12:00'],
  ['13:30', '18:00'],
];

export function allTimeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([...COMMON_TIME_ZONES, ...all])];
}

/** Server field errors (`weekly.mon[1][0]`, `timeZone`, `name`) onto the editor; the rest returned as text. */
export function applyCalendarErrors(err: unknown, form: FormInstance, t: TFunction): string[] {
  if (!(err instanceof ApiError)) return [];
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  const rest: string[] = [];
  for (const fe of err.errors) {
    const p = normaliseErrorPath(fe.path);
    const msg = serverMessageLabel(t, fe.message);
    if (p[0] === 'weekly' && typeof p[1] === 'string' && typeof p[2] === 'number') {
      fields.push({ name: ['weekly', p[1], p[2], typeof p[3] === 'number' ? p[3] : 0], errors: [msg] });
    } else if (p.length === 1 && (p[0] === 'name' || p[0] === 'timeZone' || p[0] === 'description')) {
      fields.push({ name: [p[0]], errors: [msg] });
    } else if (p[0] === 'holidays') {
      fields.push({ name: ['builtIn'], errors: [msg] });
    }
    rest.push(`${Array.isArray(fe.path) ? fe.path.join('.') : fe.path}: ${msg}`);
  }
  form.setFields(fields);
  return rest;
}

function toValues(c: BusinessCalendar | null): Values {
  const weekly = {} as Record<Weekday, Period[]>;
  for (const d of WEEKDAYS)
    weekly[d] = c ? (c.weekly[d] ?? []).map((p) => [...p] as Period) : ['sat', 'sun'].includes(d) ? [] : OFFICE.map((p) => [...p] as Period);
  return {
    name: c?.name ?? '',
    description: c?.description ?? '',
    timeZone: c?.timeZone ?? 'Asia/Shanghai',
    builtIn: c ? c.holidays === 'cn-mainland' : true,
    weekly,
  };
}

/** Create / edit a calendar: name, IANA zone, built-in holidays, and several periods per weekday. */
export function CalendarEditor({
  open,
  calendar,
  onClose,
  onSaved,
}: {
  open: boolean;
  calendar: BusinessCalendar | null;
  onClose: () => void;
  onSaved?: (c: BusinessCalendar) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const queryClient = useQueryClient();
  const screens = Grid.useBreakpoint();
  const zones = useMemo(() => allTimeZones().map((z) => ({ value: z, label: z })), []);

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue(toValues(calendar));
    }
  }, [open, calendar, form]);

  const save = useMutation({
    mutationFn: (v: Values) => {
      const weekly: Weekly = {};
      for (const d of WEEKDAYS) if (v.weekly[d]?.length) weekly[d] = v.weekly[d].map((p) => [p[0]?.trim() ?? '', p[1]?.trim() ?? ''] as Period);
      const body = {
        name: v.name,
        description: v.description?.trim() || null,
        timeZone: v.timeZone,
        holidays: v.builtIn ? ('cn-mainland' as const) : null,
        weekly,
      };
      return calendar ? calendarsApi.update(calendar.id, body) : calendarsApi.create(body);
    },
    onSuccess: (c) => {
      void message.success(t('cal.saved'));
      void queryClient.invalidateQueries({ queryKey: CAL_KEYS.all });
      onSaved?.(c);
      onClose();
    },
    onError: (err) => {
      const rest = applyCalendarErrors(err, form, t);
      void message.error(rest.length ? `${t('cal.fixFields')}：${rest.join('；')}` : errorMessage(err, t));
    },
  });

  const copyMonday = () => {
    const mon = (form.getFieldValue(['weekly', 'mon']) as Period[] | undefined) ?? [];
    for (const d of ['tue', 'wed', 'thu', 'fri'] as const)
      form.setFieldValue(
        ['weekly', d],
        mon.map((p) => [...p]),
      );
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={screens.md ? 720 : '100%'}
      title={calendar ? t('cal.editTitle', { name: calendar.name }) : t('cal.createTitle')}
      destroyOnHidden
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="cal-save">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      <Form<Values> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} data-testid="cal-form">
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t('cal.fields.name')} rules={[{ required: true, message: t('cal.required') }]}>
              <Input maxLength={100} data-testid="cal-name" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="timeZone" label={t('cal.fields.timeZone')} extra={t('cal.timeZoneHelp')}>
              <Select showSearch options={zones} data-testid="cal-tz" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="description" label={t('cal.fields.description')}>
              <Input maxLength={1000} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="builtIn" label={t('cal.fields.holidays')} valuePropName="checked" extra={t('cal.holidaysHelp')}>
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }}>
          <Typography.Text strong>{t('cal.weekly')}</Typography.Text>
          <Button size="small" icon={<CopyOutlined />} onClick={copyMonday}>
            {t('cal.copyMonday')}
          </Button>
        </Flex>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('cal.weeklyHelp')}
        </Typography.Paragraph>
        <Flex vertical gap={4}>
          {WEEKDAYS.map((d) => (
            <Flex key={d} gap={12} align="flex-start" style={{ borderTop: '1px solid #f0f0f0', paddingTop: 8 }}>
              <Typography.Text style={{ width: 56, lineHeight: '32px', flex: 'none' }}>{t(`cal.weekdays.${d}`)}</Typography.Text>
              <Form.List name={['weekly', d]}>
                {(fields, { add, remove }) => (
                  <Flex vertical gap={6} style={{ flex: 1 }}>
                    {fields.length === 0 ? (
                      <Typography.Text type="secondary" style={{ lineHeight: '32px' }}>
                        {t('cal.closed')}
                      </Typography.Text>
                    ) : null}
                    {fields.map((f) => (
                      <Flex key={f.key} gap={6} align="flex-start" wrap>
                        <Form.Item name={[f.name, 0]} style={{ marginBottom: 0 }} rules={[{ pattern: /^\d{2}:\d{2}$/, message: t('cal.hhmm') }]}>
                          <Input placeholder="09:00" style={{ width: 92 }} maxLength={5} data-testid={`cal-${d}-${f.name}-start`} />
                        </Form.Item>
                        <span style={{ lineHeight: '32px' }}>–</span>
                        <Form.Item name={[f.name, 1]} style={{ marginBottom: 0 }} rules={[{ pattern: /^\d{2}:\d{2}$/, message: t('cal.hhmm') }]}>
                          <Input placeholder="18:00" style={{ width: 92 }} maxLength={5} data-testid={`cal-${d}-${f.name}-end`} />
                        </Form.Item>
                        <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} />
                      </Flex>
                    ))}
                    <Flex gap={6} wrap>
                      <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => add(['09:00', '18:00'])} data-testid={`cal-${d}-add`}>
                        {t('cal.addPeriod')}
                      </Button>
                      <Button size="small" type="link" onClick={() => add(['00:00', '24:00'])}>
                        {t('cal.allDay')}
                      </Button>
                    </Flex>
                  </Flex>
                )}
              </Form.List>
            </Flex>
          ))}
        </Flex>
      </Form>
    </Drawer>
  );
}
