import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Flex, Input, List, Segmented, Table, Tag, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { useFormat } from '../auth/me';
import { CAL_KEYS, type BusinessCalendar } from './api';
import { HOLIDAY_KEYS, holidayApi, type HolidayImport } from './holidayApi';

type Year = HolidayImport['years'][number];
type Change = Year['changes'][number];

const ACTION_COLOR: Record<Change['action'], string> = { add: 'green', change: 'orange', remove: 'red' };

/**
 * 节假日导入: a holiday-cn JSON or .ics file, or a feed URL → the preview (per year: dates added / changed / removed,
 * 放假 / 上班, names) → 确认导入 applies exactly that. `?import=<id>` opens a stored preview (e.g. from the daily check).
 */
export function HolidayImportPanel({ calendar }: { calendar: BusinessCalendar }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [mode, setMode] = useState<'file' | 'url'>('file');
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [url, setUrl] = useState('');
  const [replace, setReplace] = useState(false);
  const [done, setDone] = useState<HolidayImport | null>(null);
  const importId = params.get('import');
  const current = useQuery({ queryKey: HOLIDAY_KEYS.import(importId ?? ''), queryFn: () => holidayApi.get(importId!), enabled: Boolean(importId) });
  const preview = current.data && current.data.calendarId === calendar.id ? current.data : null;

  const openImport = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('import', id);
    else next.delete('import');
    setParams(next, { replace: true });
  };
  const run = useMutation({
    mutationFn: () => holidayApi.preview(calendar.id, mode === 'file' ? { text: file!.text, fileName: file!.name, replace } : { url: url.trim(), replace }),
    onSuccess: (r) => {
      setDone(null);
      queryClient.setQueryData(HOLIDAY_KEYS.import(r.id), r);
      openImport(r.id);
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });
  const confirm = useMutation({
    mutationFn: (id: string) => holidayApi.confirm(id),
    onSuccess: (r) => {
      setDone(r.import);
      openImport(null);
      void queryClient.invalidateQueries({ queryKey: CAL_KEYS.all });
      void message.success(t('calendar.import.applied'));
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });
  const discard = useMutation({
    mutationFn: (id: string) => holidayApi.discard(id),
    onSuccess: () => {
      openImport(null);
      void queryClient.invalidateQueries({ queryKey: HOLIDAY_KEYS.status });
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });

  return (
    <Flex vertical gap={12} data-testid="holiday-import">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('calendar.import.help')}
      </Typography.Paragraph>
      <Segmented<'file' | 'url'>
        value={mode}
        onChange={setMode}
        options={[
          { value: 'file', label: t('calendar.import.fromFile') },
          { value: 'url', label: t('calendar.import.fromUrl') },
        ]}
        style={{ alignSelf: 'flex-start' }}
      />
      {mode === 'file' ? (
        <Upload.Dragger
          accept=".json,.ics,application/json,text/calendar"
          maxCount={1}
          showUploadList={false}
          beforeUpload={(f) => {
            void f.text().then((text) => setFile({ name: f.name, text }));
            return false;
          }}
          data-testid="holiday-upload"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{file ? file.name : t('calendar.import.drop')}</p>
          <p className="ant-upload-hint">{t('calendar.import.formats')}</p>
        </Upload.Dragger>
      ) : (
        <Input
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://…/{year}.json"
          data-testid="holiday-url"
          aria-label={t('calendar.import.fromUrl')}
        />
      )}
      <Flex gap={12} align="center" wrap>
        <Checkbox checked={replace} onChange={(e) => setReplace(e.target.checked)}>
          {t('calendar.import.replace')}
        </Checkbox>
        <Button
          type="primary"
          disabled={mode === 'file' ? !file : !url.trim()}
          loading={run.isPending}
          onClick={() => run.mutate()}
          data-testid="holiday-preview"
        >
          {t('calendar.import.preview')}
        </Button>
      </Flex>
      {done ? (
        <Alert
          type="success"
          showIcon
          data-testid="holiday-applied"
          title={t('calendar.import.appliedYears', { years: done.years.map((y) => y.year).join('、') })}
        />
      ) : null}
      {current.isError ? <Alert type="error" title={errorMessage(current.error, t)} /> : null}
      {preview ? (
        <Preview
          imp={preview}
          onConfirm={() => confirm.mutate(preview.id)}
          onDiscard={() => discard.mutate(preview.id)}
          busy={confirm.isPending || discard.isPending}
        />
      ) : null}
      <FeedSettings calendar={calendar} />
    </Flex>
  );
}

function Preview({ imp, onConfirm, onDiscard, busy }: { imp: HolidayImport; onConfirm: () => void; onDiscard: () => void; busy: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const pending = imp.status === 'pending' && dayjs(imp.expiresAt).isAfter(dayjs());
  const total = imp.years.reduce((n, y) => n + y.add + y.change + y.remove, 0);
  const kindTag = (k: 'holiday' | 'workday') => (
    <Tag color={k === 'holiday' ? 'red' : 'blue'} style={{ marginInlineEnd: 0 }}>
      {t(`calendar.import.kind.${k}`)}
    </Tag>
  );
  return (
    <Card
      size="small"
      data-testid="holiday-preview-card"
      title={t('calendar.import.previewTitle', { source: t(`calendar.import.source.${imp.source}`) })}
      extra={<Typography.Text type="secondary">{t(`calendar.import.format.${imp.format}`)}</Typography.Text>}
    >
      <Flex vertical gap={12}>
        {imp.sourceLabel ? (
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>
            {imp.sourceLabel}
          </Typography.Text>
        ) : null}
        {imp.problems.length ? (
          <Alert
            type="warning"
            showIcon
            title={t('calendar.import.problems', { n: imp.problems.length })}
            description={
              <List
                size="small"
                dataSource={imp.problems}
                renderItem={(p) => (
                  <List.Item style={{ paddingInline: 0 }}>
                    {p.line ? t('calendar.import.at', { line: p.line }) : p.path}：{p.message}
                  </List.Item>
                )}
              />
            }
          />
        ) : null}
        {imp.years.map((y) => (
          <Flex key={y.year} vertical gap={8} data-testid="holiday-preview-year">
            <Flex gap={8} align="center" wrap>
              <Typography.Text strong>{t('calendar.import.year', { year: y.year })}</Typography.Text>
              <Tag color="green">{t('calendar.import.count.add', { n: y.add })}</Tag>
              <Tag color="orange">{t('calendar.import.count.change', { n: y.change })}</Tag>
              <Tag color="red">{t('calendar.import.count.remove', { n: y.remove })}</Tag>
              <Tag>{t('calendar.import.count.unchanged', { n: y.unchanged })}</Tag>
            </Flex>
            {y.changes.length ? (
              <Table<Change>
                size="small"
                rowKey="date"
                pagination={false}
                scroll={{ x: 'max-content' }}
                dataSource={y.changes}
                columns={[
                  {
                    title: t('calendar.import.col.date'),
                    dataIndex: 'date',
                    render: (d: string) => (
                      <span style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                        {d} {t(`cal.weekdays.${['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][dayjs(d).day()]}`)}
                      </span>
                    ),
                  },
                  {
                    title: t('calendar.import.col.action'),
                    dataIndex: 'action',
                    render: (a: Change['action']) => <Tag color={ACTION_COLOR[a]}>{t(`calendar.import.action.${a}`)}</Tag>,
                  },
                  { title: t('calendar.import.col.kind'), dataIndex: 'kind', render: (k: Change['kind']) => kindTag(k) },
                  { title: t('calendar.import.col.name'), dataIndex: 'name', render: (n: string | null) => n ?? '—' },
                  {
                    title: t('calendar.import.col.before'),
                    key: 'before',
                    render: (_: unknown, c: Change) => (
                      <Typography.Text type="secondary">
                        {t(`cal.kind.${c.before.kind}`)}
                        {c.before.name ? ` · ${c.before.name}` : ''}
                      </Typography.Text>
                    ),
                  },
                ]}
              />
            ) : null}
          </Flex>
        ))}
        {pending ? (
          <Flex gap={8} align="center" wrap>
            <Button type="primary" onClick={onConfirm} loading={busy} disabled={total === 0} data-testid="holiday-confirm">
              {t('calendar.import.confirm')}
            </Button>
            <Button onClick={onDiscard} disabled={busy} data-testid="holiday-discard">
              {t('calendar.import.discard')}
            </Button>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {total === 0 ? t('calendar.import.nothing') : t('calendar.import.expires', { at: fmt.dateTime(imp.expiresAt) })}
            </Typography.Text>
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t(`calendar.import.status.${imp.status === 'pending' ? 'expired' : imp.status}`)}</Typography.Text>
        )}
      </Flex>
    </Card>
  );
}

/** The daily check: this calendar's feed URL (or the organisation-wide one) and its last result. */
function FeedSettings({ calendar }: { calendar: BusinessCalendar }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const fmt = useFormat();
  const queryClient = useQueryClient();
  const feeds = useQuery({ queryKey: HOLIDAY_KEYS.feeds, queryFn: holidayApi.feeds });
  const own = feeds.data?.items.find((f) => f.calendarId === calendar.id);
  const org = feeds.data?.items.find((f) => f.calendarId === null);
  const [scope, setScope] = useState<'calendar' | 'org'>('calendar');
  const [draft, setDraft] = useState<string | null>(null);
  const shown = scope === 'calendar' ? own : org;
  const value = draft ?? shown?.url ?? '';
  const save = useMutation({
    mutationFn: (u: string | null) => holidayApi.putFeed({ calendarId: scope === 'calendar' ? calendar.id : null, url: u }),
    onSuccess: (r) => {
      queryClient.setQueryData(HOLIDAY_KEYS.feeds, r);
      setDraft(null);
      void message.success(t('calendar.feed.saved'));
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });
  return (
    <Card size="small" title={t('calendar.feed.title')} data-testid="holiday-feed">
      <Flex vertical gap={8}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('calendar.feed.help')}
        </Typography.Text>
        <Segmented<'calendar' | 'org'>
          value={scope}
          onChange={(v) => {
            setScope(v);
            setDraft(null);
          }}
          options={[
            { value: 'calendar', label: t('calendar.feed.scopeCalendar') },
            { value: 'org', label: t('calendar.feed.scopeOrg') },
          ]}
          style={{ alignSelf: 'flex-start' }}
        />
        <Flex gap={8} wrap>
          <Input
            value={value}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="https://…/{year}.json"
            style={{ flex: '1 1 260px' }}
            aria-label={t('calendar.feed.title')}
          />
          <Button type="primary" disabled={!value.trim()} loading={save.isPending} onClick={() => save.mutate(value.trim())}>
            {t('common.save')}
          </Button>
          {shown ? (
            <Button danger disabled={save.isPending} onClick={() => save.mutate(null)}>
              {t('calendar.feed.remove')}
            </Button>
          ) : null}
        </Flex>
        {shown ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {shown.lastCheckedAt
              ? t('calendar.feed.last', {
                  at: fmt.dateTime(shown.lastCheckedAt),
                  status: t(`calendar.feed.status.${shown.lastStatus ?? 'ok'}`),
                  years: shown.lastYears.length ? shown.lastYears.join('、') : '—',
                })
              : t('calendar.feed.never')}
            {shown.lastStatus === 'error' && shown.lastMessage ? `：${shown.lastMessage}` : ''}
          </Typography.Text>
        ) : null}
      </Flex>
    </Card>
  );
}
