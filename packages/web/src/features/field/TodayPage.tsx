import { useCallback, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Empty, Flex, Input, InputNumber, Segmented, Space, Tag, Typography } from 'antd';
import { CheckCircleOutlined, CloudUploadOutlined, EnvironmentOutlined, PhoneOutlined, SyncOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { ArriveModal } from './ArriveModal';
import { CHECKLIST_STEPS, mapLink, useFieldParts, useMyDay, useVisitWork, type DayVisit } from './api';
import { codeMatches } from './codeCheck';
import { applyQueued, queuedWork, type OfflineQueue, type QueueItem } from './offlineQueue';
import { takeAction, useAutoSync, useFieldQueue, useFieldServiceWorker } from './useFieldQueue';
import { quotePending, VisitWork } from './VisitWork';

const STATE_COLOR: Record<string, string> = {
  scheduled: 'default',
  accepted: 'blue',
  en_route: 'processing',
  arrived: 'cyan',
  started: 'orange',
  completed: 'green',
  declined: 'red',
  cancelled: 'default',
};

/** 今日上门: the technician's visits of the day, 390×844 first — 出发 → 到达 (扫码) → 开始 → 完成 with the checklist. */
export default function TodayPage() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  // Today by default; `?date=YYYY-MM-DD` (今天 / 明天 below) shows another day's visits.
  const [params, setParams] = useSearchParams();
  const now = dayjs().format('YYYY-MM-DD');
  const tomorrow = dayjs().add(1, 'day').format('YYYY-MM-DD');
  const asked = params.get('date') ?? '';
  const today = /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : now;
  const day = useMyDay(today);
  const { snap, queue } = useFieldQueue();
  useAutoSync(qc, today);
  useFieldServiceWorker(qc);
  useFieldParts(); // read while online, so the part picker works offline
  const items = day.data?.items ?? [];
  return (
    <div style={{ maxWidth: 560, margin: '0 auto', padding: 12 }}>
      <Flex justify="space-between" align="center" gap={8}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('field.today.title')}
        </Typography.Title>
        <SyncBadge pending={snap.pending} sending={snap.sending} />
      </Flex>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary">
          {t('field.today.count', { date: dayjs(today).format(i18n.language.startsWith('zh') ? 'M月D日' : 'MMM D'), count: items.length })}
        </Typography.Text>
        <Segmented
          size="small"
          value={today === tomorrow ? 'tomorrow' : today === now ? 'today' : 'other'}
          options={[
            { label: t('field.today.dayToday'), value: 'today' },
            { label: t('field.today.dayTomorrow'), value: 'tomorrow' },
          ]}
          onChange={(v) => setParams(v === 'tomorrow' ? { date: tomorrow } : {})}
          data-testid="day-switch"
        />
      </Flex>
      <FailedItems items={snap.items} queue={queue} />
      <Space direction="vertical" style={{ width: '100%', marginTop: 12 }} size={12}>
        {day.isLoading ? <Card loading /> : null}
        {!day.isLoading && items.length === 0 ? (
          <Empty description={today === now ? t('field.today.empty') : today === tomorrow ? t('field.today.emptyTomorrow') : t('field.today.emptyDay')} />
        ) : null}
        {items.map((v, i) => (
          <VisitCard key={v.id} v={applyQueued(v, snap.items)} index={i + 1} queue={queue} queued={snap.items} />
        ))}
      </Space>
    </div>
  );
}

/** 待同步 N / 已同步: the actions kept on the phone that the server has not taken yet. */
function SyncBadge({ pending, sending }: { pending: number; sending: boolean }) {
  const { t } = useTranslation();
  if (pending === 0)
    return (
      <Tag color="green" icon={<CheckCircleOutlined />} data-testid="sync-status" style={{ fontSize: 14, padding: '4px 8px' }}>
        {t('fieldApp.sync.synced')}
      </Tag>
    );
  return (
    <Tag color="orange" icon={sending ? <SyncOutlined spin /> : <CloudUploadOutlined />} data-testid="sync-status" style={{ fontSize: 14, padding: '4px 8px' }}>
      {t('fieldApp.sync.pending', { count: pending })}
    </Tag>
  );
}

/** Actions the server refused (a 4xx): shown with its message, to send again or drop — never retried forever. */
function FailedItems({ items, queue }: { items: readonly QueueItem[]; queue: OfflineQueue }) {
  const { t } = useTranslation();
  const failed = items.filter((i) => i.status === 'failed');
  if (failed.length === 0) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', marginTop: 8 }} data-testid="sync-failed">
      {failed.map((i) => (
        <Alert
          key={i.key}
          type="error"
          showIcon
          message={t('fieldApp.sync.failed', { action: t(`fieldApp.kinds.${i.kind}`) })}
          description={queuedErrorMessage(i, t)}
          action={
            <Space direction="vertical" size={4}>
              <Button size="small" onClick={() => void queue.retry(i.key).then(() => queue.drain())}>
                {t('fieldApp.sync.retry')}
              </Button>
              <Button size="small" danger onClick={() => void queue.discard(i.key)}>
                {t('fieldApp.sync.discard')}
              </Button>
            </Space>
          }
        />
      ))}
    </Space>
  );
}

/** The server's refusal in the reader's language when the app knows the reason, else the server's text. */
function queuedErrorMessage(i: QueueItem, t: TFunction): string {
  const e = i.error;
  if (!e) return '';
  return errorMessage(
    new ApiError(e.status, {
      detail: e.message,
      ...(e.code ? { code: e.code } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.params ? { params: e.params } : {}),
    }),
    t,
  );
}

function VisitCard({ v, index, queue, queued }: { v: DayVisit; index: number; queue: OfflineQueue; queued: readonly QueueItem[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [arriving, setArriving] = useState(false);
  const [arriveError, setArriveError] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const [labour, setLabour] = useState<number | null>(null);
  const work = useVisitWork(v.id, ['arrived', 'started', 'completed'].includes(v.state));
  const blockedByQuote = quotePending(work.data?.quote, queuedWork(v.id, queued));
  const base = `/visits/${v.id}`;
  const moveTo = (kind: 'depart' | 'start' | 'accept') => void takeAction(queue, { visitId: v.id, kind, method: 'POST', path: `${base}/${kind}` });
  const onCode = useCallback(
    (code: string, manual: boolean) => {
      void (async () => {
        // Checked here against the hashes of the site's codes (offline too); the server checks again when it is sent.
        if ((await codeMatches(code, v.codeHashes)) === false) {
          setArriveError(t('errors.reason.wrong_site'));
          return;
        }
        await takeAction(queue, { visitId: v.id, kind: 'arrive', method: 'POST', path: `/visits/${v.id}/arrive`, body: { code, manual } });
        setArriving(false);
        setArriveError(null);
        message.success(t('field.arrive.ok'));
      })();
    },
    [queue, v.id, v.codeHashes, t, message],
  );
  const setChecklist = (steps: string[]) =>
    void takeAction(queue, { visitId: v.id, kind: 'checklist', method: 'PUT', path: `${base}/checklist`, body: { steps } });
  const complete = () => {
    void takeAction(queue, {
      visitId: v.id,
      kind: 'complete',
      method: 'POST',
      path: `${base}/complete`,
      body: { ...(notes ? { notes } : {}), ...(labour !== null ? { labourMinutes: labour } : {}) },
    });
    message.success(t('field.complete.ok'));
  };
  const window = `${dayjs(v.start).format('HH:mm')}–${dayjs(v.end).format('HH:mm')}`;
  const allDone = CHECKLIST_STEPS.every((s) => v.checklist.includes(s));

  return (
    <Card size="small" data-testid="visit-card">
      <Flex justify="space-between" align="center">
        <Typography.Text strong>{`${index}. ${window}`}</Typography.Text>
        <Space size={4}>
          {v.priority === 'urgent' ? <Tag color="red">{t('field.today.urgent')}</Tag> : null}
          <Tag color={STATE_COLOR[v.state]}>{t(`field.states.${v.state}`)}</Tag>
        </Space>
      </Flex>
      <Typography.Paragraph style={{ margin: '6px 0' }}>
        {v.ticketSubject} <Typography.Text type="secondary">{v.ticketNumber}</Typography.Text>
      </Typography.Paragraph>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text>
          {v.customerName ?? '—'} {v.customerPhoneMasked ?? ''}
        </Typography.Text>
        {v.customerPhone ? (
          <Button size="small" icon={<PhoneOutlined />} href={`tel:${v.customerPhone.replace(/\s/g, '')}`}>
            {t('field.today.call')}
          </Button>
        ) : null}
      </Flex>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginTop: 4 }}>
        <Typography.Text type="secondary">{[v.siteName, v.address].filter(Boolean).join(' · ') || '—'}</Typography.Text>
        {v.address ? (
          <Button size="small" icon={<EnvironmentOutlined />} href={mapLink(v.address)} target="_blank" rel="noopener noreferrer">
            {t('field.today.map')}
          </Button>
        ) : null}
      </Flex>
      {v.arrivedAt ? (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4, fontSize: 12 }}>
          {t('field.today.arrivedAt', { time: dayjs(v.arrivedAt).format('HH:mm'), timing: t(`field.timing.${v.arrivalTiming ?? 'on_time'}`) })}
          {v.arrivalMethod === 'manual' ? <Tag style={{ marginLeft: 6 }}>{t('field.today.manualFlag')}</Tag> : null}
        </Typography.Text>
      ) : null}

      <div style={{ marginTop: 10 }}>
        {v.state === 'scheduled' || v.state === 'accepted' ? (
          <Flex gap={8}>
            <Button block size="large" onClick={() => moveTo('depart')}>
              {t('field.actions.depart')}
            </Button>
            <Button block size="large" type="primary" onClick={() => setArriving(true)}>
              {t('field.actions.arrive')}
            </Button>
          </Flex>
        ) : null}
        {v.state === 'en_route' ? (
          <Button block size="large" type="primary" onClick={() => setArriving(true)}>
            {t('field.actions.arrive')}
          </Button>
        ) : null}
        {v.state === 'arrived' ? (
          <>
            {blockedByQuote ? <Typography.Text type="warning">{t('fieldApp.quote.blocksStart')}</Typography.Text> : null}
            <Button block size="large" type="primary" disabled={blockedByQuote} onClick={() => moveTo('start')}>
              {t('field.actions.start')}
            </Button>
          </>
        ) : null}
        {v.state === 'started' ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text strong>{t('field.checklist.title')}</Typography.Text>
            <Checkbox.Group
              value={v.checklist}
              onChange={(vals) => setChecklist(vals.map(String))}
              style={{ display: 'flex', flexDirection: 'column', gap: 6 }}
              options={CHECKLIST_STEPS.map((s) => ({ value: s, label: t(`field.checklist.${s}`) }))}
            />
            <Input.TextArea rows={2} placeholder={t('field.complete.notes')} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={5000} />
            <InputNumber
              style={{ width: '100%' }}
              min={0}
              max={1440}
              placeholder={t('field.complete.labour')}
              value={labour}
              onChange={(n) => setLabour(n)}
              addonAfter={t('field.complete.minutes')}
            />
            {!allDone ? <Typography.Text type="warning">{t('field.checklist.required')}</Typography.Text> : null}
            <Button block size="large" type="primary" disabled={!allDone} onClick={complete}>
              {t('field.actions.complete')}
            </Button>
          </Space>
        ) : null}
      </div>
      {['arrived', 'started', 'completed'].includes(v.state) ? <VisitWork visitId={v.id} state={v.state} queue={queue} items={queued} /> : null}
      <ArriveModal open={arriving} pending={false} error={arriveError} onCancel={() => setArriving(false)} onCode={onCode} />
    </Card>
  );
}
