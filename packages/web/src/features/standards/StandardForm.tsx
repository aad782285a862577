import { useEffect, useMemo } from 'react';
import { App, Button, Col, Divider, Drawer, Flex, Form, Grid, Input, InputNumber, Radio, Row, Select, Switch, Typography, type FormInstance } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { CHANNELS, CUSTOMER_TIERS, PRIORITIES, TICKET_TYPES } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { formNameForPath } from './fieldPaths';
import { COMMON_TIME_ZONES } from '../../lib/time';
import { channelLabel, eventKindLabel, priorityLabel, serverMessageLabel, tierLabel, ticketStatusLabel, ticketTypeLabel } from '../auth/labels';
import { useTeams } from '../staff/queries';
import { useCalendars } from '../calendars/api';
import { DurationInput } from './DurationInput';
import { asList, CLOCK_EVENTS, MEASURES, NOTIFY_ROLES, PAUSE_STATUSES, STD_KEYS, standardsApi, type Standard, type StandardInput } from './api';
import { lookup } from '../auth/labels';
import { CheckpointField, CountFields, extraToForm, extraToInput, TimeOfDayFields, type ExtraFormValues } from './StandardFormExtra';

/** Form values: the API shape, except target as a percentage and the calendar '' = 24×7. */
interface FormValues extends ExtraFormValues {
  code?: string;
  name?: string;
  encounter?: string;
  kind: 'hard' | 'soft';
  description?: string | null;
  measure?: string;
  targetPct?: number;
  start?: string[];
  stop?: string[];
  pauseWhile?: string[];
  deadline: 'duration' | 'end_of_business_day' | 'time_of_day';
  limitSeconds?: number | null;
  calendarId: string;
  calendarSource: 'standard' | 'ticket';
  timeZone?: string;
  appliesTo?: { types?: string[]; priorities?: string[]; tiers?: string[]; channels?: string[]; teams?: string[]; vip?: 'any' | 'yes' | 'no' };
  warnAtPercent?: (string | number)[];
  escalation?: { afterBreachSeconds?: number | null; notifyRole?: string }[];
  recurring?: boolean;
  maxCycles?: number | null;
  sqiWeight?: number;
  surveyMeasure?: 'csat' | 'nps' | 'ces' | '';
  surveyThreshold?: number | null;
  active?: boolean;
}

export function applyStandardErrors(err: unknown, form: FormInstance, t: TFunction): string[] {
  if (!(err instanceof ApiError) || err.errors.length === 0) return [];
  const byName = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const unmapped: string[] = [];
  for (const fe of err.errors) {
    const name = formNameForPath(fe.path);
    const text = serverMessageLabel(t, fe.message);
    if (!name) {
      unmapped.push(`${String(fe.path)}: ${text}`);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byName.get(key) ?? { name, errors: [] };
    entry.errors.push(text);
    byName.set(key, entry);
  }
  form.setFields([...byName.values()].map(({ name, errors }) => ({ name, errors })));
  return unmapped;
}

/** A changed field loses the server's error (antd keeps set errors until the next validation). */
function clearServerErrors(form: FormInstance, changed: Record<string, unknown>) {
  const names: (string | number)[][] = [];
  for (const [k, v] of Object.entries(changed)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && !('$d' in v)) for (const sub of Object.keys(v)) names.push([k, sub]);
    else names.push([k]);
  }
  form.setFields(names.map((name) => ({ name, errors: [] })));
}

function toForm(s: Partial<Standard> | undefined): FormValues {
  const a = s?.appliesTo ?? {};
  return {
    code: s?.code,
    name: s?.name,
    encounter: s?.encounter,
    kind: s?.kind ?? 'hard',
    description: s?.description ?? '',
    measure: s?.measure ?? 'timer',
    targetPct: Math.round((s?.target ?? 0.95) * 1000) / 10,
    start: asList(s?.start),
    stop: asList(s?.stop),
    pauseWhile: s?.pauseWhile ?? [],
    deadline: s?.deadline ?? 'duration',
    limitSeconds: s?.limitSeconds ?? null,
    calendarId: s?.calendarId ?? '',
    calendarSource: s?.calendarSource ?? 'standard',
    timeZone: s?.timeZone ?? 'Asia/Shanghai',
    appliesTo: { ...a, vip: a.vip === undefined ? 'any' : a.vip ? 'yes' : 'no' },
    warnAtPercent: s?.warnAtPercent ?? [],
    escalation: s?.escalation ?? [],
    recurring: s?.recurring ?? false,
    maxCycles: s?.maxCycles ?? null,
    sqiWeight: s?.sqiWeight ?? 1,
    surveyMeasure: s?.survey?.measure ?? '',
    surveyThreshold: s?.survey?.threshold ?? null,
    active: s?.active ?? true,
    ...extraToForm(s),
  };
}

function toInput(v: FormValues, creating: boolean): StandardInput {
  const a = v.appliesTo ?? {};
  const timed = v.measure === 'timer';
  const appliesTo: StandardInput['appliesTo'] = {};
  for (const k of ['types', 'priorities', 'tiers', 'channels', 'teams'] as const) if (a[k]?.length) appliesTo[k] = a[k];
  if (a.vip === 'yes') appliesTo.vip = true;
  if (a.vip === 'no') appliesTo.vip = false;
  const body: StandardInput = {
    name: v.name,
    encounter: v.encounter,
    kind: v.kind,
    description: v.description?.trim() ? v.description.trim() : null,
    measure: v.measure as StandardInput['measure'],
    target: v.targetPct === undefined || v.targetPct === null ? undefined : Math.round(v.targetPct * 10) / 1000,
    appliesTo,
    sqiWeight: v.sqiWeight ?? 1,
    survey: v.surveyMeasure ? { measure: v.surveyMeasure, threshold: v.surveyThreshold ?? 0 } : null,
    active: v.active,
  };
  if (timed) {
    Object.assign(body, {
      start: v.start?.length === 1 ? v.start[0] : v.start,
      stop: v.stop?.length === 1 ? v.stop[0] : v.stop,
      pauseWhile: v.pauseWhile ?? [],
      deadline: v.deadline,
      limitSeconds: v.deadline === 'duration' ? (v.limitSeconds ?? null) : null,
      calendarId: v.calendarId || null,
      calendarSource: v.calendarSource,
      timeZone: v.timeZone,
      warnAtPercent: (v.warnAtPercent ?? [])
        .map((x) => Number(x))
        .filter((x) => Number.isFinite(x))
        .map((x) => Math.round(x)),
      escalation: (v.escalation ?? []).map((e) => ({ afterBreachSeconds: e.afterBreachSeconds ?? 0, notifyRole: e.notifyRole })),
      recurring: v.recurring ?? false,
      maxCycles: v.recurring ? (v.maxCycles ?? null) : null,
    });
  }
  Object.assign(body, extraToInput(v));
  if (creating) body.code = v.code;
  return body;
}

interface Props {
  open: boolean;
  /** null = create; a standard = edit (new version) */
  standard: Standard | null;
  onClose: () => void;
  onSaved?: (s: Standard) => void;
}

/** Create / edit a service standard. Every field of the definition; server field errors land on their fields. */
export function StandardForm({ open, standard, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const queryClient = useQueryClient();
  const screens = Grid.useBreakpoint();
  const calendars = useCalendars(open);
  const teams = useTeams(open);
  const creating = standard === null;
  const measure = Form.useWatch('measure', form);
  const deadline = Form.useWatch('deadline', form);
  const calendarId = Form.useWatch('calendarId', form);
  const recurring = Form.useWatch('recurring', form);
  const kind = Form.useWatch('kind', form);

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue(toForm(standard ?? undefined));
    }
  }, [open, standard, form]);

  const save = useMutation({
    mutationFn: (v: FormValues) => (creating ? standardsApi.create(toInput(v, true)) : standardsApi.update(standard.id, toInput(v, false))),
    onSuccess: (s) => {
      void message.success(creating ? t('std.form.created') : t('std.form.savedVersion', { version: s.version }));
      void queryClient.invalidateQueries({ queryKey: STD_KEYS.all });
      onSaved?.(s);
      onClose();
    },
    onError: (err) => {
      const unmapped = applyStandardErrors(err, form, t);
      if (!(err instanceof ApiError) || err.errors.length === 0 || unmapped.length) {
        void message.error(unmapped.length ? `${errorMessage(err, t)} — ${unmapped.join('; ')}` : errorMessage(err, t));
      }
    },
  });

  const eventOptions = useMemo(() => CLOCK_EVENTS.map((e) => ({ value: e, label: `${eventKindLabel(t, e)} · ${e}` })), [t]);
  const multi = (values: readonly string[], label: (v: string) => string) => values.map((v) => ({ value: v, label: label(v) }));
  const timed = measure === 'timer';

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={creating ? t('std.form.createTitle') : t('std.form.editTitle', { name: standard?.name })}
      size={screens.md ? 760 : '100%'}
      destroyOnHidden
      extra={
        <Flex gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="std-form-save">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      {!creating ? (
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          {t('std.form.versionNote', { version: standard.version })}
        </Typography.Paragraph>
      ) : null}
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={(v) => save.mutate(v)}
        onValuesChange={(changed: Record<string, unknown>) => clearServerErrors(form, changed)}
        data-testid="std-form"
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="name" label={t('std.fields.name')} rules={[{ required: true, message: t('std.form.required') }]}>
              <Input maxLength={200} data-testid="std-name" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="code"
              label={t('std.fields.code')}
              extra={creating ? t('std.form.codeHelp') : undefined}
              rules={creating ? [{ required: true, message: t('std.form.required') }] : []}
            >
              <Input maxLength={64} disabled={!creating} data-testid="std-code" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="encounter"
              label={t('std.fields.encounter')}
              extra={t('std.form.encounterHelp')}
              rules={[{ required: true, message: t('std.form.required') }]}
            >
              <Input maxLength={100} data-testid="std-encounter" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="kind" label={t('std.fields.kind')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'hard', label: t('std.kind.hard') },
                  { value: 'soft', label: t('std.kind.soft') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="measure" label={t('std.fields.measure')}>
              <Select options={MEASURES.map((m) => ({ value: m, label: lookup(t, 'std.measure', m) }))} data-testid="std-measure" />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="description" label={t('std.fields.description')}>
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="targetPct" label={t('std.fields.target')} extra={t('std.form.targetHelp')}>
              <InputNumber min={0} max={100} step={0.5} suffix="%" style={{ width: '100%' }} data-testid="std-target" />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="sqiWeight" label={t('std.fields.sqiWeight')} extra={t('std.form.sqiWeightHelp')}>
              <InputNumber min={0} max={1000} step={0.5} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="active" label={t('std.fields.active')} valuePropName="checked" extra={t('std.form.activeHelp')}>
              <Switch />
            </Form.Item>
          </Col>
        </Row>

        {timed ? (
          <>
            <Divider titlePlacement="start">{t('std.form.clock')}</Divider>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item name="start" label={t('std.fields.start')} extra={t('std.form.eventsHelp')}>
                  <Select mode="tags" options={eventOptions} maxCount={8} data-testid="std-start" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="stop" label={t('std.fields.stop')}>
                  <Select mode="tags" options={eventOptions} maxCount={8} data-testid="std-stop" />
                </Form.Item>
              </Col>
              <Col span={24}>
                <Form.Item name="pauseWhile" label={t('std.fields.pauseWhile')} extra={t('std.form.pauseHelp')}>
                  <Select mode="multiple" options={multi(PAUSE_STATUSES, (v) => ticketStatusLabel(t, v))} />
                </Form.Item>
              </Col>
              <Col xs={24} md={10}>
                <Form.Item name="deadline" label={t('std.fields.deadline')}>
                  <Radio.Group
                    options={[
                      { value: 'duration', label: t('std.deadline.duration') },
                      { value: 'end_of_business_day', label: t('std.deadline.end_of_business_day') },
                      { value: 'time_of_day', label: t('std.deadline.time_of_day') },
                    ]}
                    data-testid="std-deadline"
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={14}>
                {deadline === 'time_of_day' ? (
                  <TimeOfDayFields />
                ) : deadline === 'duration' ? (
                  <Form.Item name="limitSeconds" label={t('std.fields.limit')} extra={t('std.form.limitHelp')}>
                    <DurationInput data-testid="std-limit" />
                  </Form.Item>
                ) : (
                  <Typography.Paragraph type="secondary" style={{ marginTop: 30 }}>
                    {t('std.form.eobdHelp')}
                  </Typography.Paragraph>
                )}
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="calendarId" label={t('std.fields.calendar')}>
                  <Select
                    loading={calendars.isPending}
                    options={[{ value: '', label: t('std.form.alwaysOpen') }, ...(calendars.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))]}
                    data-testid="std-calendar"
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="calendarSource" label={t('std.fields.calendarSource')}>
                  <Radio.Group
                    options={[
                      { value: 'standard', label: t('std.calendarSource.standard') },
                      { value: 'ticket', label: t('std.calendarSource.ticket') },
                    ]}
                  />
                </Form.Item>
              </Col>
              {!calendarId ? (
                <Col xs={24} md={12}>
                  <Form.Item name="timeZone" label={t('std.fields.timeZone')} extra={t('std.form.timeZoneHelp')}>
                    <Select showSearch options={COMMON_TIME_ZONES.map((z) => ({ value: z, label: z }))} />
                  </Form.Item>
                </Col>
              ) : null}
              <Col xs={24} md={12}>
                <Form.Item name="warnAtPercent" label={t('std.fields.warnAtPercent')} extra={t('std.form.warnHelp')}>
                  <Select mode="tags" options={[50, 75, 90].map((n) => ({ value: n, label: `${n}%` }))} maxCount={5} />
                </Form.Item>
              </Col>
            </Row>

            <Divider titlePlacement="start">{t('std.fields.escalation')}</Divider>
            <Typography.Paragraph type="secondary">{t('std.form.escalationHelp')}</Typography.Paragraph>
            <Form.List name="escalation">
              {(fields, { add, remove }) => (
                <Flex vertical gap={8} data-testid="std-escalation">
                  {fields.map((f, i) => (
                    <Flex key={f.key} gap={8} align="flex-start" wrap>
                      <Typography.Text style={{ lineHeight: '32px', minWidth: 56 }}>{t('std.form.step', { n: i + 1 })}</Typography.Text>
                      <Form.Item name={[f.name, 'afterBreachSeconds']} style={{ marginBottom: 0 }} extra={t('std.form.afterBreach')}>
                        <DurationInput data-testid={`std-esc-${i}`} />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, 'notifyRole']}
                        style={{ marginBottom: 0, minWidth: 140 }}
                        rules={[{ required: true, message: t('std.form.required') }]}
                      >
                        <Select options={NOTIFY_ROLES.map((r) => ({ value: r, label: lookup(t, 'std.roles', r) }))} data-testid={`std-esc-role-${i}`} />
                      </Form.Item>
                      <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} />
                    </Flex>
                  ))}
                  <Button
                    icon={<PlusOutlined />}
                    onClick={() => add({ afterBreachSeconds: 0, notifyRole: 'supervisor' })}
                    disabled={fields.length >= 6}
                    style={{ alignSelf: 'flex-start' }}
                    data-testid="std-esc-add"
                  >
                    {t('std.form.addStep')}
                  </Button>
                </Flex>
              )}
            </Form.List>

            <Divider titlePlacement="start">{t('std.form.recurrence')}</Divider>
            <Row gutter={16}>
              <Col xs={12} md={8}>
                <Form.Item name="recurring" label={t('std.fields.recurring')} valuePropName="checked" extra={t('std.form.recurringHelp')}>
                  <Switch />
                </Form.Item>
              </Col>
              {recurring ? (
                <Col xs={12} md={8}>
                  <Form.Item name="maxCycles" label={t('std.fields.maxCycles')} extra={t('std.form.maxCyclesHelp')}>
                    <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              ) : null}
            </Row>
          </>
        ) : null}
        {measure === 'count' ? (
          <>
            <Divider titlePlacement="start">{t('engine.count.title')}</Divider>
            <CountFields />
          </>
        ) : null}
        {timed || measure === 'count' ? <CheckpointField /> : null}

        <Divider titlePlacement="start">{t('std.fields.appliesTo')}</Divider>
        <Typography.Paragraph type="secondary">{t('std.form.appliesHelp')}</Typography.Paragraph>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name={['appliesTo', 'types']} label={t('tickets.type')}>
              <Select mode="multiple" allowClear options={multi(TICKET_TYPES, (v) => ticketTypeLabel(t, v))} placeholder={t('std.form.any')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={['appliesTo', 'priorities']} label={t('tickets.priority')}>
              <Select mode="multiple" allowClear options={multi(PRIORITIES, (v) => priorityLabel(t, v))} placeholder={t('std.form.any')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={['appliesTo', 'channels']} label={t('tickets.channel')}>
              <Select mode="multiple" allowClear options={multi(CHANNELS, (v) => channelLabel(t, v))} placeholder={t('std.form.any')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={['appliesTo', 'tiers']} label={t('customers.tier')}>
              <Select mode="multiple" allowClear options={multi(CUSTOMER_TIERS, (v) => tierLabel(t, v))} placeholder={t('std.form.any')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={['appliesTo', 'teams']} label={t('tickets.team')}>
              <Select
                mode="multiple"
                allowClear
                loading={teams.isPending}
                options={(teams.data?.items ?? []).map((tm) => ({ value: tm.id, label: tm.name }))}
                placeholder={t('std.form.any')}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name={['appliesTo', 'vip']} label={t('std.fields.vip')}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'any', label: t('std.form.any') },
                  { value: 'yes', label: t('std.form.vipOnly') },
                  { value: 'no', label: t('std.form.nonVip') },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>

        {kind === 'soft' || measure === 'survey' ? (
          <>
            <Divider titlePlacement="start">{t('std.fields.survey')}</Divider>
            <Row gutter={16}>
              <Col xs={12} md={8}>
                <Form.Item name="surveyMeasure" label={t('std.fields.surveyMeasure')}>
                  <Select
                    options={[
                      { value: '', label: t('common.none') },
                      { value: 'csat', label: 'CSAT' },
                      { value: 'nps', label: 'NPS' },
                      { value: 'ces', label: 'CES' },
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={12} md={8}>
                <Form.Item name="surveyThreshold" label={t('std.fields.surveyThreshold')}>
                  <InputNumber step={0.1} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
          </>
        ) : null}
      </Form>
    </Drawer>
  );
}
