import { useState } from 'react';
import { App, Form, Input, InputNumber, Modal, Radio, Segmented, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { QA_KEYS, useAppeals, type Appeal } from './api';

function RuleModal({ appeal, onClose }: { appeal: Appeal; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ decision: 'upheld' | 'revised'; score?: number; reason: string }>();
  const decision = Form.useWatch('decision', form);
  const rule = useMutation({
    mutationFn: (v: { decision: 'upheld' | 'revised'; score?: number; reason: string }) =>
      http.post('/qa/appeals/{id}/rule', {
        path: { id: appeal.id },
        body: { decision: v.decision, reason: v.reason, ...(v.decision === 'revised' ? { score: v.score } : {}) },
      }),
    onSuccess: async () => {
      void message.success(t('quality.appeals.ruled'));
      await qc.invalidateQueries({ queryKey: QA_KEYS.all });
      onClose();
    },
    onError: (e) => showError(e, { form, fields: ['decision', 'score', 'reason'] }),
  });
  return (
    <Modal
      open
      title={t('quality.appeals.ruleTitle', { number: appeal.ticketNumber })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={rule.isPending}
      okButtonProps={{ 'data-testid': 'rule-ok' }}
    >
      <Typography.Paragraph>
        {appeal.agent?.name}：{appeal.reason}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ decision: 'upheld' }} onFinish={(v) => rule.mutate(v)}>
        <Form.Item name="decision" label={t('quality.appeals.decision')}>
          <Radio.Group data-testid="rule-decision">
            <Radio value="upheld">{t('quality.appealState.upheld')}</Radio>
            <Radio value="revised">{t('quality.appealState.revised')}</Radio>
          </Radio.Group>
        </Form.Item>
        {decision === 'revised' ? (
          <Form.Item
            name="score"
            label={t('quality.appeals.newScore', { before: appeal.scoreBefore })}
            rules={[{ required: true, message: t('quality.appeals.scoreRequired') }]}
          >
            <InputNumber min={0} max={100} step={0.5} data-testid="rule-score" />
          </Form.Item>
        ) : null}
        <Form.Item
          name="reason"
          label={t('quality.appeals.reason')}
          rules={[{ required: true, whitespace: true, message: t('quality.appeals.reasonRequired') }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} data-testid="rule-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 申诉: appeals with both scores and the ruling deadline (a standard); a second inspector or supervisor rules. */
export default function AppealsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [state, setState] = useState<'open' | 'upheld' | 'revised' | 'all'>('open');
  const list = useAppeals(state === 'all' ? undefined : state);
  const [ruling, setRuling] = useState<Appeal | null>(null);
  return (
    <Page
      title={t('quality.appeals.title')}
      subtitle={t('quality.appeals.subtitle')}
      extra={
        <Segmented
          value={state}
          onChange={(v) => setState(v)}
          options={(['open', 'upheld', 'revised', 'all'] as const).map((s) => ({ value: s, label: t(`quality.appealFilter.${s}`) }))}
        />
      }
    >
      <Table
        size="small"
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 820 }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('quality.ticket'), render: (_, a) => <Link to={`/qa/inspections/${a.inspectionId}`}>{a.ticketNumber}</Link> },
          { title: t('quality.agent'), render: (_, a) => a.agent?.name },
          { title: t('quality.appeal.reason'), dataIndex: 'reason', ellipsis: true },
          {
            title: t('quality.appeal.scores'),
            render: (_, a) => (
              <span>
                {a.scoreBefore}
                {a.scoreAfter !== null && a.state !== 'open' ? ` → ${a.scoreAfter}` : ''}
              </span>
            ),
          },
          {
            title: t('quality.appeal.due'),
            render: (_, a) =>
              a.ruling ? (
                <span>
                  {fmt.dateTime(a.ruling.dueAt)} {a.ruling.breachedAt ? <Tag color="red">{t('quality.appeal.breached')}</Tag> : null}
                </span>
              ) : (
                <Typography.Text type="secondary">{t('quality.appeal.noClock')}</Typography.Text>
              ),
          },
          {
            title: t('quality.stateCol'),
            render: (_, a) => (
              <Tag color={a.state === 'open' ? 'orange' : a.state === 'revised' ? 'purple' : 'blue'}>{t(`quality.appealState.${a.state}`)}</Tag>
            ),
          },
          {
            title: '',
            width: 90,
            render: (_, a) =>
              a.state === 'open' ? (
                <a onClick={() => setRuling(a)} data-testid={`rule-${a.ticketNumber}`}>
                  {t('quality.appeals.rule')}
                </a>
              ) : (
                <Typography.Text type="secondary">{a.ruledBy?.name}</Typography.Text>
              ),
          },
        ]}
      />
      {ruling ? <RuleModal appeal={ruling} onClose={() => setRuling(null)} /> : null}
    </Page>
  );
}
