import { useState } from 'react';
import { App, Button, Card, DatePicker, Empty, Flex, Form, InputNumber, Modal, Table } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { dayjs } from '../../lib/time';
import { usePermission } from '../auth/me';
import { Composite } from './Composite';
import { Proposals } from './Proposals';
import { PARTS, QA_KEYS, QA_PERM, usePerformance, useRanking, useWeights } from './api';

function WeightsModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const showError = useApiError();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const w = useWeights();
  const [form] = Form.useForm<Record<(typeof PARTS)[number], number> & { proposalTarget: number }>();
  const save = useMutation({
    mutationFn: (v: Record<(typeof PARTS)[number], number> & { proposalTarget: number }) =>
      http.put('/performance/weights', {
        body: {
          qa: v.qa / 100,
          satisfaction: v.satisfaction / 100,
          complaints: v.complaints / 100,
          proposals: v.proposals / 100,
          proposalTarget: v.proposalTarget,
        },
      }),
    onSuccess: async () => {
      void message.success(t('quality.perf.weightsSaved'));
      await qc.invalidateQueries({ queryKey: QA_KEYS.all });
      onClose();
    },
    onError: (e) => showError(e, { form, fields: [...PARTS, 'proposalTarget'] }),
  });
  if (!w.data) return null;
  return (
    <Modal open title={t('quality.perf.weights')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={save.isPending}>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ ...Object.fromEntries(PARTS.map((k) => [k, Math.round(w.data[k] * 100)])), proposalTarget: w.data.proposalTarget }}
        onFinish={(v) => save.mutate(v)}
      >
        <Flex gap={12} wrap>
          {PARTS.map((k) => (
            <Form.Item key={k} name={k} label={t(`quality.part.${k}`)}>
              <InputNumber min={0} max={100} addonAfter="%" style={{ width: 120 }} />
            </Form.Item>
          ))}
        </Flex>
        <Form.Item name="proposalTarget" label={t('quality.perf.proposalTarget')}>
          <InputNumber min={1} max={20} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 绩效: the composite (QA 40 % + satisfaction 30 % + complaints 20 % + proposals 10 %), the team ranking, proposals. */
export default function PerformancePage() {
  const { t } = useTranslation();
  const [month, setMonth] = useState(dayjs().format('YYYY-MM'));
  const [agentId, setAgentId] = useState<string | undefined>();
  const canRank = usePermission(QA_PERM.performance);
  const canWeights = usePermission(QA_PERM.weights);
  const [editing, setEditing] = useState(false);
  const own = usePerformance(month, agentId);
  const ranking = useRanking(month, canRank);
  return (
    <Page
      title={t('quality.perf.title')}
      subtitle={t('quality.perf.subtitle')}
      extra={
        <>
          <DatePicker picker="month" allowClear={false} value={dayjs(`${month}-01`)} onChange={(d) => d && setMonth(d.format('YYYY-MM'))} />
          {canWeights ? <Button onClick={() => setEditing(true)}>{t('quality.perf.weights')}</Button> : null}
        </>
      }
    >
      <Flex vertical gap={16}>
        {own.data ? <Composite p={own.data} /> : own.isError ? null : <Card loading />}
        {canRank ? (
          <Card size="small" title={t('quality.perf.ranking')}>
            <Table
              size="small"
              rowKey={(r) => r.agent?.id ?? String(r.rank)}
              loading={ranking.isLoading}
              dataSource={ranking.data?.items ?? []}
              scroll={{ x: 680 }}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              locale={{ emptyText: <Empty /> }}
              onRow={(r) => ({ onClick: () => setAgentId(r.agent?.id), style: { cursor: 'pointer' } })}
              columns={[
                { title: t('quality.perf.rank'), dataIndex: 'rank', width: 60 },
                { title: t('quality.agent'), render: (_, r) => r.agent?.name },
                { title: t('quality.perf.score'), render: (_, r) => (r.score === null ? '—' : r.score.toFixed(1)) },
                ...PARTS.map((k) => ({
                  title: t(`quality.part.${k}`),
                  key: k,
                  render: (_: unknown, r: (typeof ranking.data & object)['items'][number]) => (r.parts[k].score === null ? '—' : r.parts[k].score.toFixed(1)),
                })),
              ]}
            />
          </Card>
        ) : null}
        <Proposals />
      </Flex>
      {editing ? <WeightsModal onClose={() => setEditing(false)} /> : null}
    </Page>
  );
}
