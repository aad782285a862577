import { useState } from 'react';
import { Alert, App, Button, Card, Flex, Form, Input, Select, Steps, Switch, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat, usePermission } from '../auth/me';
import { COMPLAINT_STEPS, LOOP_KEYS, useComplaint, type ComplaintLoop, type ComplaintStep } from './api';
import { Countdown, useNow } from './ui';

/**
 * The complaint loop on a complaint ticket's page: six steps with their evidence, the classification, and what the
 * ticket still needs before it can be resolved / closed (the server refuses with the missing steps).
 */
export function ComplaintPanel({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const now = useNow();
  const canWork = usePermission('loops.work');
  const q = useComplaint(ticketId, canWork);
  const [editing, setEditing] = useState<ComplaintStep | null>(null);
  if (!canWork) return null;
  if (!q.data) return <Card size="small" loading title={t('loops.complaint.title')} />;
  const c = q.data;
  const current = c.nextStep ? COMPLAINT_STEPS.indexOf(c.nextStep) : COMPLAINT_STEPS.length;
  const closed = c.ticketStatus === 'closed';
  return (
    <Card
      size="small"
      title={t('loops.complaint.title')}
      data-testid="complaint-panel"
      extra={c.severity === 'serious' ? <Tag color="red">{t('loops.complaint.severities.serious')}</Tag> : null}
    >
      {c.missingForClose.length && !closed ? (
        <Alert
          type={c.missingForResolve.length ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 12 }}
          title={
            c.missingForResolve.length
              ? t('loops.complaint.needResolve', { steps: c.missingForResolve.map((s) => t(`loops.complaint.steps.${s}`)).join('、') })
              : t('loops.complaint.needClose', { steps: c.missingForClose.map((s) => t(`loops.complaint.steps.${s}`)).join('、') })
          }
        />
      ) : null}
      {c.standards.filter((s) => s.state === 'running' || s.state === 'breached').length ? (
        <Flex wrap gap={4} style={{ marginBottom: 10 }}>
          {c.standards
            .filter((s) => s.state === 'running' || s.state === 'breached')
            .map((s) => (
              <Countdown key={s.code} clock={s} now={now} />
            ))}
        </Flex>
      ) : null}
      <Steps
        direction="vertical"
        size="small"
        current={current}
        items={c.steps.map((s, i) => ({
          title: (
            <Flex gap={8} align="center" wrap>
              <span>{t(`loops.complaint.steps.${s.step}`)}</span>
              {!closed && (s.done || i === current) ? (
                <Button size="small" type={s.done ? 'link' : 'primary'} onClick={() => setEditing(s.step)} data-testid={`complaint-step-${s.step}`}>
                  {s.done ? t('common.edit') : t('loops.complaint.record')}
                </Button>
              ) : null}
            </Flex>
          ),
          status: s.done ? 'finish' : i === current ? 'process' : 'wait',
          description: s.done ? (
            <div>
              <Typography.Paragraph style={{ marginBottom: 2, whiteSpace: 'pre-wrap' }}>{s.evidence}</Typography.Paragraph>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {s.recordedByName} · {fmt.shortTime(s.recordedAt)}
                {s.data?.satisfied !== undefined ? ` · ${s.data.satisfied ? t('loops.complaint.satisfied') : t('loops.complaint.notSatisfied')}` : ''}
              </Typography.Text>
              {editing === s.step ? <StepForm c={c} step={s.step} initial={s.evidence ?? ''} onDone={() => setEditing(null)} /> : null}
            </div>
          ) : (
            <div>
              <Typography.Text type="secondary">{t(`loops.complaint.evidenceHelp.${s.step}`)}</Typography.Text>
              {editing === s.step ? <StepForm c={c} step={s.step} initial="" onDone={() => setEditing(null)} /> : null}
            </div>
          ),
        }))}
      />
      <Classification c={c} />
    </Card>
  );
}

function StepForm({ c, step, initial, onDone }: { c: ComplaintLoop; step: ComplaintStep; initial: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ evidence: string; satisfied?: boolean }>();
  const m = useMutation({
    mutationFn: (v: { evidence: string; satisfied?: boolean }) =>
      api.post<ComplaintLoop>(`/tickets/${c.ticketId}/complaint/steps`, {
        step,
        evidence: v.evidence,
        ...(step === 'revisit' ? { satisfied: Boolean(v.satisfied) } : {}),
      }),
    onSuccess: (data) => {
      qc.setQueryData(LOOP_KEYS.complaint(c.ticketId), data);
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      onDone();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Form form={form} layout="vertical" initialValues={{ evidence: initial, satisfied: true }} onFinish={(v) => m.mutate(v)} style={{ marginTop: 8 }}>
      <Form.Item name="evidence" label={t(`loops.complaint.evidence.${step}`)} rules={[{ required: true, whitespace: true }]}>
        <Input.TextArea rows={3} maxLength={4000} data-testid="complaint-evidence" />
      </Form.Item>
      {step === 'revisit' ? (
        <Form.Item name="satisfied" label={t('loops.complaint.satisfiedQ')} valuePropName="checked">
          <Switch />
        </Form.Item>
      ) : null}
      <Flex gap={8}>
        <Button type="primary" htmlType="submit" size="small" loading={m.isPending} data-testid="complaint-save">
          {t('common.save')}
        </Button>
        <Button size="small" onClick={onDone}>
          {t('common.cancel')}
        </Button>
      </Flex>
    </Form>
  );
}

type ClassificationValues = Partial<Pick<ComplaintLoop, 'category' | 'responsibility' | 'severity' | 'rootCause'>>;

function Classification({ c }: { c: ComplaintLoop }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (v: ClassificationValues) => api.patch<ComplaintLoop>(`/tickets/${c.ticketId}/complaint`, v),
    onSuccess: (data) => {
      qc.setQueryData(LOOP_KEYS.complaint(c.ticketId), data);
      void qc.invalidateQueries({ queryKey: ['tickets'] });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Form<ClassificationValues>
      layout="vertical"
      size="small"
      style={{ marginTop: 8 }}
      initialValues={{ category: c.category, responsibility: c.responsibility, severity: c.severity, rootCause: c.rootCause }}
      onFinish={(v) => m.mutate(v)}
    >
      <Typography.Text strong>{t('loops.complaint.classification')}</Typography.Text>
      <Flex gap={8} wrap style={{ marginTop: 8 }}>
        <Form.Item name="category" label={t('loops.complaint.category')} style={{ minWidth: 140, flex: 1 }}>
          <Select
            allowClear
            options={['服务态度', '收费争议', '维修质量', '响应不及时', '环境卫生', '安全管理', '其他'].map((x) => ({ value: x, label: x }))}
          />
        </Form.Item>
        <Form.Item name="responsibility" label={t('loops.complaint.responsibility')} style={{ minWidth: 140, flex: 1 }}>
          <Select
            allowClear
            options={['ours', 'partner', 'customer', 'undetermined'].map((x) => ({ value: x, label: t(`loops.complaint.responsibilities.${x}`) }))}
          />
        </Form.Item>
        <Form.Item name="severity" label={t('loops.complaint.severity')} style={{ minWidth: 120, flex: 1 }}>
          <Select options={['minor', 'normal', 'serious'].map((x) => ({ value: x, label: t(`loops.complaint.severities.${x}`) }))} />
        </Form.Item>
      </Flex>
      <Form.Item name="rootCause" label={t('loops.complaint.rootCause')}>
        <Input.TextArea rows={2} maxLength={1000} />
      </Form.Item>
      <Button htmlType="submit" size="small" loading={m.isPending}>
        {t('loops.complaint.saveClassification')}
      </Button>
    </Form>
  );
}
