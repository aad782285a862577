import { useState } from 'react';
import { App, Button, Skeleton } from 'antd';
import { CalendarOutlined, CheckCircleFilled, FilePdfOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { portalErrorMessage } from '../errors';
import { dayjs } from '../../lib/time';
import { PORTAL_TIME_ZONE } from '../format';

interface SlotList {
  slotMinutes: number;
  items: { start: string; end: string; free: number }[];
  booked?: { start: string; end: string; state: string; technicianName: string | null } | null;
  bookable?: boolean;
  completed?: { visitId: string; start: string; end: string; completedAt: string; technicianName: string | null; reportAttachmentId: string | null } | null;
}
interface Booked {
  id: string;
  technicianName: string;
  start: string;
  end: string;
}
const enc = encodeURIComponent;
/** Times in the organisation's zone (the server's slots are in it). */
const z = (iso: string) => dayjs(iso).tz(PORTAL_TIME_ZONE);

/** 预约上门: the free 2-hour windows of the next days for a repair request; one tap to pick, one to book. */
export function SlotPicker({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const key = ['portal-slots', ticketId];
  const slots = useQuery({ queryKey: key, queryFn: () => api.get<SlotList>(`/portal/tickets/${enc(ticketId)}/slots`, { days: 7 }) });
  const [day, setDay] = useState<string | null>(null);
  const [pick, setPick] = useState<{ start: string; end: string } | null>(null);
  const book = useMutation({
    mutationFn: (w: { start: string; end: string }) => api.post<Booked>(`/portal/tickets/${enc(ticketId)}/bookings`, w),
    onSuccess: async () => {
      message.success(t('slots.done'));
      setPick(null);
      await qc.invalidateQueries({ queryKey: key });
    },
    onError: async (e) => {
      message.error(portalErrorMessage(e, t));
      setPick(null);
      await qc.invalidateQueries({ queryKey: key });
    },
  });
  const fmtDay = (iso: string) => {
    const d = z(iso);
    return t('slots.day', { month: d.month() + 1, date: d.date(), weekday: t(`slots.weekday.${d.day()}`) });
  };
  const data = slots.data;
  if (slots.isLoading) return <Skeleton active />;
  if (!data) return null;
  if (data.booked) {
    const b = data.booked;
    return (
      <section className="pt-card" data-testid="slot-booked">
        <h2 className="pt-h2">
          <CheckCircleFilled style={{ color: '#52c41a' }} /> {t('slots.bookedTitle')}
        </h2>
        <p>{t('slots.bookedWhen', { day: fmtDay(b.start), from: z(b.start).format('HH:mm'), to: z(b.end).format('HH:mm') })}</p>
        <p className="pt-muted">{b.technicianName ? t('slots.bookedWho', { name: b.technicianName }) : t('slots.bookedNoOne')}</p>
      </section>
    );
  }
  if (data.completed && data.bookable === false) {
    const c = data.completed;
    // The finish time alone reads as the window's day; name the day when the work was done on another one.
    const doneAt = z(c.completedAt).isSame(z(c.start), 'day')
      ? z(c.completedAt).format('HH:mm')
      : `${fmtDay(c.completedAt)} ${z(c.completedAt).format('HH:mm')}`;
    return (
      <section className="pt-card" data-testid="visit-completed">
        <h2 className="pt-h2">
          <CheckCircleFilled style={{ color: '#52c41a' }} /> {t('slots.completedTitle')}
        </h2>
        <p>{t('slots.bookedWhen', { day: fmtDay(c.start), from: z(c.start).format('HH:mm'), to: z(c.end).format('HH:mm') })}</p>
        <p className="pt-muted">
          {c.technicianName ? t('slots.completedWho', { name: c.technicianName, at: doneAt }) : t('slots.completedAt', { at: doneAt })}
        </p>
        {c.reportAttachmentId ? (
          <a className="pt-file" href={`/api/v1/portal/visits/${enc(c.visitId)}/report.pdf`} download data-testid="completed-report">
            <FilePdfOutlined /> {t('slots.completedReport')}
          </a>
        ) : (
          <p className="pt-muted" data-testid="completed-unsigned">
            {t('slots.completedUnsigned')}
          </p>
        )}
      </section>
    );
  }
  if (data.bookable === false) return null;
  const days = [...new Set(data.items.map((s) => z(s.start).format('YYYY-MM-DD')))];
  const current = day && days.includes(day) ? day : days[0];
  const ofDay = data.items.filter((s) => z(s.start).format('YYYY-MM-DD') === current);
  return (
    <section className="pt-card" aria-labelledby="slot-title" data-testid="slot-picker">
      <h2 id="slot-title" className="pt-h2">
        <CalendarOutlined /> {t('slots.title')}
      </h2>
      <p className="pt-muted">{t('slots.hint', { hours: data.slotMinutes / 60 })}</p>
      {days.length === 0 ? (
        <p data-testid="no-slots">{t('slots.none')}</p>
      ) : (
        <>
          <div role="tablist" aria-label={t('slots.days')} style={{ display: 'flex', flexWrap: 'wrap', gap: 8, paddingBottom: 8 }}>
            {days.map((d) => (
              <Button
                key={d}
                role="tab"
                aria-selected={d === current}
                type={d === current ? 'primary' : 'default'}
                onClick={() => setDay(d)}
                data-testid="slot-day"
              >
                {fmtDay(d)}
              </Button>
            ))}
          </div>
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 8, margin: '8px 0 12px' }}>
            {ofDay.map((s) => {
              const on = pick?.start === s.start;
              return (
                <Button
                  key={s.start}
                  type={on ? 'primary' : 'default'}
                  aria-pressed={on}
                  onClick={() => setPick({ start: s.start, end: s.end })}
                  data-testid="slot"
                >
                  {z(s.start).format('HH:mm')}–{z(s.end).format('HH:mm')}
                </Button>
              );
            })}
          </div>
          <Button type="primary" block size="large" disabled={!pick} loading={book.isPending} onClick={() => pick && book.mutate(pick)} data-testid="book-slot">
            {pick
              ? t('slots.bookThis', { day: fmtDay(pick.start), from: z(pick.start).format('HH:mm'), to: z(pick.end).format('HH:mm') })
              : t('slots.pickFirst')}
          </Button>
        </>
      )}
    </section>
  );
}
