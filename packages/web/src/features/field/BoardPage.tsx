import { useState, type DragEvent } from 'react';
import { App, Button, Card, DatePicker, Empty, Flex, List, Modal, Pagination, Select, Space, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http, type ResponseOf } from '../../api/client';
import { usePermission } from '../auth/me';
import { errorMessage } from '../../lib/apiErrors';
import { DEFAULT_TIME_ZONE, dayjs } from '../../lib/time';
import ReminderSettingsDrawer from './ReminderSettingsDrawer';
import './board.css';

type Board = ResponseOf<'get', '/field/board'>;
type BoardVisit = Board['unassigned'][number];
const PAGE = 50;
/** Times in the organisation's zone (the board's day is the server's local day). */
const z = (iso: string) => dayjs(iso).tz(DEFAULT_TIME_ZONE);
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

/** Hours the timeline spans: 08:00–20:00, widened to the day's visits. */
function span(board: Board | undefined): [number, number] {
  let lo = 8;
  let hi = 20;
  for (const v of [...(board?.technicians.flatMap((x) => x.visits) ?? []), ...(board?.unassigned ?? [])]) {
    lo = Math.min(lo, z(v.start).hour());
    hi = Math.max(hi, Math.min(24, z(v.end).hour() + 1));
  }
  return [lo, hi];
}

/** 调度看板: technicians × the day's timeline, late / at-risk visits highlighted, unassigned visits, reassign by drag or select. */
export default function BoardPage() {
  const { t } = useTranslation();
  const [date, setDate] = useState(dayjs().tz(DEFAULT_TIME_ZONE).format('YYYY-MM-DD'));
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<BoardVisit | null>(null);
  const canManage = usePermission('field.manage');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const board = useQuery({
    queryKey: ['field-board', date, page],
    queryFn: () => http.get('/field/board', { query: { date, offset: (page - 1) * PAGE, limit: PAGE } }),
    refetchInterval: 15_000,
  });
  const data = board.data;
  const [lo, hi] = span(data);
  const hours = Array.from({ length: hi - lo }, (_, i) => lo + i);
  const dayStart = dayjs.tz(date, DEFAULT_TIME_ZONE).startOf('day');
  const pos = (iso: string) => ((z(iso).diff(dayStart, 'minute') / 60 - lo) / (hi - lo)) * 100;
  const qc = useQueryClient();
  const { message } = App.useApp();
  const dispatch = useMutation({
    mutationFn: (v: { id: string; technicianId: string }) =>
      http.post('/visits/{id}/dispatch', { path: { id: v.id }, body: { technicianId: v.technicianId, dryRun: false } }),
    onSuccess: async (r) => {
      message.success(t('fieldDispatch.board.sent', { name: r.chosen?.name ?? '' }));
      setOpen(null);
      await qc.invalidateQueries({ queryKey: ['field-board'] });
    },
    onError: (e) => message.error(errorMessage(e, t)),
  });
  const onDrop = (technicianId: string) => (e: DragEvent) => {
    e.preventDefault();
    const id = e.dataTransfer.getData('text/visit');
    if (id) dispatch.mutate({ id, technicianId });
  };
  const late = data ? [...data.technicians.flatMap((x) => x.visits), ...data.unassigned].filter((v) => v.flag === 'late').length : 0;
  const atRisk = data ? [...data.technicians.flatMap((x) => x.visits), ...data.unassigned].filter((v) => v.flag === 'at_risk').length : 0;

  return (
    <div className="fd-board" data-testid="dispatch-board">
      <Flex align="center" gap={12} wrap style={{ marginBottom: 12 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('fieldDispatch.board.title')}
        </Typography.Title>
        <DatePicker
          value={dayjs(date)}
          allowClear={false}
          onChange={(d) => {
            if (d) setDate(d.format('YYYY-MM-DD'));
          }}
          aria-label={t('fieldDispatch.board.date')}
        />
        <Tag color="red">{t('fieldDispatch.board.lateCount', { count: late })}</Tag>
        <Tag color="orange">{t('fieldDispatch.board.atRiskCount', { count: atRisk })}</Tag>
        <Typography.Text type="secondary">{t('fieldDispatch.board.live', { time: data ? z(data.now).format('HH:mm:ss') : '—' })}</Typography.Text>
        {canManage ? (
          <Button style={{ marginLeft: 'auto' }} onClick={() => setSettingsOpen(true)}>
            {t('fieldDispatch.reminders.settings')}
          </Button>
        ) : null}
      </Flex>
      {canManage ? <ReminderSettingsDrawer open={settingsOpen} onClose={() => setSettingsOpen(false)} /> : null}
      <Flex gap={12} align="flex-start">
        <Card size="small" title={t('fieldDispatch.board.unassigned', { count: data?.unassigned.length ?? 0 })} className="fd-unassigned">
          {data?.unassigned.length ? (
            <List
              size="small"
              dataSource={data.unassigned}
              renderItem={(v) => (
                <List.Item key={v.id}>
                  <button
                    type="button"
                    className="fd-chip"
                    draggable
                    onDragStart={(e) => e.dataTransfer.setData('text/visit', v.id)}
                    onClick={() => setOpen(v)}
                    data-testid="unassigned-visit"
                  >
                    <b>{v.ticketNumber}</b> {z(v.start).format('HH:mm')}–{z(v.end).format('HH:mm')}
                    <br />
                    {v.siteName ?? v.ticketSubject}
                  </button>
                </List.Item>
              )}
            />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('fieldDispatch.board.noneUnassigned')} />
          )}
        </Card>
        <div className="fd-grid" role="table" aria-label={t('fieldDispatch.board.title')}>
          <div className="fd-row fd-head" role="row">
            <div className="fd-name" role="columnheader">
              {t('fieldDispatch.board.technician')}
            </div>
            <div className="fd-lane" role="columnheader">
              {hours.map((h) => (
                <span key={h} className="fd-hour" style={{ left: `${((h - lo) / (hi - lo)) * 100}%` }}>
                  {String(h).padStart(2, '0')}:00
                </span>
              ))}
            </div>
          </div>
          {board.isLoading ? <Card loading /> : null}
          {data?.technicians.map((tech) => (
            <div key={tech.id} className="fd-row" role="row" onDragOver={(e) => e.preventDefault()} onDrop={onDrop(tech.id)} data-testid="board-row">
              <div className="fd-name" role="rowheader">
                {tech.name}
                <Typography.Text type="secondary"> {t('fieldDispatch.board.visits', { count: tech.visits.length })}</Typography.Text>
              </div>
              <div className="fd-lane" role="cell">
                {tech.visits.map((v) => (
                  <button
                    type="button"
                    key={v.id}
                    draggable
                    onDragStart={(e) => e.dataTransfer.setData('text/visit', v.id)}
                    onClick={() => setOpen(v)}
                    className={`fd-visit fd-visit--${v.state}${v.flag ? ` fd-visit--${v.flag}` : ''}`}
                    style={{ left: `${Math.max(0, pos(v.start))}%`, width: `${Math.max(2, pos(v.end) - Math.max(0, pos(v.start)))}%` }}
                    title={`${v.ticketNumber} · ${v.ticketSubject} · ${t(`fieldDispatch.state.${v.state}`)}`}
                    data-testid="board-visit"
                    data-number={v.ticketNumber}
                    data-flag={v.flag ?? ''}
                  >
                    {/* A dispatcher reads the job, not the whole number: its last digits, the state, the subject. */}
                    {v.ticketNumber.slice(-4)} · {t(`fieldDispatch.state.${v.state}`)}
                    {v.flag ? ` · ${t(`fieldDispatch.flag.${v.flag}`)}` : ''} · {v.ticketSubject}
                  </button>
                ))}
              </div>
            </div>
          ))}
          {data && data.totalTechnicians > PAGE ? (
            <Pagination style={{ marginTop: 8 }} current={page} pageSize={PAGE} total={data.totalTechnicians} onChange={setPage} showSizeChanger={false} />
          ) : null}
        </div>
      </Flex>
      {open ? (
        <VisitModal
          v={open}
          onClose={() => setOpen(null)}
          onSend={(technicianId) => dispatch.mutate({ id: open.id, technicianId })}
          sending={dispatch.isPending}
        />
      ) : null}
    </div>
  );
}

/** A visit's proposals (ranked, with reasons) and the keyboard-friendly reassign select. */
function VisitModal({ v, onClose, onSend, sending }: { v: BoardVisit; onClose: () => void; onSend: (technicianId: string) => void; sending: boolean }) {
  const { t } = useTranslation();
  const props = useQuery({ queryKey: ['field-proposals', v.id], queryFn: () => http.get('/visits/{id}/proposals', { path: { id: v.id } }) });
  const items = props.data?.items ?? [];
  const [pick, setPick] = useState<string | undefined>(undefined);
  const chosen = pick ?? items.find((p) => p.eligible)?.technicianId;
  return (
    <Modal
      open
      title={`${v.ticketNumber} · ${v.ticketSubject}`}
      onCancel={onClose}
      width={640}
      okText={t('fieldDispatch.board.send')}
      okButtonProps={{ disabled: !chosen, loading: sending, id: 'send-visit' }}
      onOk={() => chosen && onSend(chosen)}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text>
          {z(v.start).format('M月D日 HH:mm')}–{z(v.end).format('HH:mm')} · {v.siteName ?? '—'} ·{' '}
          <Tag color={STATE_COLOR[v.state]}>{t(`fieldDispatch.state.${v.state}`)}</Tag>
          {v.confirmed ? <Tag color="green">{t('fieldDispatch.board.confirmed')}</Tag> : <Tag>{t('fieldDispatch.board.unconfirmed')}</Tag>}
        </Typography.Text>
        <Select
          style={{ width: '100%' }}
          value={chosen}
          onChange={setPick}
          aria-label={t('fieldDispatch.board.reassign')}
          placeholder={t('fieldDispatch.board.reassign')}
          options={items.map((p) => ({ value: p.technicianId, label: `${p.name}${p.eligible ? '' : ` (${t('fieldDispatch.board.notFree')})`}` }))}
          data-testid="reassign-select"
        />
        <List
          size="small"
          loading={props.isLoading}
          header={t('fieldDispatch.board.proposals')}
          dataSource={items}
          renderItem={(p, i) => (
            <List.Item key={p.technicianId} data-testid="proposal">
              <Space direction="vertical" size={0}>
                <span>
                  {i + 1}. <b>{p.name}</b> {p.eligible ? <Tag color="green">{t('fieldDispatch.board.eligible')}</Tag> : null}
                </span>
                <Typography.Text type="secondary">{p.reasons.join(' · ')}</Typography.Text>
              </Space>
              {p.eligible ? (
                <Button size="small" onClick={() => onSend(p.technicianId)} loading={sending}>
                  {t('fieldDispatch.board.sendTo')}
                </Button>
              ) : null}
            </List.Item>
          )}
        />
      </Space>
    </Modal>
  );
}
