import { useState } from 'react';
import { App, Badge, Button, Card, Empty, Flex, Form, Input, Modal, Radio, Segmented, Space, Switch, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat } from '../auth/me';
import { useRecoveryCases, type RecoveryCase } from './api';
import { boardStyle, columnStyle, Countdown, useNow } from './ui';

const COLUMNS = ['open', 'contacted', 'solution_proposed', 'revisited'] as const;
const NEXT: Record<string, 'contact' | 'solution' | 'revisit' | 'close'> = {
  open: 'contact',
  contacted: 'solution',
  solution_proposed: 'revisit',
  revisited: 'close',
};

/** 低分挽回看板: cases by step, countdown of each recovery standard, overdue in red. */
export default function RecoveryBoard() {
  const { t } = useTranslation();
  const [view, setView] = useState<'open' | 'closed'>('open');
  const q = useRecoveryCases(view);
  const now = useNow();
  const items = q.data?.items ?? [];
  return (
    <Page
      title={t('loops.recovery.title')}
      subtitle={t('loops.recovery.subtitle')}
      extra={
        <Segmented
          value={view}
          onChange={(v) => setView(v as 'open' | 'closed')}
          options={[
            { value: 'open', label: t('loops.recovery.open') },
            { value: 'closed', label: t('loops.recovery.closed') },
          ]}
        />
      }
    >
      {view === 'open' ? (
        <div style={boardStyle} data-testid="recovery-board">
          {COLUMNS.map((col) => {
            const list = items.filter((c) => c.state === col);
            return (
              <div key={col} style={columnStyle}>
                <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
                  <Typography.Text strong>{t(`loops.recovery.states.${col}`)}</Typography.Text>
                  <Badge count={list.length} showZero color={col === 'open' ? '#cf1322' : '#8c8c8c'} />
                </Flex>
                <Flex vertical gap={10}>
                  {list.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('loops.empty')} /> : null}
                  {list.map((c) => (
                    <CaseCard key={c.id} c={c} now={now} />
                  ))}
                </Flex>
              </div>
            );
          })}
        </div>
      ) : (
        <Flex vertical gap={10}>
          {items.length === 0 ? <Empty description={t('loops.empty')} /> : null}
          {items.map((c) => (
            <CaseCard key={c.id} c={c} now={now} />
          ))}
        </Flex>
      )}
    </Page>
  );
}

function CaseCard({ c, now }: { c: RecoveryCase; now: number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [acting, setActing] = useState<string | null>(null);
  const overdue = c.standards.some((s) => s.state === 'breached' || (s.state === 'running' && s.dueAt && Date.parse(s.dueAt) < now));
  const next = c.state === 'closed' ? null : NEXT[c.state];
  return (
    <Card
      size="small"
      data-testid="recovery-card"
      style={{ borderColor: overdue ? '#ff7875' : undefined, background: overdue ? '#fff1f0' : undefined }}
      title={<Link to={`/tickets/${c.ticketId}`}>{c.ticketNumber}</Link>}
      extra={
        <Space size={4}>
          {Object.entries(c.score).map(([k, v]) => (
            <Tag key={k} color="red">
              {k.toUpperCase()} {v}
            </Tag>
          ))}
        </Space>
      }
    >
      <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 6 }}>
        {c.ticketSubject}
      </Typography.Paragraph>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {c.customerName} · {fmt.shortTime(c.openedAt)}
      </Typography.Text>
      {c.reasons.length ? (
        <Flex wrap gap={4} style={{ margin: '6px 0' }}>
          {c.reasons.map((r) => (
            <Tag key={r} color="orange">
              {r}
            </Tag>
          ))}
        </Flex>
      ) : null}
      <Flex vertical gap={4} style={{ marginTop: 6 }}>
        {c.standards.map((s) => (
          <div key={s.code}>
            <Countdown clock={s} now={now} />
          </div>
        ))}
      </Flex>
      {c.state === 'closed' ? (
        <Tag color={c.outcome === 'recovered' ? 'green' : 'default'} style={{ marginTop: 8 }}>
          {t(`loops.recovery.outcomes.${c.outcome}`)}
        </Tag>
      ) : null}
      {next ? (
        <Flex gap={6} wrap style={{ marginTop: 10 }}>
          <Button size="small" type="primary" onClick={() => setActing(next)}>
            {t(`loops.recovery.actions.${next}`)}
          </Button>
          {next !== 'close' ? (
            <Button size="small" onClick={() => setActing('close')}>
              {t('loops.recovery.actions.close')}
            </Button>
          ) : null}
        </Flex>
      ) : null}
      {acting ? <StepModal c={c} step={acting} onClose={() => setActing(null)} /> : null}
    </Card>
  );
}

function StepModal({ c, step, onClose }: { c: RecoveryCase; step: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ note: string; outcome?: string; sendSurvey?: boolean }>();
  const m = useMutation({
    mutationFn: (v: { note: string; outcome?: string; sendSurvey?: boolean }) =>
      step === 'close'
        ? api.post(`/recovery-cases/${c.id}/close`, { outcome: v.outcome, note: v.note || undefined, sendSurvey: Boolean(v.sendSurvey) })
        : api.post(`/recovery-cases/${c.id}/${step}`, { note: v.note }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['recovery-cases'] });
      onClose();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Modal
      open
      title={t(`loops.recovery.actions.${step}`)}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={m.isPending}
      okText={t('common.save')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => m.mutate(v)}>
        {step === 'close' ? (
          <>
            <Form.Item name="outcome" label={t('loops.recovery.outcome')} rules={[{ required: true, message: t('loops.recovery.outcomeRequired') }]}>
              <Radio.Group
                options={[
                  { value: 'recovered', label: t('loops.recovery.outcomes.recovered') },
                  { value: 'not_recovered', label: t('loops.recovery.outcomes.not_recovered') },
                ]}
              />
            </Form.Item>
            <Form.Item name="sendSurvey" label={t('loops.recovery.sendSurvey')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </>
        ) : null}
        <Form.Item name="note" label={t(`loops.recovery.notes.${step}`)} rules={step === 'close' ? [] : [{ required: true, whitespace: true }]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
