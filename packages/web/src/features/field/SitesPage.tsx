import { useState } from 'react';
import { App, Button, Card, Col, DatePicker, Descriptions, Empty, Form, Input, Modal, Row, Select, Space, Table, Tag, Tree, Typography, Upload } from 'antd';
import { CloseOutlined, FileExcelOutlined, FilePdfOutlined, ImportOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { usePermission } from '../auth/me';
import { FIELD_KEYS, FIELD_PERM, useSite, useSites, type Site } from './api';

const KINDS = ['community', 'building', 'unit', 'room', 'store', 'outlet', 'site'] as const;

interface TreeNode {
  key: string;
  title: string;
  children: TreeNode[];
}
function buildTree(sites: Site[]): TreeNode[] {
  const nodes = new Map(sites.map((s) => [s.id, { key: s.id, title: s.name, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const s of sites) {
    const n = nodes.get(s.id)!;
    const parent = s.parentId ? nodes.get(s.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

/** The bytes of a file as base64 (chunked: String.fromCharCode takes a bounded number of arguments). */
async function base64Of(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** 站点与设备: the site tree, a site's assets, linked customers and QR codes, label sheets (HTML, PDF), CSV/xlsx import. */
export default function SitesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const canManage = usePermission(FIELD_PERM.manage);
  const sites = useSites();
  const items = sites.data?.items ?? [];
  const [selected, setSelected] = useState<string | undefined>();
  const current = selected ?? items.find((s) => !s.parentId)?.id;
  const detail = useSite(current);
  const qr = useQuery({
    queryKey: ['field-site-qr', current],
    queryFn: () => http.get('/sites/{id}/qr', { path: { id: current! } }),
    enabled: Boolean(current) && canManage,
  });
  const [adding, setAdding] = useState<'site' | 'asset' | 'import' | null>(null);
  const [form] = Form.useForm();
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: FIELD_KEYS.sites });
    if (current) await qc.invalidateQueries({ queryKey: FIELD_KEYS.site(current) });
  };
  const save = useMutation({
    mutationFn: async (v: Record<string, unknown>) => {
      if (adding === 'site')
        return http.post('/sites', {
          body: {
            name: String(v.name),
            kind: v.kind as (typeof KINDS)[number],
            address: (v.address as string) || null,
            parentId: (v.parentId as string) || null,
          },
        });
      if (adding === 'asset')
        return http.post('/assets', {
          body: {
            siteId: current!,
            name: String(v.name),
            model: (v.model as string) || null,
            serial: (v.serial as string) || null,
            installDate: v.installDate ? (v.installDate as Dayjs).format('YYYY-MM-DD') : null,
            warrantyEnd: v.warrantyEnd ? (v.warrantyEnd as Dayjs).format('YYYY-MM-DD') : null,
          },
        });
      return null;
    },
    onSuccess: async () => {
      message.success(t('field.saved'));
      setAdding(null);
      form.resetFields();
      await refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const [csv, setCsv] = useState('path,kind,address\n');
  /** A picked .xlsx workbook (sent instead of the CSV text). */
  const [xlsx, setXlsx] = useState<{ name: string; base64: string } | null>(null);
  const pickFile = async (file: File) => {
    setImportResult(null);
    if (/\.xlsx$/i.test(file.name)) setXlsx({ name: file.name, base64: await base64Of(file) });
    else {
      setXlsx(null);
      setCsv(await file.text());
    }
  };
  const [importResult, setImportResult] = useState<{ dryRun: boolean; created: number; existing: number; errors: { row: number; message: string }[] } | null>(
    null,
  );
  const runImport = useMutation({
    mutationFn: (dryRun: boolean) => http.post('/sites/import', { body: xlsx ? { xlsx: xlsx.base64, dryRun } : { csv, dryRun } }),
    onSuccess: async (r) => {
      setImportResult(r);
      if (!r.dryRun) await refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });

  const d = detail.data;
  return (
    <Page
      title={t('field.sites.title')}
      subtitle={t('field.sites.subtitle')}
      extra={
        canManage ? (
          <Space wrap>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding('site')}>
              {t('field.sites.add')}
            </Button>
            <Button icon={<ImportOutlined />} onClick={() => setAdding('import')}>
              {t('field.sites.import')}
            </Button>
          </Space>
        ) : null
      }
    >
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Card title={t('field.sites.tree')} size="small" loading={sites.isLoading}>
            {items.length ? (
              <Tree
                treeData={buildTree(items)}
                defaultExpandAll
                selectedKeys={current ? [current] : []}
                onSelect={(keys) => keys[0] && setSelected(String(keys[0]))}
              />
            ) : (
              <Empty description={t('field.sites.empty')} />
            )}
          </Card>
        </Col>
        <Col xs={24} md={16}>
          {d ? (
            <Space direction="vertical" style={{ width: '100%' }} size={16}>
              <Card
                size="small"
                title={d.path.join(' / ')}
                extra={
                  canManage ? (
                    <Space>
                      <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding('asset')}>
                        {t('field.assets.add')}
                      </Button>
                      <Button size="small" icon={<PrinterOutlined />} href={`/api/v1/sites/${d.id}/labels`} target="_blank">
                        {t('field.sites.labels')}
                      </Button>
                      <Button size="small" icon={<FilePdfOutlined />} href={`/api/v1/sites/${d.id}/labels.pdf`} download>
                        {t('field.sites.labelsPdf')}
                      </Button>
                    </Space>
                  ) : null
                }
              >
                <Row gutter={16}>
                  <Col flex="auto">
                    <Descriptions size="small" column={1}>
                      <Descriptions.Item label={t('field.sites.kind')}>{t(`field.kinds.${d.kind}`)}</Descriptions.Item>
                      <Descriptions.Item label={t('field.sites.address')}>{d.address ?? '—'}</Descriptions.Item>
                      <Descriptions.Item label={t('field.sites.children')}>{d.children.map((c) => c.name).join('、') || '—'}</Descriptions.Item>
                    </Descriptions>
                  </Col>
                  {qr.data ? (
                    <Col>
                      <div style={{ width: 120 }} dangerouslySetInnerHTML={{ __html: qr.data.svg }} />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('field.sites.qrHint')}
                      </Typography.Text>
                    </Col>
                  ) : null}
                </Row>
              </Card>
              <Card size="small" title={t('field.assets.title')}>
                <Table
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={d.assets}
                  locale={{ emptyText: t('field.assets.empty') }}
                  columns={[
                    { title: t('field.assets.name'), dataIndex: 'name' },
                    { title: t('field.assets.model'), dataIndex: 'model', render: (v: string | null) => v ?? '—' },
                    { title: t('field.assets.serial'), dataIndex: 'serial', render: (v: string | null) => v ?? '—' },
                    { title: t('field.assets.installDate'), dataIndex: 'installDate', render: (v: string | null) => v ?? '—' },
                    {
                      title: t('field.assets.warranty'),
                      dataIndex: 'warrantyEnd',
                      render: (v: string | null, r) =>
                        v ? (
                          <Tag
                            color={r.inWarranty ? 'green' : 'default'}
                          >{`${v} ${r.inWarranty ? t('field.assets.inWarranty') : t('field.assets.expired')}`}</Tag>
                        ) : (
                          '—'
                        ),
                    },
                  ]}
                />
              </Card>
              <Card size="small" title={t('field.sites.customers')}>
                {d.customers.length ? (
                  <Table
                    size="small"
                    rowKey="id"
                    pagination={false}
                    dataSource={d.customers}
                    columns={[
                      { title: t('field.sites.customerName'), dataIndex: 'name' },
                      { title: t('field.sites.room'), dataIndex: 'room', render: (v: string | null) => v ?? '—' },
                      { title: t('field.sites.phone'), dataIndex: 'phone', render: (v: string | null) => v ?? '—' },
                    ]}
                  />
                ) : (
                  <Typography.Text type="secondary">{t('field.sites.noCustomers')}</Typography.Text>
                )}
              </Card>
            </Space>
          ) : (
            <Card loading={detail.isLoading}>
              <Empty description={t('field.sites.pick')} />
            </Card>
          )}
        </Col>
      </Row>

      <Modal
        open={adding === 'site' || adding === 'asset'}
        title={adding === 'asset' ? t('field.assets.add') : t('field.sites.add')}
        onCancel={() => setAdding(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v: Record<string, unknown>) => save.mutate(v)} initialValues={{ kind: 'site', parentId: current }}>
          <Form.Item name="name" label={t('field.assets.name')} rules={[{ required: true, message: t('field.required') }]}>
            <Input maxLength={100} />
          </Form.Item>
          {adding === 'site' ? (
            <>
              <Form.Item name="kind" label={t('field.sites.kind')}>
                <Select options={KINDS.map((k) => ({ value: k, label: t(`field.kinds.${k}`) }))} />
              </Form.Item>
              <Form.Item name="parentId" label={t('field.sites.parent')}>
                <Select allowClear options={items.map((s) => ({ value: s.id, label: s.path.join(' / ') }))} />
              </Form.Item>
              <Form.Item name="address" label={t('field.sites.address')}>
                <Input maxLength={300} />
              </Form.Item>
            </>
          ) : (
            <>
              <Form.Item name="model" label={t('field.assets.model')}>
                <Input maxLength={100} />
              </Form.Item>
              <Form.Item name="serial" label={t('field.assets.serial')}>
                <Input maxLength={100} />
              </Form.Item>
              <Space>
                <Form.Item name="installDate" label={t('field.assets.installDate')}>
                  <DatePicker />
                </Form.Item>
                <Form.Item name="warrantyEnd" label={t('field.assets.warrantyEnd')}>
                  <DatePicker />
                </Form.Item>
              </Space>
            </>
          )}
        </Form>
      </Modal>

      <Modal open={adding === 'import'} title={t('field.sites.import')} onCancel={() => setAdding(null)} footer={null} width={640} destroyOnHidden>
        <Typography.Paragraph type="secondary">{t('field.import.help')}</Typography.Paragraph>
        <Space style={{ marginBottom: 8 }} wrap>
          <Upload
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            showUploadList={false}
            beforeUpload={(file) => {
              void pickFile(file);
              return false;
            }}
          >
            <Button icon={<FileExcelOutlined />} data-testid="import-file">
              {t('field.import.pickFile')}
            </Button>
          </Upload>
          {xlsx ? (
            <Tag
              closable
              closeIcon={<CloseOutlined />}
              onClose={() => {
                setXlsx(null);
                setImportResult(null);
              }}
            >
              {t('field.import.workbook', { name: xlsx.name })}
            </Tag>
          ) : null}
        </Space>
        {xlsx ? null : (
          <Input.TextArea
            rows={8}
            value={csv}
            onChange={(e) => {
              setCsv(e.target.value);
              setImportResult(null);
            }}
          />
        )}
        <Space style={{ marginTop: 12 }}>
          <Button onClick={() => runImport.mutate(true)} loading={runImport.isPending}>
            {t('field.import.dryRun')}
          </Button>
          <Button
            type="primary"
            onClick={() => runImport.mutate(false)}
            loading={runImport.isPending}
            disabled={!importResult?.dryRun || importResult.errors.length > 0}
          >
            {t('field.import.apply')}
          </Button>
        </Space>
        {importResult ? (
          <div style={{ marginTop: 12 }}>
            <Typography.Text>
              {t(importResult.dryRun ? 'field.import.wouldCreate' : 'field.import.created', { created: importResult.created, existing: importResult.existing })}
            </Typography.Text>
            {importResult.errors.map((e) => (
              <div key={e.row}>
                <Typography.Text type="danger">{t('field.import.badRow', { row: e.row, message: e.message })}</Typography.Text>
              </div>
            ))}
          </div>
        ) : null}
      </Modal>
    </Page>
  );
}
