/**
 * The standard editor's fields for counted standards (计数: source + limit), time-of-day / calendar-day deadlines
 * (指定时刻 / 当日 / 次 N 个工作日, with a cut-off) and the quality checkpoint (服务质量监控点) a standard marks.
 */
import { Col, Form, Input, InputNumber, Radio, Row, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Standard, StandardInput } from './api';

export const COUNT_SOURCES = ['ring_count', 'contacts_before_resolution', 'transfers'] as const;
export const CHECKPOINT_NODES = ['first_response', 'solution_confirmed', 'resolution_confirmed'] as const;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export interface ExtraFormValues {
  count?: { source?: string; limit?: number | null };
  timeOfDay?: { atMode?: 'time' | 'end_of_day'; at?: string; businessDaysAfter?: number | null; cutoff?: string };
  checkpoint?: string;
}

export function extraToForm(s: Partial<Standard> | undefined): ExtraFormValues {
  const tod = s?.timeOfDay;
  return {
    count: { source: s?.count?.source ?? 'ring_count', limit: s?.count?.limit ?? 3 },
    timeOfDay: {
      atMode: tod?.at === 'end_of_day' ? 'end_of_day' : 'time',
      at: tod && tod.at !== 'end_of_day' ? tod.at : '10:30',
      businessDaysAfter: tod?.businessDaysAfter ?? 0,
      cutoff: tod?.cutoff ?? '',
    },
    checkpoint: s?.checkpoint ?? '',
  };
}

export function extraToInput(v: ExtraFormValues & { measure?: string; deadline?: string }): Partial<StandardInput> {
  const out: Partial<StandardInput> = { checkpoint: (v.checkpoint || null) as StandardInput['checkpoint'] };
  if (v.measure === 'count') out.count = { source: (v.count?.source ?? 'ring_count') as 'ring_count', limit: v.count?.limit ?? 0 };
  if (v.measure === 'timer' && v.deadline === 'time_of_day') {
    const tod = v.timeOfDay ?? {};
    out.timeOfDay = {
      at: tod.atMode === 'end_of_day' ? 'end_of_day' : (tod.at ?? '').trim(),
      businessDaysAfter: tod.businessDaysAfter ?? 0,
      cutoff: tod.cutoff?.trim() ? tod.cutoff.trim() : null,
    };
  }
  return out;
}

/** 计数型: what is counted and the inclusive limit. */
export function CountFields() {
  const { t } = useTranslation();
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item name={['count', 'source']} label={t('engine.count.source')} extra={t('engine.count.sourceHelp')}>
          <Select options={COUNT_SOURCES.map((s) => ({ value: s, label: t(`engine.count.sources.${s}`) }))} data-testid="std-count-source" />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item name={['count', 'limit']} label={t('engine.count.limit')} extra={t('engine.count.limitHelp')}>
          <InputNumber min={0} max={1000} precision={0} style={{ width: '100%' }} data-testid="std-count-limit" />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** 指定时刻 / 当日 / 次 N 个工作日, with an optional cut-off. */
export function TimeOfDayFields() {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const atMode = Form.useWatch(['timeOfDay', 'atMode'], form) as string | undefined;
  const timeRule = { pattern: HHMM, message: t('engine.tod.hhmm') };
  return (
    <Row gutter={16}>
      <Col xs={24} md={12}>
        <Form.Item name={['timeOfDay', 'atMode']} label={t('engine.tod.at')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'time', label: t('engine.tod.atTime') },
              { value: 'end_of_day', label: t('engine.tod.endOfDay') },
            ]}
            data-testid="std-tod-mode"
          />
        </Form.Item>
      </Col>
      {atMode !== 'end_of_day' ? (
        <Col xs={12} md={6}>
          <Form.Item name={['timeOfDay', 'at']} label={t('engine.tod.time')} rules={[timeRule]}>
            <Input placeholder="10:30" maxLength={5} data-testid="std-tod-at" />
          </Form.Item>
        </Col>
      ) : null}
      <Col xs={12} md={6}>
        <Form.Item name={['timeOfDay', 'businessDaysAfter']} label={t('engine.tod.days')} extra={t('engine.tod.daysHelp')}>
          <InputNumber min={0} max={30} precision={0} style={{ width: '100%' }} data-testid="std-tod-days" />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item name={['timeOfDay', 'cutoff']} label={t('engine.tod.cutoff')} extra={t('engine.tod.cutoffHelp')} rules={[timeRule]}>
          <Input placeholder="16:00" maxLength={5} allowClear data-testid="std-tod-cutoff" />
        </Form.Item>
      </Col>
      <Col span={24}>
        <Form.Item extra={t('engine.tod.help')} style={{ marginTop: -8 }} />
      </Col>
    </Row>
  );
}

/** The key node of a ticket's flow this standard checks. */
export function CheckpointField() {
  const { t } = useTranslation();
  return (
    <Form.Item name="checkpoint" label={t('engine.checkpoint.field')} extra={t('engine.checkpoint.fieldHelp')}>
      <Select
        options={[{ value: '', label: t('engine.checkpoint.none') }, ...CHECKPOINT_NODES.map((n) => ({ value: n, label: t(`engine.checkpoint.nodes.${n}`) }))]}
        data-testid="std-checkpoint"
      />
    </Form.Item>
  );
}
