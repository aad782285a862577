import { useState } from 'react';
import { App, Button, Card, Col, Drawer, Form, Input, Modal, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat, usePermission } from '../auth/me';
import { ENV_KEYS, ENV_PERM, useEnvChecks, useEnvTasks, useOutOfRange, useSiteHistory, type EnvTask } from './api';

/** 环境检查 (supervisors, 1440×900): open corrective tasks with their standard, out-of-range count per site, checks. */
export default function EnvironmentPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const canInspect = usePermission(ENV_PERM.inspect);
  const tasks = useEnvTasks('open');
  const figures = useOutOfRange();
  const checks = useEnvChecks();
  const [closing, setClosing] = useState<EnvTask | null>(null);
  const [site, setSite] = useState<string | undefined>();
  const total = figures.data?.total;
  return (
    <Page
      title={t('envCheck.page.title')}
      subtitle={t('envCheck.page.subtitle')}
      extra={
        canInspect ? (
          <Link to="/env/check">
            <Button type="primary">{t('envCheck.page.newCheck')}</Button>
          </Link>
        ) : null
      }
    >
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('envCheck.figures.checks')} value={total?.checks ?? 0} loading={figures.isLoading} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('envCheck.figures.failedChecks')} value={total?.failedChecks ?? 0} loading={figures.isLoading} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('envCheck.figures.outOfRange')} value={total?.outOfRange ?? 0} loading={figures.isLoading} valueStyle={{ color: '#cf1322' }} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('envCheck.figures.openTasks')} value={total?.openTasks ?? 0} loading={figures.isLoading} />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('envCheck.tasks.title')} style={{ marginTop: 12 }} data-testid="env-open-tasks">
        <Table<EnvTask>
          rowKey="id"
          size="small"
          loading={tasks.isLoading}
          pagination={false}
          dataSource={tasks.data?.items ?? []}
          locale={{ emptyText: t('envCheck.tasks.empty') }}
          scroll={{ x: 900 }}
          columns={[
            { title: t('envCheck.col.site'), render: (_, r) => <a onClick={() => setSite(r.site.id)}>{r.site.name}</a> },
            { title: t('envCheck.col.item'), dataIndex: 'label' },
            { title: t('envCheck.col.measured'), render: (_, r) => <Typography.Text type="danger">{r.value}</Typography.Text> },
            { title: t('envCheck.col.expected'), dataIndex: 'expected' },
            { title: t('envCheck.col.opened'), render: (_, r) => f.tableTime(r.openedAt) },
            {
              title: t('envCheck.col.standard'),
              render: (_, r) =>
                r.standard ? (
                  <Space size={4}>
                    <Tag color={r.standard.breached ? 'red' : 'blue'}>{r.standard.breached ? t('envCheck.task.breached') : t('envCheck.task.running')}</Tag>
                    {r.standard.dueAt ? <Typography.Text type="secondary">{f.tableTime(r.standard.dueAt)}</Typography.Text> : null}
                  </Space>
                ) : (
                  '—'
                ),
            },
            { title: t('envCheck.col.ticket'), render: (_, r) => (r.ticket ? <Link to={`/tickets/${r.ticket.id}`}>{r.ticket.number}</Link> : '—') },
            {
              title: '',
              render: (_, r) =>
                r.allowed.close ? (
                  <Button size="small" onClick={() => setClosing(r)}>
                    {t('envCheck.tasks.close')}
                  </Button>
                ) : null,
            },
          ]}
        />
      </Card>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('envCheck.figures.perSite')}>
            <Table
              rowKey={(r) => r.site.id}
              size="small"
              pagination={false}
              loading={figures.isLoading}
              dataSource={figures.data?.sites ?? []}
              columns={[
                { title: t('envCheck.col.site'), render: (_, r) => <a onClick={() => setSite(r.site.id)}>{r.site.name}</a> },
                { title: t('envCheck.figures.checks'), dataIndex: 'checks' },
                { title: t('envCheck.figures.outOfRange'), dataIndex: 'outOfRange' },
                { title: t('envCheck.figures.openTasks'), dataIndex: 'openTasks' },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('envCheck.checks.title')}>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              loading={checks.isLoading}
              dataSource={checks.data?.items ?? []}
              columns={[
                { title: t('envCheck.col.time'), render: (_, r) => f.tableTime(r.createdAt) },
                { title: t('envCheck.col.site'), render: (_, r) => <a onClick={() => setSite(r.site.id)}>{r.site.name}</a> },
                { title: t('envCheck.col.inspector'), render: (_, r) => r.inspector.name },
                {
                  title: t('envCheck.col.result'),
                  render: (_, r) =>
                    r.outOfRange ? (
                      <Tag color="red">{t('envCheck.checks.failed', { count: r.outOfRange })}</Tag>
                    ) : (
                      <Tag color="green">{t('envCheck.checks.ok')}</Tag>
                    ),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <CloseModal task={closing} onClose={() => setClosing(null)} />
      <SiteDrawer siteId={site} onClose={() => setSite(undefined)} />
    </Page>
  );
}

function CloseModal({ task, onClose }: { task: EnvTask | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ note: string }>();
  const close = useMutation({
    mutationFn: (note: string) => http.post('/env/tasks/{id}/close', { path: { id: task!.id }, body: { note } }),
    onSuccess: async () => {
      message.success(t('envCheck.tasks.closed'));
      form.resetFields();
      onClose();
      await qc.invalidateQueries({ queryKey: ['env-tasks'] });
      await qc.invalidateQueries({ queryKey: ENV_KEYS.figures });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Modal
      open={task !== null}
      title={task ? `${t('envCheck.tasks.close')} · ${task.site.name} · ${task.label}` : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={close.isPending}
      okText={t('envCheck.tasks.close')}
    >
      <Form form={form} layout="vertical" onFinish={(v) => close.mutate(v.note)}>
        <Form.Item name="note" label={t('envCheck.tasks.note')} rules={[{ required: true, whitespace: true, message: t('envCheck.tasks.noteRequired') }]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SiteDrawer({ siteId, onClose }: { siteId: string | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const history = useSiteHistory(siteId);
  const h = history.data;
  return (
    <Drawer
      open={Boolean(siteId)}
      onClose={onClose}
      width={560}
      title={h ? t('envCheck.history.title', { site: h.site.name }) : ''}
      loading={history.isLoading}
    >
      {h ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>{t('envCheck.history.summary', { checks: h.checkCount, out: h.outOfRange, open: h.openTasks.length })}</Typography.Text>
          {h.checks.map((c) => (
            <Card key={c.id} size="small" title={`${f.tableTime(c.createdAt)} · ${c.inspector.name}`}>
              <Space wrap size={[4, 4]}>
                {c.results.map((r) => (
                  <Tag key={r.key} color={r.ok ? 'default' : 'red'}>
                    {`${r.label} ${typeof r.value === 'boolean' ? (r.value ? t('envCheck.yes') : t('envCheck.no')) : `${r.value}${r.unit ? ` ${r.unit}` : ''}`}`}
                  </Tag>
                ))}
              </Space>
              {c.note ? <Typography.Paragraph style={{ margin: '8px 0 0' }}>{c.note}</Typography.Paragraph> : null}
            </Card>
          ))}
        </Space>
      ) : null}
    </Drawer>
  );
}
