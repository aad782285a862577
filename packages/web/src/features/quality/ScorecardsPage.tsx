import { useState } from 'react';
import { App, Button, Card, Drawer, Flex, Form, Input, InputNumber, List, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { DIMENSIONS, QA_KEYS, useScorecards, useTemplates, type Scorecard, type ScorecardItem } from './api';

interface EditForm {
  name: string;
  passMark: number;
  active: boolean;
  items: (Omit<ScorecardItem, 'scale'> & { max: number })[];
}

function Editor({ card, onClose }: { card: Scorecard; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [form] = Form.useForm<EditForm>();
  const save = useMutation({
    mutationFn: (v: EditForm) =>
      http.patch('/qa/scorecards/{id}', {
        path: { id: card.id },
        body: {
          name: v.name,
          passMark: v.passMark,
          active: v.active,
          items: v.items.map(({ max, ...it }) => ({ ...it, scale: max > 1 ? { kind: 'points' as const, max } : { kind: 'yesno' as const } })),
        },
      }),
    onSuccess: async (r) => {
      void message.success(t('quality.cards.saved', { version: r.version }));
      await qc.invalidateQueries({ queryKey: QA_KEYS.scorecards });
      onClose();
    },
    onError: (e) => showError(e, { form, fields: ['name', 'passMark', 'items'] }),
  });
  return (
    <Drawer open width={Math.min(960, window.innerWidth)} title={t('quality.cards.edit', { name: card.name })} onClose={onClose}>
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          name: card.name,
          passMark: card.passMark,
          active: card.active,
          items: card.items.map((it) => ({ ...it, max: it.scale.kind === 'yesno' ? 1 : it.scale.max })),
        }}
        onFinish={(v) => save.mutate(v)}
      >
        <Flex gap={12} wrap>
          <Form.Item name="name" label={t('quality.cards.name')} rules={[{ required: true }]} style={{ flex: '1 1 240px' }}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="passMark" label={t('quality.cards.passMark')}>
            <InputNumber min={0} max={100} />
          </Form.Item>
          <Form.Item name="active" label={t('quality.cards.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Typography.Text type="secondary">{t('quality.cards.itemsHelp')}</Typography.Text>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <Flex vertical gap={6} style={{ marginTop: 8 }}>
              {fields.map((f) => (
                <Space key={f.key} wrap align="start" style={{ borderBottom: '1px solid #f0f0f0', paddingBottom: 6 }}>
                  <Form.Item name={[f.name, 'key']} rules={[{ required: true }]} noStyle>
                    <Input style={{ width: 110 }} placeholder="key" />
                  </Form.Item>
                  <Form.Item name={[f.name, 'label']} rules={[{ required: true }]} noStyle>
                    <Input style={{ width: 240 }} placeholder={t('quality.item')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'dimension']} noStyle>
                    <Select style={{ width: 110 }} options={DIMENSIONS.map((d) => ({ value: d, label: t(`quality.dimension.${d}`) }))} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'weight']} noStyle>
                    <InputNumber min={0} max={1000} addonBefore={t('quality.cards.weight')} style={{ width: 130 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'max']} noStyle>
                    <InputNumber min={1} max={100} addonBefore={t('quality.cards.max')} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'critical']} valuePropName="checked" noStyle>
                    <Switch checkedChildren={t('quality.critical')} unCheckedChildren={t('quality.cards.normal')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'allowNa']} valuePropName="checked" noStyle>
                    <Switch checkedChildren={t('quality.inspect.na')} unCheckedChildren={t('quality.cards.noNa')} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button
                icon={<PlusOutlined />}
                onClick={() => add({ key: '', label: '', dimension: 'attitude', weight: 10, max: 1, critical: false, allowNa: false })}
              >
                {t('quality.cards.addItem')}
              </Button>
            </Flex>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={save.isPending} style={{ marginTop: 16 }}>
          {t('quality.cards.saveVersion')}
        </Button>
      </Form>
    </Drawer>
  );
}

/** 评分表: the organisation's scorecards (edit = a new version) and the shipped zh-CN templates to adopt. */
export default function ScorecardsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const cards = useScorecards();
  const templates = useTemplates();
  const [editing, setEditing] = useState<Scorecard | null>(null);
  const adopt = useMutation({
    mutationFn: (key: string) => http.post('/qa/scorecard-templates/{key}/adopt', { path: { key } }),
    onSuccess: async (r) => {
      void message.success(t('quality.cards.adopted', { name: r.name }));
      await qc.invalidateQueries({ queryKey: QA_KEYS.all });
    },
    onError: (e) => showError(e),
  });
  return (
    <Page title={t('quality.cards.title')} subtitle={t('quality.cards.subtitle')}>
      <Flex vertical gap={16}>
        <Table
          size="small"
          rowKey="id"
          loading={cards.isLoading}
          dataSource={cards.data?.items ?? []}
          scroll={{ x: 680 }}
          pagination={false}
          columns={[
            { title: t('quality.cards.name'), dataIndex: 'name' },
            { title: t('quality.cards.version'), render: (_, c) => `v${c.version}` },
            {
              title: t('quality.cards.items'),
              render: (_, c) => t('quality.cards.itemCount', { count: c.items.length, critical: c.items.filter((i) => i.critical).length }),
            },
            { title: t('quality.cards.passMark'), dataIndex: 'passMark' },
            {
              title: t('quality.cards.active'),
              render: (_, c) => (c.active ? <Tag color="green">{t('quality.cards.inUse')}</Tag> : <Tag>{t('quality.cards.retired')}</Tag>),
            },
            { title: t('quality.cards.updated'), render: (_, c) => fmt.date(c.updatedAt) },
            { title: '', render: (_, c) => <a onClick={() => setEditing(c)}>{t('quality.cards.editLink')}</a> },
          ]}
        />
        <Card size="small" title={t('quality.cards.templates')}>
          <List
            grid={{ gutter: 12, xs: 1, sm: 2, lg: 3 }}
            loading={templates.isLoading}
            dataSource={templates.data?.items ?? []}
            renderItem={(tp) => (
              <List.Item key={tp.key}>
                <Card
                  size="small"
                  title={tp.name}
                  extra={
                    tp.adopted ? (
                      <Tag color="green">{t('quality.cards.adoptedTag')}</Tag>
                    ) : (
                      <Button size="small" type="primary" loading={adopt.isPending && adopt.variables === tp.key} onClick={() => adopt.mutate(tp.key)}>
                        {t('quality.cards.adopt')}
                      </Button>
                    )
                  }
                >
                  <Typography.Text type="secondary">
                    {t('quality.cards.itemCount', { count: tp.items.length, critical: tp.items.filter((i) => i.critical).length })} ·{' '}
                    {t('quality.cards.passMarkIs', { mark: tp.passMark })}
                  </Typography.Text>
                  <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: '6px 0 0' }}>
                    {tp.items.map((i) => i.label).join('、')}
                  </Typography.Paragraph>
                </Card>
              </List.Item>
            )}
          />
        </Card>
      </Flex>
      {editing ? <Editor card={editing} onClose={() => setEditing(null)} /> : null}
    </Page>
  );
}
