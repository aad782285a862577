import { useCallback, useState } from 'react';
import { App, Button, Card, Checkbox, Empty, Flex, Input, InputNumber, Space, Tag, Typography } from 'antd';
import { EnvironmentOutlined, PhoneOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { ArriveModal } from './ArriveModal';
import { CHECKLIST_STEPS, FIELD_KEYS, mapLink, useMyDay, type DayVisit } from './api';

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
  const { t } = useTranslation();
  const today = dayjs().format('YYYY-MM-DD');
  const day = useMyDay(today);
  const items = day.data?.items ?? [];
  return (
    <div style={{ maxWidth: 560, margin: '0 auto', padding: 12 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('field.today.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('field.today.count', { date: dayjs(today).format('M月D日'), count: items.length })}</Typography.Text>
      <Space direction="vertical" style={{ width: '100%', marginTop: 12 }} size={12}>
        {day.isLoading ? <Card loading /> : null}
        {!day.isLoading && items.length === 0 ? <Empty description={t('field.today.empty')} /> : null}
        {items.map((v, i) => (
          <VisitCard key={v.id} v={v} index={i + 1} date={today} />
        ))}
      </Space>
    </div>
  );
}

function VisitCard({ v, index, date }: { v: DayVisit; index: number; date: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [arriving, setArriving] = useState(false);
  const [arriveError, setArriveError] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const [labour, setLabour] = useState<number | null>(null);
  // The ticked steps show at once; the server's list (after each save) stays the truth for 完成.
  const [ticked, setTicked] = useState<string[]>(v.checklist);
  const refresh = () => qc.invalidateQueries({ queryKey: FIELD_KEYS.day(date) });
  const act = useMutation({
    mutationFn: (kind: 'depart' | 'start' | 'accept') => http.post(`/visits/{id}/${kind}`, { path: { id: v.id } }),
    onSuccess: refresh,
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const arrive = useMutation({
    mutationFn: (o: { code: string; manual: boolean }) => http.post('/visits/{id}/arrive', { path: { id: v.id }, body: o }),
    onSuccess: async () => {
      setArriving(false);
      setArriveError(null);
      message.success(t('field.arrive.ok'));
      await refresh();
    },
    onError: (err) => setArriveError(errorMessage(err, t)),
  });
  const checklist = useMutation({
    mutationFn: (steps: string[]) => http.put('/visits/{id}/checklist', { path: { id: v.id }, body: { steps: steps as (typeof CHECKLIST_STEPS)[number][] } }),
    onSuccess: refresh,
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const complete = useMutation({
    mutationFn: () =>
      http.post('/visits/{id}/complete', { path: { id: v.id }, body: { ...(notes ? { notes } : {}), ...(labour !== null ? { labourMinutes: labour } : {}) } }),
    onSuccess: async () => {
      message.success(t('field.complete.ok'));
      await refresh();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const onCode = useCallback((code: string, manual: boolean) => arrive.mutate({ code, manual }), [arrive]);
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
            <Button block size="large" loading={act.isPending} onClick={() => act.mutate('depart')}>
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
          <Button block size="large" type="primary" loading={act.isPending} onClick={() => act.mutate('start')}>
            {t('field.actions.start')}
          </Button>
        ) : null}
        {v.state === 'started' ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text strong>{t('field.checklist.title')}</Typography.Text>
            <Checkbox.Group
              value={ticked}
              onChange={(vals) => {
                const steps = vals.map(String);
                setTicked(steps);
                checklist.mutate(steps);
              }}
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
            <Button block size="large" type="primary" disabled={!allDone} loading={complete.isPending} onClick={() => complete.mutate()}>
              {t('field.actions.complete')}
            </Button>
          </Space>
        ) : null}
      </div>
      <ArriveModal open={arriving} pending={arrive.isPending} error={arriveError} onCancel={() => setArriving(false)} onCode={onCode} />
    </Card>
  );
}
