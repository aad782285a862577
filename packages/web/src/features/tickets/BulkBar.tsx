import { useState } from 'react';
import { Button, Flex, Form, Input, List, Modal, Radio, Result, Select, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import i18n from '../../i18n';
import { ticketsApi } from '../../api/endpoints';
import { PERM, PRIORITIES, WORK_STATUSES, type BulkAction, type BulkBody, type BulkResult, type TicketSummary } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { priorityLabel, ticketStatusLabel } from '../auth/labels';
import { useMe, usePermission } from '../auth/me';
import { StaffSelect } from '../staff/StaffSelect';
import { ticketKeys } from './queries';
import { TicketNumber } from './ui';

const ACTIONS: BulkAction[] = ['assign', 'priority', 'tag', 'status', 'resolve'];

/** Localised reason for a failed bulk item: `errors.<code>` when known, else the server's detail. */
function failureText(r: { code?: string; detail?: string }): string {
  if (r.code && i18n.exists(`errors.${r.code}`)) {
    const base = i18n.t(`errors.${r.code}`, { seconds: 60 });
    return r.detail ? `${base}（${r.detail}）` : base;
  }
  return r.detail ?? r.code ?? '';
}

/** Selection bar of the queue: bulk assign / priority / tag / status / resolve with per-ticket results. */
export function BulkBar({ selected, onClear }: { selected: TicketSummary[]; onClear: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const supervisor = usePermission(PERM.ticketsAssignAny);
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<BulkAction | null>(null);
  const [result, setResult] = useState<{ res: BulkResult; numbers: Map<string, string> } | null>(null);
  const [form] = Form.useForm();

  const run = useMutation({
    mutationFn: (body: BulkBody) => ticketsApi.bulk(body),
    onSuccess: (res) => {
      setResult({ res, numbers: new Map(selected.map((r) => [r.id, r.number])) });
      setAction(null);
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: ticketKeys.all });
      if (res.failed === 0) onClear();
    },
    onError: (err) => showError(err),
  });

  const submit = (v: Record<string, unknown>) => {
    const ids = selected.map((r) => r.id);
    if (!action) return;
    const body: BulkBody = { ids, action };
    if (action === 'assign') body.ownerId = (v.ownerId as string | undefined) ?? me.id;
    if (action === 'priority') body.priority = v.priority as BulkBody['priority'];
    if (action === 'tag') body.tags = ((v.tags as string[] | undefined) ?? []).map((s) => s.trim()).filter(Boolean);
    if (action === 'status') body.status = v.status as BulkBody['status'];
    if (action === 'resolve') body.resolution = (typeof v.resolution === 'string' ? v.resolution : '').trim();
    run.mutate(body);
  };

  return (
    <>
      {selected.length > 0 ? (
        <Flex className="chidu-bulk-bar" gap={8} align="center" wrap data-testid="bulk-bar">
          <Typography.Text strong>{t('bulk.selected', { n: selected.length })}</Typography.Text>
          {ACTIONS.map((a) => (
            <Button key={a} size="small" onClick={() => setAction(a)} data-testid={`bulk-${a}`}>
              {t(`bulk.actions.${a}`)}
            </Button>
          ))}
          <Button size="small" type="link" onClick={onClear}>
            {t('bulk.clear')}
          </Button>
        </Flex>
      ) : null}

      <Modal
        open={action !== null}
        title={action ? t('bulk.title', { action: t(`bulk.actions.${action}`), n: selected.length }) : ''}
        onCancel={() => setAction(null)}
        onOk={() => form.submit()}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        confirmLoading={run.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
          {action === 'assign' ? (
            <Form.Item
              name="ownerId"
              label={t('tickets.owner')}
              extra={supervisor ? undefined : t('bulk.assignSelfHint')}
              initialValue={supervisor ? undefined : me.id}
              rules={[{ required: true, message: t('validation.required') }]}
            >
              {supervisor ? (
                <StaffSelect />
              ) : (
                <Select options={[{ value: me.id, label: t('staff.optionLabel', { name: me.name, employeeNo: me.employeeNo }) }]} />
              )}
            </Form.Item>
          ) : null}
          {action === 'priority' ? (
            <Form.Item name="priority" label={t('tickets.priority')} rules={[{ required: true, message: t('validation.required') }]}>
              <Radio.Group optionType="button" options={PRIORITIES.map((p) => ({ value: p, label: priorityLabel(t, p) }))} />
            </Form.Item>
          ) : null}
          {action === 'tag' ? (
            <Form.Item name="tags" label={t('tickets.tags')} extra={t('bulk.tagHint')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} />
            </Form.Item>
          ) : null}
          {action === 'status' ? (
            <Form.Item name="status" label={t('tickets.status')} rules={[{ required: true, message: t('validation.required') }]}>
              <Radio.Group optionType="button" options={WORK_STATUSES.map((s) => ({ value: s, label: ticketStatusLabel(t, s) }))} />
            </Form.Item>
          ) : null}
          {action === 'resolve' ? (
            <Form.Item name="resolution" label={t('tickets.resolution')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
              <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={5000} placeholder={t('tickets.actions.resolutionPlaceholder')} />
            </Form.Item>
          ) : null}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {selected.map((r) => r.number).join('、')}
          </Typography.Text>
        </Form>
      </Modal>

      <Modal
        open={result !== null}
        onCancel={() => setResult(null)}
        footer={
          <Button type="primary" onClick={() => setResult(null)}>
            {t('common.close')}
          </Button>
        }
        title={t('bulk.resultTitle')}
        data-testid="bulk-result"
      >
        {result ? (
          <>
            <Result
              status={result.res.failed === 0 ? 'success' : result.res.succeeded === 0 ? 'error' : 'warning'}
              title={t('bulk.summary', { ok: result.res.succeeded, failed: result.res.failed })}
              style={{ padding: '8px 0 16px' }}
            />
            <List
              size="small"
              dataSource={result.res.results}
              renderItem={(r) => (
                <List.Item>
                  <Flex gap={8} align="flex-start" style={{ width: '100%' }}>
                    {r.ok ? <CheckCircleFilled style={{ color: '#52c41a', marginTop: 4 }} /> : <CloseCircleFilled style={{ color: '#ff4d4f', marginTop: 4 }} />}
                    <Flex vertical style={{ minWidth: 0 }}>
                      <TicketNumber number={result.numbers.get(r.id) ?? r.id} />
                      {r.ok ? null : (
                        <Typography.Text type="danger" style={{ fontSize: 13 }}>
                          {failureText(r)}
                        </Typography.Text>
                      )}
                    </Flex>
                  </Flex>
                </List.Item>
              )}
            />
          </>
        ) : null}
      </Modal>
    </>
  );
}
