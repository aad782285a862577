import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Flex, Form, InputNumber, Modal, Row, Select, Skeleton, Tag, Typography } from 'antd';
import { AimOutlined, CheckOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { usePermission } from '../auth/me';
import { useCalendars } from '../calendars/api';
import { DurationInput } from './DurationInput';
import { KindTag, useLimitText } from './ui';
import { pct, STD_KEYS, STD_PERM, standardsApi, useStandards, type StandardInput, type Template } from './api';
import type { ResponseOf } from '../../api/client';

type Templates = ResponseOf<'get', '/standards/templates'>;
type TargetTemplate = Templates['targets'][number];
type Group = Template['group'];

/** The one-line "how it is measured" of a template: timed / counted / time-of-day / recurring / mean / share / rate / audit. */
function styleOf(d: Template['definition']): string {
  if (d.measure === 'count') return 'counted';
  if (d.measure === 'survey') return d.survey?.aggregate === 'mean' ? 'mean' : 'share';
  if (d.measure === 'operating_data') return d.rate ? 'rate' : 'data';
  if (d.measure === 'audit') return 'audit';
  if (d.recurring) return 'recurring';
  if (d.deadline !== 'duration') return 'timeOfDay';
  return 'timed';
}

/** The figure of a template in words: "10 秒 · 目标 95%", "平均 ≥ 4.8 / 5", "首问解决率 ≥ 90%（按月）". */
function useFigure() {
  const { t } = useTranslation();
  const limitText = useLimitText();
  return (d: Template['definition']) => {
    if (d.measure === 'survey' && d.survey) {
      return d.survey.aggregate === 'mean'
        ? t('stdTpl.figure.mean', { threshold: d.survey.threshold, min: d.survey.minSample })
        : t('stdTpl.figure.share', { threshold: d.survey.threshold, target: pct(d.target) });
    }
    if (d.measure === 'operating_data' && d.rate)
      return t('stdTpl.figure.rate', { metric: t(`stdTpl.metric.${d.rate.metric}`), target: pct(d.target), period: t(`stdTpl.period.${d.rate.period}`) });
    if (d.measure === 'audit') return t('stdTpl.figure.audit', { target: pct(d.target) });
    const cycles = d.recurring ? (d.maxCycles ? t('stdTpl.figure.cycles', { n: d.maxCycles }) : t('stdTpl.figure.everyCycle')) : '';
    return `${t('std.fields.limit')}：${limitText(d)}${cycles} · ${t('std.fields.target')}：${pct(d.target)}`;
  };
}

function targetValue(t: TFunction, measure: string, v: number | null | undefined) {
  if (v === null || v === undefined) return t('stdTpl.noTarget');
  return measure === 'nps' ? t('stdTpl.points', { v }) : pct(v, 1);
}

/** 模板库: every figure of the sources as an adoptable template, grouped by encounter / industry, with its source. */
export function TemplateGallery() {
  const { t } = useTranslation();
  const canManage = usePermission(STD_PERM.manage);
  const canTargets = usePermission('measures.manage');
  const templates = useQuery({ queryKey: STD_KEYS.templates, queryFn: () => http.get('/standards/templates'), staleTime: 60_000 });
  const standards = useStandards();
  const figure = useFigure();
  const [group, setGroup] = useState<Group | 'all'>('all');
  const [adopting, setAdopting] = useState<Template | null>(null);
  const [targeting, setTargeting] = useState<TargetTemplate | null>(null);
  const adopted = new Map((standards.data?.items ?? []).filter((s) => s.templateKey).map((s) => [s.templateKey!, s]));
  // Templates without a clock have nothing to override: 采用 adopts them at once.
  const direct = useAdopt();

  const groups = useMemo(() => {
    const out = new Map<Group, Template[]>();
    for (const tpl of templates.data?.items ?? []) out.set(tpl.group, [...(out.get(tpl.group) ?? []), tpl]);
    return out;
  }, [templates.data]);

  if (templates.isError) return <Alert type="error" title={errorMessage(templates.error, t)} />;
  if (!templates.data) return <Skeleton active />;
  const targets = templates.data.targets;
  const shown = [...groups.entries()].filter(([g]) => group === 'all' || group === g);

  return (
    <Flex vertical gap={12} data-testid="std-templates">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('stdTpl.help', { n: templates.data.items.length, m: targets.length })}
      </Typography.Paragraph>
      <Flex gap={6} wrap role="group" aria-label={t('stdTpl.groupFilter')} data-testid="tpl-groups">
        {(['all', ...groups.keys(), 'targets'] as const).map((g) => (
          <Tag.CheckableTag key={g} checked={group === g} onChange={() => setGroup(g)} style={{ padding: '2px 10px', fontSize: 13 }}>
            {g === 'all' ? t('stdTpl.all') : t(`stdTpl.groups.${g}`)}
            {g === 'all' ? null : ` ${g === 'targets' ? targets.length : (groups.get(g)?.length ?? 0)}`}
          </Tag.CheckableTag>
        ))}
      </Flex>

      {shown.map(([g, items]) => (
        <section key={g} aria-labelledby={`tpl-group-${g}`}>
          <Typography.Title level={5} id={`tpl-group-${g}`} style={{ margin: '8px 0' }}>
            {t(`stdTpl.groups.${g}`)}
          </Typography.Title>
          <Row gutter={[12, 12]}>
            {items.map((tpl) => {
              const own = adopted.get(tpl.key);
              const d = tpl.definition;
              return (
                <Col key={tpl.key} xs={24} sm={12} xl={8}>
                  <Card
                    size="small"
                    style={{ height: '100%' }}
                    title={<span title={d.name}>{d.name}</span>}
                    extra={
                      own ? (
                        <Tag icon={<CheckOutlined />} color="green" style={{ marginInlineEnd: 0 }}>
                          {t('std.tpl.inUse')}
                        </Tag>
                      ) : canManage ? (
                        <Button
                          size="small"
                          type="primary"
                          ghost
                          loading={direct.isPending && direct.variables?.key === tpl.key}
                          onClick={() => (d.timed ? setAdopting(tpl) : direct.mutate({ key: tpl.key }))}
                          data-testid={`adopt-${tpl.key}`}
                        >
                          {t('stdTpl.adopt')}
                        </Button>
                      ) : null
                    }
                    data-testid="std-template"
                    data-key={tpl.key}
                  >
                    <Flex vertical gap={6}>
                      <Flex gap={4} wrap>
                        <Tag style={{ marginInlineEnd: 0 }}>{d.encounter}</Tag>
                        <KindTag s={d} />
                        {styleOf(d) === 'audit' ? null : (
                          <Tag color="geekblue" style={{ marginInlineEnd: 0 }}>
                            {t(`stdTpl.style.${styleOf(d)}`)}
                          </Tag>
                        )}
                      </Flex>
                      <Typography.Text strong>{figure(d)}</Typography.Text>
                      {d.description ? (
                        <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }} ellipsis={{ rows: 3, tooltip: d.description }}>
                          {d.description}
                        </Typography.Paragraph>
                      ) : null}
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('std.tpl.source')}：{tpl.source}
                      </Typography.Text>
                    </Flex>
                  </Card>
                </Col>
              );
            })}
          </Row>
        </section>
      ))}

      {group === 'all' || group === 'targets' ? (
        <section aria-labelledby="tpl-group-targets">
          <Typography.Title level={5} id="tpl-group-targets" style={{ margin: '8px 0' }}>
            {t('stdTpl.groups.targets')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
            {t('stdTpl.targetsHelp')}
          </Typography.Paragraph>
          <Row gutter={[12, 12]}>
            {targets.map((tpl) => (
              <Col key={tpl.key} xs={24} sm={12} xl={8}>
                <Card
                  size="small"
                  style={{ height: '100%' }}
                  title={<span title={tpl.name}>{tpl.name}</span>}
                  extra={
                    tpl.inForce ? (
                      <Tag icon={<CheckOutlined />} color="green" style={{ marginInlineEnd: 0 }}>
                        {t('stdTpl.inForce')}
                      </Tag>
                    ) : canTargets ? (
                      <Button size="small" type="primary" ghost icon={<AimOutlined />} onClick={() => setTargeting(tpl)} data-testid={`adopt-${tpl.key}`}>
                        {t('stdTpl.adopt')}
                      </Button>
                    ) : null
                  }
                  data-testid="target-template"
                  data-key={tpl.key}
                >
                  <Flex vertical gap={6}>
                    <Flex gap={4} wrap>
                      <Tag style={{ marginInlineEnd: 0 }}>{t(`stdTpl.measures.${tpl.measure}`)}</Tag>
                      <Tag color="geekblue" style={{ marginInlineEnd: 0 }}>
                        {t('stdTpl.style.target')}
                      </Tag>
                    </Flex>
                    <Typography.Text strong>
                      {t(tpl.direction === 'max' ? 'stdTpl.figure.atMost' : 'stdTpl.figure.atLeast', { v: targetValue(t, tpl.measure, tpl.target) })}
                      {' · '}
                      {t('stdTpl.current', { v: targetValue(t, tpl.measure, tpl.current) })}
                    </Typography.Text>
                    <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
                      {tpl.note}
                    </Typography.Paragraph>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('std.tpl.source')}：{tpl.source}
                    </Typography.Text>
                  </Flex>
                </Card>
              </Col>
            ))}
          </Row>
        </section>
      ) : null}

      <AdoptStandardModal tpl={adopting} onClose={() => setAdopting(null)} />
      <AdoptTargetModal tpl={targeting} onClose={() => setTargeting(null)} />
    </Flex>
  );
}

/** POST …/templates/{key}/adopt with a success / conflict message. */
function useAdopt(onDone?: () => void) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { key: string; body?: StandardInput }) => standardsApi.adopt(v.key, v.body ?? {}),
    onSuccess: (s) => {
      void message.success(t('std.tpl.adopted', { name: s.name }));
      void queryClient.invalidateQueries({ queryKey: STD_KEYS.all });
      onDone?.();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 409) void message.error(t('std.tpl.codeTaken'));
      else void message.error(errorMessage(err, t));
    },
  });
}

/** 采用 a standard template, optionally with another limit and calendar. */
function AdoptStandardModal({ tpl, onClose }: { tpl: Template | null; onClose: () => void }) {
  const { t } = useTranslation();
  const calendars = useCalendars(tpl !== null);
  const [form] = Form.useForm<{ limitSeconds: number | null; calendarId: string }>();
  const d = tpl?.definition;
  const timed = Boolean(d?.timed);
  const adopt = useAdopt(onClose);
  const submit = (v: { limitSeconds: number | null; calendarId: string }) => {
    const body: StandardInput = {};
    if (timed && d?.deadline === 'duration' && v.limitSeconds && v.limitSeconds !== d.limitSeconds) body.limitSeconds = v.limitSeconds;
    if (timed && (v.calendarId || null) !== d?.calendarId) body.calendarId = v.calendarId || null;
    adopt.mutate({ key: tpl!.key, body });
  };
  return (
    <Modal
      open={tpl !== null}
      title={tpl ? t('stdTpl.adoptTitle', { name: tpl.definition.name }) : ''}
      okText={t('stdTpl.adopt')}
      onOk={() => form.submit()}
      confirmLoading={adopt.isPending}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'tpl-adopt-ok' }}
    >
      {tpl && d ? (
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ limitSeconds: d.limitSeconds, calendarId: d.calendarId ?? '' }}
          onFinish={submit}
          data-testid="tpl-adopt-form"
        >
          <Typography.Paragraph type="secondary">{timed ? t('stdTpl.overrideHelp') : t('stdTpl.noOverride')}</Typography.Paragraph>
          {timed && d.deadline === 'duration' ? (
            <Form.Item name="limitSeconds" label={t('std.fields.limit')}>
              <DurationInput data-testid="tpl-limit" />
            </Form.Item>
          ) : null}
          {timed ? (
            <Form.Item name="calendarId" label={t('stdTpl.calendar')} extra={d.calendarSource === 'ticket' ? t('stdTpl.ticketCalendar') : undefined}>
              <Select
                options={[{ value: '', label: t('std.form.alwaysOpen') }, ...(calendars.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))]}
                data-testid="tpl-calendar"
              />
            </Form.Item>
          ) : null}
        </Form>
      ) : null}
    </Modal>
  );
}

/** 采用 a target template: sets the measure's target (optionally another value). */
function AdoptTargetModal({ tpl, onClose }: { tpl: TargetTemplate | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ value: number }>();
  const nps = tpl?.measure === 'nps';
  const adopt = useMutation({
    mutationFn: (target: number) => http.post('/standards/target-templates/{key}/adopt', { path: { key: tpl!.key }, body: { target } }),
    onSuccess: () => {
      void message.success(t('stdTpl.targetSet', { name: tpl!.name }));
      void queryClient.invalidateQueries({ queryKey: STD_KEYS.templates });
      void queryClient.invalidateQueries({ queryKey: ['measures'] });
      onClose();
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });
  return (
    <Modal
      open={tpl !== null}
      title={tpl ? t('stdTpl.adoptTitle', { name: tpl.name }) : ''}
      okText={t('stdTpl.adopt')}
      onOk={() => form.submit()}
      confirmLoading={adopt.isPending}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'tpl-adopt-ok' }}
    >
      {tpl ? (
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ value: nps ? tpl.target : Math.round(tpl.target * 1000) / 10 }}
          onFinish={(v) => adopt.mutate(nps ? v.value : Math.round(v.value * 10) / 1000)}
        >
          <Typography.Paragraph type="secondary">
            {t('stdTpl.targetHelp', { measure: t(`stdTpl.measures.${tpl.measure}`), current: targetValue(t, tpl.measure, tpl.current) })}
          </Typography.Paragraph>
          <Form.Item name="value" label={t('std.fields.target')} rules={[{ required: true, message: t('stdTpl.targetRequired') }]}>
            <InputNumber
              min={nps ? -100 : 0}
              max={100}
              step={nps ? 1 : 0.1}
              suffix={nps ? t('stdTpl.pointsUnit') : '%'}
              style={{ width: 180 }}
              data-testid="tpl-target"
            />
          </Form.Item>
        </Form>
      ) : null}
    </Modal>
  );
}
