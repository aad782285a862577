import { useState } from 'react';
import { App, Button, Empty, Flex, Form, Input, List, Modal, Segmented, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { QA_KEYS } from './api';

export type CoachingTask = ItemOf<ResponseOf<'get', '/qa/coaching'>['items']>;
type StateFilter = 'open' | 'done' | 'all';

export const useCoaching = (state: StateFilter) =>
  useQuery({
    queryKey: [...QA_KEYS.all, 'coaching', state],
    queryFn: () => http.get('/qa/coaching', { query: { ...(state === 'all' ? {} : { state }), limit: 100 } }),
  });

function CompleteModal({ task, onClose }: { task: CoachingTask; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ note: string }>();
  const done = useMutation({
    mutationFn: (v: { note: string }) => http.post('/qa/coaching/{id}/complete', { path: { id: task.id }, body: v }),
    onSuccess: async () => {
      void message.success(t('quality.coaching.completed'));
      await qc.invalidateQueries({ queryKey: QA_KEYS.all });
      onClose();
    },
    onError: (e) => showError(e, { form, fields: ['note'] }),
  });
  return (
    <Modal
      open
      title={t('quality.coaching.completeTitle', { agent: task.agent?.name ?? '' })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={done.isPending}
      okButtonProps={{ 'data-testid': 'coaching-ok' }}
    >
      <Form form={form} layout="vertical" onFinish={(v) => done.mutate(v)}>
        <Form.Item name="note" label={t('quality.coaching.note')} rules={[{ required: true, whitespace: true, message: t('quality.coaching.noteRequired') }]}>
          <Input.TextArea
            autoSize={{ minRows: 3, maxRows: 6 }}
            maxLength={2000}
            placeholder={t('quality.coaching.notePlaceholder')}
            data-testid="coaching-note"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Coaching tasks as a list that reads on a phone: the agent, the ticket, each low item with its score, the state. */
export function CoachingList({ state, canComplete }: { state: StateFilter; canComplete: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const list = useCoaching(state);
  const [completing, setCompleting] = useState<CoachingTask | null>(null);
  return (
    <>
      <List
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('quality.coaching.empty')} /> }}
        renderItem={(c) => (
          <List.Item
            key={c.id}
            data-testid={`coaching-${c.ticketNumber}`}
            actions={
              canComplete && c.state === 'open'
                ? [
                    <Button key="done" size="small" type="primary" onClick={() => setCompleting(c)} data-testid={`coaching-complete-${c.ticketNumber}`}>
                      {t('quality.coaching.complete')}
                    </Button>,
                  ]
                : []
            }
          >
            <Flex vertical gap={4} style={{ minWidth: 0 }}>
              <Flex gap={6} wrap align="center">
                <Typography.Text strong>{c.agent?.name}</Typography.Text>
                <Link to={`/qa/inspections/${c.inspectionId}`}>{c.ticketNumber}</Link>
                <Typography.Text type="secondary" ellipsis style={{ maxWidth: 260 }}>
                  {c.ticketSubject}
                </Typography.Text>
                <Tag color={c.state === 'open' ? 'orange' : 'green'}>{t(`quality.coaching.state.${c.state}`)}</Tag>
              </Flex>
              <Flex gap={4} wrap>
                {c.items.map((it) => (
                  <Tag key={it.item} color={it.critical ? 'red' : 'default'}>
                    {it.label} {it.score}/{it.max}
                  </Tag>
                ))}
              </Flex>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {c.state === 'done'
                  ? t('quality.coaching.doneBy', { name: c.doneBy?.name ?? '', at: fmt.dateTime(c.doneAt) })
                  : t('quality.coaching.openedAt', { at: fmt.dateTime(c.createdAt) })}
              </Typography.Text>
              {c.note ? <Typography.Text>{c.note}</Typography.Text> : null}
            </Flex>
          </List.Item>
        )}
      />
      {completing ? <CompleteModal task={completing} onClose={() => setCompleting(null)} /> : null}
    </>
  );
}

/** 辅导任务: low inspection items of the agents, coached by their supervisor and closed with a note. */
export default function CoachingPage() {
  const { t } = useTranslation();
  const [state, setState] = useState<StateFilter>('open');
  return (
    <Page
      title={t('quality.coaching.title')}
      subtitle={t('quality.coaching.subtitle')}
      extra={
        <Segmented
          value={state}
          onChange={(v) => setState(v)}
          options={(['open', 'done', 'all'] as const).map((s) => ({ value: s, label: t(`quality.coaching.filter.${s}`) }))}
        />
      }
    >
      <CoachingList state={state} canComplete />
    </Page>
  );
}
