import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Table,
  Tag,
  Typography,
  Upload,
  type TableColumnsType,
} from 'antd';
import { DeleteOutlined, InboxOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { CUSTOMER_TIERS } from '../../api/types';
import { errorMessage, normaliseErrorPath } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { serverMessageLabel, tierLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { CustomerPicker } from '../customers/CustomerPicker';
import { useTeams } from '../staff/queries';
import { DurationInput } from '../standards/DurationInput';
import {
  ASSIGNMENT_SCOPES,
  CAL_KEYS,
  calendarsApi,
  hoursText,
  parseHours,
  useCalendars,
  type Assignment,
  type AssignmentScope,
  type BusinessCalendar,
  type CalendarOverride,
  type IcsResult,
  type Period,
} from './api';

// ───────────────────────────── overrides ─────────────────────────────

export function Overrides({ calendar, canManage }: { calendar: BusinessCalendar; canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<{ date: dayjs.Dayjs; kind: 'holiday' | 'workday'; name?: string; hours?: string }>();
  const kind = Form.useWatch('kind', form);
  const rows = [...calendar.overrides].sort((a, b) => a.date.localeCompare(b.date));

  const save = useMutation({
    mutationFn: (overrides: CalendarOverride[]) => calendarsApi.update(calendar.id, { overrides }),
    onSuccess: () => {
      void message.success(t('cal.saved'));
      setAdding(false);
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: CAL_KEYS.all });
    },
  });

  const add = (v: { date: dayjs.Dayjs; kind: 'holiday' | 'workday'; name?: string; hours?: string }) => {
    const date = v.date.format('YYYY-MM-DD');
    const o: CalendarOverride = { date, kind: v.kind };
    if (v.name?.trim()) o.name = v.name.trim();
    if (v.kind === 'workday' && v.hours?.trim()) o.hours = parseHours(v.hours);
    const next = [...calendar.overrides.filter((x) => x.date !== date), o];
    const index = next.length - 1;
    save.mutate(next, {
      onError: (err) => {
        const mine: { name: 'date' | 'kind' | 'name' | 'hours'; errors: string[] }[] = [];
        if (err instanceof ApiError) {
          for (const fe of err.errors) {
            const p = normaliseErrorPath(fe.path);
            if (p[0] === 'overrides' && p[1] === index && typeof p[2] === 'string') {
              const f = p[2] === 'date' || p[2] === 'kind' || p[2] === 'name' ? p[2] : 'hours';
              mine.push({ name: f, errors: [serverMessageLabel(t, fe.message)] });
            }
          }
        }
        if (mine.length) form.setFields(mine);
        else void message.error(errorMessage(err, t));
      },
    });
  };
  const remove = (date: string) =>
    save.mutate(
      calendar.overrides.filter((x) => x.date !== date),
      { onError: (err) => void message.error(errorMessage(err, t)) },
    );

  const columns: TableColumnsType<CalendarOverride> = [
    {
      title: t('cal.ov.date'),
      dataIndex: 'date',
      width: 130,
      render: (d: string) => `${d} ${t(`cal.weekdaysShort.${['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][dayjs(d).day()]}`)}`,
    },
    {
      title: t('cal.ov.kind'),
      dataIndex: 'kind',
      width: 110,
      render: (k: string) => <Tag color={k === 'holiday' ? 'red' : 'orange'}>{t(`cal.ov.kinds.${k}`)}</Tag>,
    },
    { title: t('cal.ov.name'), dataIndex: 'name', render: (n?: string) => n ?? '—' },
    {
      title: t('cal.ov.hours'),
      dataIndex: 'hours',
      width: 200,
      render: (h: Period[] | undefined, r) => (r.kind === 'holiday' ? t('cal.closed') : h?.length ? hoursText(h) : t('cal.ov.mondayHours')),
    },
    ...(canManage
      ? [
          {
            title: '',
            key: 'x',
            width: 60,
            render: (_: unknown, r: CalendarOverride) => (
              <Popconfirm title={t('cal.ov.removeConfirm', { date: r.date })} onConfirm={() => remove(r.date)}>
                <Button size="small" type="text" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" wrap gap={8} align="center">
        <Typography.Text type="secondary">{t('cal.ov.help')}</Typography.Text>
        {canManage ? (
          <Button icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="ov-add">
            {t('cal.ov.add')}
          </Button>
        ) : null}
      </Flex>
      <Table<CalendarOverride>
        rowKey="date"
        size="small"
        columns={columns}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 640 }}
      />
      <Modal
        open={adding}
        title={t('cal.ov.add')}
        onCancel={() => setAdding(false)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
        okText={t('common.save')}
      >
        <Form form={form} layout="vertical" onFinish={add} initialValues={{ kind: 'holiday' }}>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item name="date" label={t('cal.ov.date')} rules={[{ required: true, message: t('cal.required') }]}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="kind" label={t('cal.ov.kind')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: 'holiday', label: t('cal.ov.kinds.holiday') },
                    { value: 'workday', label: t('cal.ov.kinds.workday') },
                  ]}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="name" label={t('cal.ov.name')} extra={t('cal.ov.nameHelp')}>
            <Input maxLength={200} />
          </Form.Item>
          {kind === 'workday' ? (
            <Form.Item name="hours" label={t('cal.ov.hours')} extra={t('cal.ov.hoursHelp')}>
              <Input placeholder="09:00-12:00, 13:30-18:00" />
            </Form.Item>
          ) : null}
        </Form>
      </Modal>
    </Flex>
  );
}

// ───────────────────────────── .ics import ─────────────────────────────

export function IcsImport({ calendar }: { calendar: BusinessCalendar }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [replace, setReplace] = useState(false);
  const [result, setResult] = useState<IcsResult | null>(null);
  const run = useMutation({
    mutationFn: () => calendarsApi.importIcs(calendar.id, file!.text, replace),
    onSuccess: (r) => {
      setResult(r);
      void queryClient.invalidateQueries({ queryKey: CAL_KEYS.all });
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });
  return (
    <Flex vertical gap={12} data-testid="ics-import">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('cal.ics.help')}
      </Typography.Paragraph>
      <Upload.Dragger
        accept=".ics,text/calendar"
        maxCount={1}
        showUploadList={false}
        beforeUpload={(f) => {
          void f.text().then((text) => {
            setFile({ name: f.name, text });
            setResult(null);
          });
          return false;
        }}
        data-testid="ics-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{file ? file.name : t('cal.ics.drop')}</p>
        <p className="ant-upload-hint">{file ? t('cal.ics.size', { n: file.text.length }) : t('cal.ics.hint')}</p>
      </Upload.Dragger>
      <Flex gap={12} align="center" wrap>
        <Checkbox checked={replace} onChange={(e) => setReplace(e.target.checked)}>
          {t('cal.ics.replace')}
        </Checkbox>
        <Button type="primary" disabled={!file} loading={run.isPending} onClick={() => run.mutate()} data-testid="ics-run">
          {t('cal.ics.run')}
        </Button>
      </Flex>
      {result ? (
        <Alert
          type={result.errors.length ? 'warning' : 'success'}
          showIcon
          title={t('cal.ics.result', { imported: result.imported, added: result.added, replaced: result.replaced })}
          description={
            result.errors.length ? (
              <List
                size="small"
                dataSource={result.errors}
                renderItem={(e) => (
                  <List.Item style={{ paddingInline: 0 }}>
                    {t('cal.ics.line', { line: e.line })}：{e.message}
                  </List.Item>
                )}
              />
            ) : undefined
          }
          data-testid="ics-result"
        />
      ) : null}
    </Flex>
  );
}

// ───────────────────────────── try it ─────────────────────────────

export function TryIt({ calendar }: { calendar: BusinessCalendar }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const zone = calendar.timeZone;
  const toIso = (d: dayjs.Dayjs) => dayjs.tz(d.format('YYYY-MM-DD HH:mm:ss'), zone).format();
  const inZone = (iso: string) => dayjs(iso).tz(zone).format('YYYY-MM-DD HH:mm:ss');
  const [addFrom, setAddFrom] = useState<dayjs.Dayjs | null>(dayjs().startOf('hour'));
  const [seconds, setSeconds] = useState<number | null>(3600);
  const [elFrom, setElFrom] = useState<dayjs.Dayjs | null>(dayjs().startOf('day').hour(9));
  const [elTo, setElTo] = useState<dayjs.Dayjs | null>(dayjs().startOf('day').add(1, 'day').hour(12));
  const add = useMutation({ mutationFn: () => calendarsApi.add(calendar.id, toIso(addFrom!), seconds!) });
  const elapsed = useMutation({ mutationFn: () => calendarsApi.elapsed(calendar.id, toIso(elFrom!), toIso(elTo!)) });
  return (
    <Row gutter={[16, 16]} data-testid="try-it">
      <Col xs={24} lg={12}>
        <Card size="small" title={t('cal.try.addTitle')}>
          <Flex vertical gap={8}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('cal.try.addHelp', { zone })}
            </Typography.Text>
            <DatePicker showTime value={addFrom} onChange={setAddFrom} style={{ maxWidth: 240 }} data-testid="try-add-from" />
            <DurationInput value={seconds} onChange={setSeconds} data-testid="try-add-seconds" />
            <Button
              type="primary"
              disabled={!addFrom || !seconds}
              loading={add.isPending}
              onClick={() => add.mutate()}
              style={{ alignSelf: 'flex-start' }}
              data-testid="try-add-run"
            >
              {t('cal.try.addRun')}
            </Button>
            {add.data ? (
              <Descriptions
                size="small"
                column={1}
                bordered
                items={[
                  { key: 'z', label: t('cal.try.dueInZone', { zone }), children: <span data-testid="try-add-result">{inZone(add.data.dueAt)}</span> },
                  { key: 'u', label: t('cal.try.dueForYou'), children: fmt.dateTime(add.data.dueAt) },
                ]}
              />
            ) : null}
            {add.isError ? <Typography.Text type="danger">{errorMessage(add.error, t)}</Typography.Text> : null}
          </Flex>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('cal.try.elapsedTitle')}>
          <Flex vertical gap={8}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('cal.try.elapsedHelp', { zone })}
            </Typography.Text>
            <DatePicker showTime value={elFrom} onChange={setElFrom} style={{ maxWidth: 240 }} />
            <DatePicker showTime value={elTo} onChange={setElTo} style={{ maxWidth: 240 }} />
            <Button type="primary" disabled={!elFrom || !elTo} loading={elapsed.isPending} onClick={() => elapsed.mutate()} style={{ alignSelf: 'flex-start' }}>
              {t('cal.try.elapsedRun')}
            </Button>
            {elapsed.data ? (
              <Typography.Text strong data-testid="try-elapsed-result">
                {t('cal.try.elapsedResult', { seconds: elapsed.data.seconds, human: fmt.duration(elapsed.data.seconds) })}
              </Typography.Text>
            ) : null}
            {elapsed.isError ? <Typography.Text type="danger">{errorMessage(elapsed.error, t)}</Typography.Text> : null}
          </Flex>
        </Card>
      </Col>
    </Row>
  );
}

// ───────────────────────────── assignments ─────────────────────────────

export function Assignments({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const calendars = useCalendars();
  const teams = useTeams();
  const q = useQuery({ queryKey: CAL_KEYS.assignments, queryFn: calendarsApi.assignments });
  const [form] = Form.useForm<{ scope: AssignmentScope; key?: string; calendarId: string }>();
  const scope = Form.useWatch('scope', form);
  const put = useMutation({
    mutationFn: (b: { scope: AssignmentScope; key?: string; calendarId: string | null }) => calendarsApi.putAssignment(b),
    onSuccess: (r) => {
      queryClient.setQueryData(CAL_KEYS.assignments, r);
      void message.success(t('cal.saved'));
      form.resetFields(['key']);
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });
  const keyLabel = (a: Assignment) => {
    if (a.scope === 'default') return t('cal.as.everything');
    if (a.scope === 'team') return teams.data?.items.find((x) => x.id === a.key)?.name ?? a.key;
    if (a.scope === 'tier') return tierLabel(t, a.key);
    return a.key;
  };
  const order = (s: string) => ASSIGNMENT_SCOPES.indexOf(s as AssignmentScope);
  const rows = [...(q.data?.items ?? [])].sort((a, b) => order(b.scope) - order(a.scope));
  const columns: TableColumnsType<Assignment> = [
    { title: t('cal.as.scope'), dataIndex: 'scope', width: 120, render: (s: string) => <Tag>{t(`cal.as.scopes.${s}`)}</Tag> },
    { title: t('cal.as.key'), key: 'key', render: (_: unknown, a) => keyLabel(a) },
    { title: t('cal.as.calendar'), dataIndex: 'calendarName', render: (n: string | null, a) => n ?? a.calendarId },
    ...(canManage
      ? [
          {
            title: '',
            key: 'x',
            width: 60,
            render: (_: unknown, a: Assignment) => (
              <Popconfirm
                title={t('cal.as.removeConfirm')}
                onConfirm={() => put.mutate({ scope: a.scope, key: a.scope === 'default' ? undefined : a.key, calendarId: null })}
              >
                <Button size="small" type="text" icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card size="small" title={t('cal.as.title')} data-testid="cal-assignments">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 0 }}>
        {t('cal.as.help')}
      </Typography.Paragraph>
      {q.isError ? <Typography.Text type="danger">{errorMessage(q.error, t)}</Typography.Text> : null}
      <Table<Assignment> rowKey={(a) => `${a.scope}:${a.key}`} size="small" columns={columns} dataSource={rows} loading={q.isPending} pagination={false} />
      {canManage ? (
        <Form
          form={form}
          layout="inline"
          style={{ marginTop: 12, rowGap: 8 }}
          initialValues={{ scope: 'team' }}
          onFinish={(v) => put.mutate({ scope: v.scope, key: v.scope === 'default' ? undefined : v.key, calendarId: v.calendarId })}
        >
          <Form.Item name="scope">
            <Select
              style={{ width: 120 }}
              options={ASSIGNMENT_SCOPES.map((s) => ({ value: s, label: t(`cal.as.scopes.${s}`) }))}
              onChange={() => form.resetFields(['key'])}
            />
          </Form.Item>
          {scope !== 'default' ? (
            <Form.Item name="key" rules={[{ required: true, message: t('cal.required') }]}>
              {scope === 'team' ? (
                <Select
                  style={{ width: 180 }}
                  placeholder={t('cal.as.pickTeam')}
                  options={(teams.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
                />
              ) : scope === 'tier' ? (
                <Select style={{ width: 140 }} placeholder={t('cal.as.pickTier')} options={CUSTOMER_TIERS.map((x) => ({ value: x, label: tierLabel(t, x) }))} />
              ) : scope === 'customer' ? (
                <CustomerPicker allowCreate={false} style={{ width: 220 }} />
              ) : (
                <Input style={{ width: 180 }} placeholder={t('cal.as.siteName')} maxLength={200} />
              )}
            </Form.Item>
          ) : null}
          <Form.Item name="calendarId" rules={[{ required: true, message: t('cal.required') }]}>
            <Select
              style={{ width: 200 }}
              placeholder={t('cal.as.pickCalendar')}
              options={(calendars.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
          <Form.Item>
            <Button htmlType="submit" type="primary" loading={put.isPending}>
              {t('cal.as.assign')}
            </Button>
          </Form.Item>
        </Form>
      ) : null}
    </Card>
  );
}
