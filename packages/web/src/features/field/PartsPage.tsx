import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { formatFen, yuanToFen } from '../../lib/money';
import { Page } from '../../layout/Page';

type Overview = ResponseOf<'get', '/field/stock'>;
type PartRow = ItemOf<Overview['parts']>;
type Mode = 'part' | 'warehouse' | 'van' | 'receive' | 'issue' | 'return';

const STOCK_KEY = ['field-stock'] as const;

/** 备件库存 (field.manage): the catalogue, stock per warehouse and van (low stock in red), receive / issue / return. */
export default function PartsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const stock = useQuery({ queryKey: STOCK_KEY, queryFn: () => http.get('/field/stock') });
  const technicians = useQuery({ queryKey: ['field-technicians'], queryFn: () => http.get('/field/technicians'), enabled: true });
  const [mode, setMode] = useState<Mode | null>(null);
  const [form] = Form.useForm();
  const data = stock.data;
  const locations = data?.locations ?? [];
  const locName = (id: string | null) => locations.find((l) => l.id === id)?.name ?? '—';
  const partName = (id: string) => {
    const p = data?.parts.find((x) => x.id === id);
    return p ? `${p.code} ${p.name}` : id;
  };
  const warehouses = locations.filter((l) => l.kind === 'warehouse');
  const vans = locations.filter((l) => l.kind === 'van');

  const save = useMutation({
    mutationFn: async (v: Record<string, unknown>) => {
      const qty = Number(v.qty);
      const note = (v.note as string | undefined) || undefined;
      switch (mode) {
        case 'part':
          return http.post('/field/parts', {
            body: {
              code: String(v.code),
              name: String(v.name),
              unit: String(v.unit),
              unitCostFen: yuanToFen(Number(v.unitCost)) ?? 0,
              lowStockThreshold: Number(v.lowStockThreshold ?? 0),
              vanLowStockThreshold: Number(v.vanLowStockThreshold ?? 0),
            },
          });
        case 'warehouse':
          return http.post('/field/stock/locations', { body: { kind: 'warehouse', name: String(v.name) } });
        case 'van':
          return http.post('/field/stock/locations', { body: { kind: 'van', technicianId: String(v.technicianId) } });
        case 'receive':
          return http.post('/field/stock/receive', { body: { partId: String(v.partId), locationId: String(v.locationId), qty, note } });
        case 'issue':
        case 'return':
          return http.post(mode === 'issue' ? '/field/stock/issue' : '/field/stock/return', {
            body: { partId: String(v.partId), fromLocationId: String(v.fromLocationId), toLocationId: String(v.toLocationId), qty, note },
          });
        default:
          return null;
      }
    },
    onSuccess: async () => {
      message.success(t('fieldParts.saved'));
      setMode(null);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: STOCK_KEY });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });

  const partOptions = (data?.parts ?? []).map((p) => ({ value: p.id, label: `${p.code} ${p.name}` }));
  const locOptions = (list: typeof locations) => list.map((l) => ({ value: l.id, label: l.name }));
  const lowCount = data?.low.length ?? 0;

  const columns = [
    { title: t('fieldParts.code'), dataIndex: 'code', key: 'code' },
    { title: t('fieldParts.name'), dataIndex: 'name', key: 'name' },
    { title: t('fieldParts.unit'), dataIndex: 'unit', key: 'unit' },
    { title: t('fieldParts.unitCost'), key: 'cost', render: (_: unknown, p: PartRow) => formatFen(p.unitCostFen, i18n.language) },
    ...locations.map((l) => ({
      title: l.name,
      key: l.id,
      render: (_: unknown, p: PartRow) => {
        const level = p.stock.find((s) => s.locationId === l.id);
        if (!level) return <Typography.Text type="secondary">—</Typography.Text>;
        return level.low ? (
          <Tag color="red" title={t('fieldParts.belowThreshold', { threshold: level.threshold })}>
            {level.qty}
          </Tag>
        ) : (
          level.qty
        );
      },
    })),
    { title: t('fieldParts.total'), dataIndex: 'total', key: 'total' },
  ];

  const field = (name: string, label: string, node: React.ReactNode, required = true) => (
    <Form.Item name={name} label={label} rules={required ? [{ required: true, message: t('fieldParts.required') }] : []}>
      {node}
    </Form.Item>
  );

  return (
    <Page
      title={t('fieldParts.title')}
      subtitle={t('fieldParts.subtitle')}
      extra={
        <Space wrap>
          <Button type="primary" onClick={() => setMode('receive')}>
            {t('fieldParts.mode.receive')}
          </Button>
          <Button onClick={() => setMode('issue')}>{t('fieldParts.mode.issue')}</Button>
          <Button onClick={() => setMode('return')}>{t('fieldParts.mode.return')}</Button>
          <Button icon={<PlusOutlined />} onClick={() => setMode('part')}>
            {t('fieldParts.mode.part')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setMode('warehouse')}>
            {t('fieldParts.mode.warehouse')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setMode('van')}>
            {t('fieldParts.mode.van')}
          </Button>
        </Space>
      }
    >
      {lowCount > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('fieldParts.lowTitle', { n: lowCount })}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {data!.low.map((l) => (
                <li key={`${l.partId}:${l.locationId}`}>
                  {t('fieldParts.lowLine', { code: l.code, name: l.name, location: locName(l.locationId), qty: l.qty, threshold: l.threshold })}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Card size="small" title={t('fieldParts.stock')} style={{ marginBottom: 16 }}>
        <Table<PartRow>
          rowKey="id"
          size="small"
          loading={stock.isLoading}
          dataSource={data?.parts ?? []}
          columns={columns}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: t('fieldParts.empty') }}
        />
      </Card>
      <Card size="small" title={t('fieldParts.movements')}>
        <Table
          rowKey="id"
          size="small"
          dataSource={data?.movements ?? []}
          pagination={false}
          columns={[
            { title: t('fieldParts.at'), dataIndex: 'at', key: 'at', render: (v: string) => new Date(v).toLocaleString(i18n.language) },
            { title: t('fieldParts.kind'), dataIndex: 'kind', key: 'kind', render: (v: string) => <Tag>{t(`fieldParts.kinds.${v}`)}</Tag> },
            { title: t('fieldParts.part'), dataIndex: 'partId', key: 'partId', render: (v: string) => partName(v) },
            { title: t('fieldParts.qty'), dataIndex: 'qty', key: 'qty' },
            { title: t('fieldParts.from'), dataIndex: 'fromLocationId', key: 'from', render: (v: string | null) => locName(v) },
            { title: t('fieldParts.to'), dataIndex: 'toLocationId', key: 'to', render: (v: string | null) => locName(v) },
            { title: t('fieldParts.note'), dataIndex: 'note', key: 'note' },
          ]}
        />
      </Card>
      <Modal
        open={mode !== null}
        title={mode ? t(`fieldParts.mode.${mode}`) : ''}
        okText={t('fieldParts.submit')}
        onCancel={() => setMode(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v: Record<string, unknown>) => save.mutate(v)} preserve={false}>
          {mode === 'part' && (
            <>
              {field('code', t('fieldParts.code'), <Input maxLength={50} />)}
              {field('name', t('fieldParts.name'), <Input maxLength={200} />)}
              {field('unit', t('fieldParts.unit'), <Input maxLength={20} />)}
              {field('unitCost', t('fieldParts.unitCostYuan'), <InputNumber min={0} step={0.01} precision={2} style={{ width: '100%' }} />)}
              {field('lowStockThreshold', t('fieldParts.lowStockThreshold'), <InputNumber min={0} style={{ width: '100%' }} />, false)}
              {field('vanLowStockThreshold', t('fieldParts.vanLowStockThreshold'), <InputNumber min={0} style={{ width: '100%' }} />, false)}
            </>
          )}
          {mode === 'warehouse' && field('name', t('fieldParts.warehouseName'), <Input maxLength={100} />)}
          {mode === 'van' &&
            field(
              'technicianId',
              t('fieldParts.technician'),
              <Select
                showSearch
                optionFilterProp="label"
                options={(technicians.data?.items ?? []).filter((x) => !vans.some((v) => v.technicianId === x.id)).map((x) => ({ value: x.id, label: x.name }))}
              />,
            )}
          {(mode === 'receive' || mode === 'issue' || mode === 'return') && (
            <>
              {field('partId', t('fieldParts.part'), <Select showSearch optionFilterProp="label" options={partOptions} />)}
              {mode === 'receive' && field('locationId', t('fieldParts.warehouse'), <Select options={locOptions(warehouses)} />)}
              {mode !== 'receive' && field('fromLocationId', t('fieldParts.from'), <Select options={locOptions(mode === 'issue' ? warehouses : vans)} />)}
              {mode !== 'receive' && field('toLocationId', t('fieldParts.to'), <Select options={locOptions(mode === 'issue' ? vans : warehouses)} />)}
              {field('qty', t('fieldParts.qty'), <InputNumber min={1} precision={0} style={{ width: '100%' }} />)}
              {field('note', t('fieldParts.note'), <Input maxLength={500} />, false)}
            </>
          )}
        </Form>
      </Modal>
    </Page>
  );
}
