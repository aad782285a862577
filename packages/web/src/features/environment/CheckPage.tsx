import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Empty, Flex, Input, InputNumber, Radio, Result, Select, Space, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat } from '../auth/me';
import { ENV_KEYS, judge, rangeText, siteLabel, useEnvSites, useEnvTemplates, type EnvCheck, type EnvItem } from './api';

const CHECKABLE = new Set(['community', 'building', 'store', 'outlet', 'site']);

/** 环境检查 (inspector, 390×844 first): pick a site, fill each item with instant in/out-of-range marking, submit. */
export default function CheckPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const templates = useEnvTemplates();
  const sites = useEnvSites();
  const template = templates.data?.items.find((x) => x.key === 'default') ?? templates.data?.items[0];
  const all = sites.data?.items ?? [];
  const options = useMemo(() => all.filter((s) => CHECKABLE.has(s.kind)).map((s) => ({ value: s.id, label: siteLabel(s, all) })), [all]);
  const [siteId, setSiteId] = useState<string | undefined>();
  const [values, setValues] = useState<Record<string, number | boolean | null>>({});
  const [note, setNote] = useState('');
  const [done, setDone] = useState<EnvCheck | null>(null);
  const items = template?.items ?? [];
  const missing = items.filter((i) => values[i.key] === undefined || values[i.key] === null).length;
  const failed = items.filter((i) => judge(i, values[i.key]) === false).length;
  const submit = useMutation({
    mutationFn: () =>
      http.post('/env/checks', {
        body: {
          siteId: siteId!,
          templateId: template!.id,
          values: items.map((i) => ({ key: i.key, value: values[i.key] as number | boolean })),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    onSuccess: async (res) => {
      setDone(res);
      window.scrollTo(0, 0);
      await qc.invalidateQueries({ queryKey: ['env-tasks'] });
      await qc.invalidateQueries({ queryKey: ENV_KEYS.checks });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const restart = () => {
    setDone(null);
    setValues({});
    setNote('');
  };

  if (done) return <Done check={done} onAgain={restart} />;
  return (
    <div style={{ maxWidth: 560, margin: '0 auto', padding: 12 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('envCheck.check.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('envCheck.check.hint')}</Typography.Text>
      <Select
        size="large"
        showSearch
        optionFilterProp="label"
        placeholder={t('envCheck.check.pickSite')}
        options={options}
        value={siteId}
        onChange={setSiteId}
        loading={sites.isLoading}
        style={{ width: '100%', margin: '12px 0' }}
        data-testid="env-site"
      />
      {templates.isLoading ? <Card loading /> : null}
      {!templates.isLoading && !template ? <Empty /> : null}
      <Space direction="vertical" size={10} style={{ width: '100%' }}>
        {items.map((item) => (
          <ItemCard key={item.key} item={item} value={values[item.key]} onChange={(v) => setValues((s) => ({ ...s, [item.key]: v }))} />
        ))}
      </Space>
      {items.length ? (
        <>
          <Input.TextArea
            rows={2}
            maxLength={2000}
            placeholder={t('envCheck.check.note')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            style={{ marginTop: 12, fontSize: 16 }}
          />
          {failed ? <Alert type="warning" showIcon style={{ marginTop: 12 }} message={t('envCheck.check.willOpen', { count: failed })} /> : null}
          <Button
            type="primary"
            size="large"
            block
            style={{ marginTop: 12, height: 52 }}
            disabled={!siteId || missing > 0}
            loading={submit.isPending}
            onClick={() => submit.mutate()}
            data-testid="env-submit"
          >
            {missing > 0 ? t('envCheck.check.missing', { count: missing }) : t('envCheck.check.submit')}
          </Button>
        </>
      ) : null}
    </div>
  );
}

function ItemCard({ item, value, onChange }: { item: EnvItem; value: number | boolean | null | undefined; onChange: (v: number | boolean | null) => void }) {
  const { t } = useTranslation();
  const ok = judge(item, value);
  const border = ok === false ? '#ff4d4f' : ok === true ? '#52c41a' : undefined;
  return (
    <Card size="small" style={border ? { borderColor: border } : undefined} data-testid={`env-item-${item.key}`}>
      <Flex justify="space-between" align="center" gap={8}>
        <div style={{ minWidth: 0 }}>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {item.label}
          </Typography.Text>
          <div>
            <Typography.Text type="secondary">
              {item.kind === 'yesno' ? t('envCheck.check.expectYes') : t('envCheck.check.range', { range: rangeText(item) })}
            </Typography.Text>
          </div>
        </div>
        {ok === null ? null : <Tag color={ok ? 'success' : 'error'}>{ok ? t('envCheck.ok') : t('envCheck.out')}</Tag>}
      </Flex>
      <div style={{ marginTop: 8 }}>
        {item.kind === 'yesno' ? (
          <Radio.Group
            size="large"
            buttonStyle="solid"
            optionType="button"
            value={typeof value === 'boolean' ? value : undefined}
            onChange={(e) => onChange(e.target.value as boolean)}
            options={[
              { value: true, label: t('envCheck.yes') },
              { value: false, label: t('envCheck.no') },
            ]}
            style={{ display: 'flex' }}
          />
        ) : (
          <InputNumber
            size="large"
            inputMode="decimal"
            style={{ width: '100%' }}
            value={typeof value === 'number' ? value : null}
            onChange={(v) => onChange(typeof v === 'number' ? v : null)}
            addonAfter={item.unit ?? undefined}
            placeholder={t('envCheck.check.measured')}
            data-testid={`env-input-${item.key}`}
          />
        )}
      </div>
    </Card>
  );
}

function Done({ check, onAgain }: { check: EnvCheck; onAgain: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div style={{ maxWidth: 560, margin: '0 auto', padding: 12 }} data-testid="env-done">
      <Result
        status={check.outOfRange ? 'warning' : 'success'}
        title={check.outOfRange ? t('envCheck.done.failed', { count: check.outOfRange }) : t('envCheck.done.ok')}
        subTitle={check.site.name}
      />
      <Space direction="vertical" size={8} style={{ width: '100%' }}>
        {check.tasks.map((task) => (
          <Card key={task.id} size="small" data-testid="env-task">
            <Flex justify="space-between" gap={8}>
              <Typography.Text strong>{task.label}</Typography.Text>
              <Tag color="orange">{t('envCheck.task.open')}</Tag>
            </Flex>
            <Typography.Text>{t('envCheck.task.measured', { value: task.value, expected: task.expected })}</Typography.Text>
            <div>
              <Typography.Text type="secondary">
                {task.ticket ? t('envCheck.task.ticket', { number: task.ticket.number }) : null}
                {task.standard?.dueAt ? ` · ${t('envCheck.task.due', { at: f.dateTime(task.standard.dueAt) })}` : ''}
              </Typography.Text>
            </div>
          </Card>
        ))}
      </Space>
      <Button size="large" block style={{ marginTop: 16, height: 52 }} onClick={onAgain}>
        {t('envCheck.done.again')}
      </Button>
    </div>
  );
}
