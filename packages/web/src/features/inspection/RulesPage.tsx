import { useState } from 'react';
import { App, Button, Card, Drawer, Flex, Form, Input, InputNumber, Select, Switch, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useApiError } from '../../lib/useApiError';
import { useMe } from '../auth/me';
import { checkText, qaKeys, SEVERITY_COLOR, updateRule, useRules, type QaHit, type QaRule } from './api';
import { HitList } from './HitList';

const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

interface RuleForm {
  name: string;
  severity: QaRule['severity'];
  enabled: boolean;
  phrases: string;
  exceptions: string;
  pattern: string;
  wholeWord: boolean;
  suggestion: string;
  window: number;
}

function RuleEditor({ rule, onClose }: { rule: QaRule; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [form] = Form.useForm<RuleForm>();
  const save = useMutation({
    mutationFn: (v: RuleForm) =>
      updateRule(rule.id, {
        name: v.name,
        severity: v.severity,
        enabled: v.enabled,
        phrases: lines(v.phrases),
        exceptions: lines(v.exceptions),
        pattern: v.pattern.trim() || null,
        wholeWord: v.wholeWord,
        suggestion: v.suggestion.trim() || null,
        window: v.window,
      }),
    onSuccess: () => {
      void message.success(t('inspection.saved'));
      void qc.invalidateQueries({ queryKey: qaKeys.rules });
      onClose();
    },
    onError: (err) => showError(err, { form, fields: ['name', 'severity', 'phrases', 'exceptions', 'pattern', 'suggestion', 'window'] }),
  });
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{
        name: rule.name,
        severity: rule.severity,
        enabled: rule.enabled,
        phrases: rule.phrases.join('\n'),
        exceptions: rule.exceptions.join('\n'),
        pattern: rule.pattern ?? '',
        wholeWord: rule.wholeWord,
        suggestion: rule.suggestion ?? '',
        window: rule.window,
      }}
      onFinish={(v) => save.mutate(v)}
    >
      <Form.Item name="name" label={t('inspection.fields.name')} rules={[{ required: true }]}>
        <Input maxLength={100} />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item name="severity" label={t('inspection.fields.severity')}>
          <Select style={{ width: 140 }} options={SEVERITIES.map((s) => ({ value: s, label: t(`inspection.severity.${s}`) }))} />
        </Form.Item>
        <Form.Item name="enabled" label={t('inspection.fields.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="wholeWord" label={t('inspection.fields.wholeWord')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Flex>
      <Form.Item name="phrases" label={t('inspection.fields.phrases')} extra={t('inspection.onePerLine')}>
        <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} data-testid="rule-phrases" />
      </Form.Item>
      <Form.Item name="exceptions" label={t('inspection.fields.exceptions')} extra={t('inspection.exceptionsHelp')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
      </Form.Item>
      <Form.Item name="pattern" label={t('inspection.fields.pattern')} extra={t('inspection.patternHelp')}>
        <Input maxLength={500} />
      </Form.Item>
      <Form.Item name="suggestion" label={t('inspection.fields.suggestion')}>
        <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={500} />
      </Form.Item>
      {rule.kind === 'promise' ? (
        <Form.Item name="window" label={t('inspection.fields.window')}>
          <InputNumber min={1} max={100} />
        </Form.Item>
      ) : null}
      <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="rule-save">
        {t('inspection.save')}
      </Button>
    </Form>
  );
}

function TestBox() {
  const { t } = useTranslation();
  const [text, setText] = useState('您好，这个我不知道，我们会尽快处理。');
  const [result, setResult] = useState<{ text: string; hits: QaHit[] } | null>(null);
  const run = useMutation({ mutationFn: () => checkText({ text, first: true, last: true }), onSuccess: (r) => setResult({ text, hits: r.hits }) });
  return (
    <Card title={t('inspection.testBox')} size="small">
      <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} data-testid="qa-test-input" />
      <Button style={{ marginTop: 8 }} onClick={() => run.mutate()} loading={run.isPending} data-testid="qa-test-run">
        {t('inspection.runTest')}
      </Button>
      <div style={{ marginTop: 8 }} data-testid="qa-test-result">
        {result ? (
          result.hits.length ? (
            <HitList text={result.text} hits={result.hits} />
          ) : (
            <Typography.Text type="success">{t('inspection.noHits')}</Typography.Text>
          )
        ) : null}
      </div>
    </Card>
  );
}

/** 质检规则: the automatic inspection rules (list, edit) and a live test box. */
export default function RulesPage() {
  const { t } = useTranslation();
  const me = useMe();
  const rules = useRules();
  const [editing, setEditing] = useState<QaRule | null>(null);
  const canManage = me.permissions.includes('qa.manage');
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('inspection.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('inspection.intro')}</Typography.Text>
      <TestBox />
      <Table<QaRule>
        rowKey="id"
        loading={rules.isLoading}
        dataSource={rules.data?.items ?? []}
        pagination={false}
        scroll={{ x: 720 }}
        size="small"
        columns={[
          {
            title: t('inspection.fields.name'),
            dataIndex: 'name',
            width: 180,
            render: (v: string, r) => (r.enabled ? v : <Typography.Text delete>{v}</Typography.Text>),
          },
          { title: t('inspection.fields.kind'), dataIndex: 'kind', render: (k: string) => t(`inspection.kind.${k}`), width: 120 },
          {
            title: t('inspection.fields.severity'),
            dataIndex: 'severity',
            width: 90,
            render: (s: string) => <Tag color={SEVERITY_COLOR[s]}>{t(`inspection.severity.${s}`)}</Tag>,
          },
          {
            title: t('inspection.fields.phrases'),
            key: 'phrases',
            render: (_, r) => (
              <Typography.Text ellipsis style={{ maxWidth: 320 }}>
                {r.phrases.length ? r.phrases.join('、') : (r.pattern ?? '')}
              </Typography.Text>
            ),
          },
          { title: t('inspection.fields.version'), dataIndex: 'version', width: 70 },
          {
            key: 'edit',
            width: 80,
            render: (_, r) =>
              canManage ? (
                <Button size="small" onClick={() => setEditing(r)} data-testid={`edit-${r.code}`}>
                  {t('inspection.edit')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Drawer open={editing !== null} onClose={() => setEditing(null)} title={editing?.name} size="large" destroyOnHidden>
        {editing ? <RuleEditor rule={editing} onClose={() => setEditing(null)} /> : null}
      </Drawer>
    </Flex>
  );
}
