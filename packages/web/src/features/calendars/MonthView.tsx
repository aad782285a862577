import { useMemo } from 'react';
import { Alert, Button, DatePicker, Flex, Spin, Tag, Tooltip, Typography } from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { useFormat } from '../auth/me';
import './calendars.css';
import { calendarsApi, WEEKDAYS, type BusinessCalendar, type DayInfo } from './api';

const KIND_STYLE: Record<DayInfo['kind'], { bg: string; border: string; tag: string }> = {
  workday: { bg: '#ffffff', border: '#e8ebf0', tag: 'blue' },
  weekend: { bg: '#fafafa', border: '#eeeeee', tag: 'default' },
  holiday: { bg: '#fff1f0', border: '#ffccc7', tag: 'red' },
  makeup_workday: { bg: '#fff7e6', border: '#ffd591', tag: 'orange' },
};

/** A month of the calendar from GET /calendars/{id}/days: festival names, 调休 make-up workdays and open hours. */
export function MonthView({ calendar, month, onMonth }: { calendar: BusinessCalendar; month: string; onMonth: (m: string) => void }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const first = dayjs(`${month}-01`);
  const from = first.format('YYYY-MM-DD');
  const to = first.endOf('month').format('YYYY-MM-DD');
  const q = useQuery({
    queryKey: ['calendars', 'days', calendar.id, calendar.version, from, to],
    queryFn: () => calendarsApi.days(calendar.id, from, to),
  });
  const lead = (first.day() + 6) % 7; // Monday first
  const cells = useMemo(() => [...Array<DayInfo | null>(lead).fill(null), ...(q.data?.items ?? [])], [lead, q.data]);
  const en = i18n.language === 'en';
  const totals = useMemo(() => {
    const items = q.data?.items ?? [];
    return {
      open: items.filter((d) => d.openSeconds > 0).length,
      hours: Math.round(items.reduce((s, d) => s + d.openSeconds, 0) / 360) / 10,
      holidays: items.filter((d) => d.kind === 'holiday').length,
      makeup: items.filter((d) => d.kind === 'makeup_workday').length,
    };
  }, [q.data]);

  return (
    <Flex vertical gap={12} data-testid="month-view">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Flex gap={8} align="center">
          <Button
            icon={<LeftOutlined />}
            onClick={() => onMonth(first.subtract(1, 'month').format('YYYY-MM'))}
            aria-label={t('cal.prevMonth')}
            data-testid="month-prev"
          />
          <DatePicker
            picker="month"
            allowClear={false}
            value={first}
            onChange={(v) => v && onMonth(v.format('YYYY-MM'))}
            format={t('cal.monthFormat')}
            data-testid="month-picker"
          />
          <Button
            icon={<RightOutlined />}
            onClick={() => onMonth(first.add(1, 'month').format('YYYY-MM'))}
            aria-label={t('cal.nextMonth')}
            data-testid="month-next"
          />
          <Button onClick={() => onMonth(dayjs().tz(fmt.timeZone).format('YYYY-MM'))}>{t('cal.thisMonth')}</Button>
        </Flex>
        <Typography.Text type="secondary">
          {t('cal.monthTotals', { days: totals.open, hours: totals.hours, holidays: totals.holidays, makeup: totals.makeup })}
        </Typography.Text>
      </Flex>
      <Flex gap={8} wrap>
        {(['workday', 'weekend', 'holiday', 'makeup_workday'] as const).map((k) => (
          <Tag key={k} color={KIND_STYLE[k].tag} style={{ marginInlineEnd: 0 }}>
            {t(`cal.kind.${k}`)}
          </Tag>
        ))}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('cal.zoneNote', { zone: calendar.timeZone })}
        </Typography.Text>
      </Flex>
      {q.isError ? <Alert type="error" title={errorMessage(q.error, t)} /> : null}
      <Spin spinning={q.isPending}>
        <div className="chidu-month">
          {WEEKDAYS.map((d) => (
            <div key={d} className="chidu-month-head">
              {t(`cal.weekdaysShort.${d}`)}
            </div>
          ))}
          {cells.map((d, i) =>
            d ? (
              <Tooltip
                key={d.date}
                title={
                  <div>
                    <div>
                      {d.date} · {t(`cal.kind.${d.kind}`)}
                      {d.name ? ` · ${en ? (d.nameEn ?? d.name) : d.name}` : ''}
                    </div>
                    <div>{t(`cal.source.${d.source}`)}</div>
                    <div>{d.periods.length ? d.periods.map((p) => `${p[0]}–${p[1]}`).join('，') : t('cal.closed')}</div>
                  </div>
                }
              >
                <div
                  className="chidu-month-cell"
                  style={{ background: KIND_STYLE[d.kind].bg, borderColor: KIND_STYLE[d.kind].border }}
                  data-testid={`day-${d.date}`}
                  data-kind={d.kind}
                >
                  <Flex justify="space-between" align="center" gap={4}>
                    <span className="chidu-month-num">{Number(d.date.slice(8))}</span>
                    {d.kind === 'holiday' ? (
                      <Tag color="red" className="chidu-month-tag">
                        {t('cal.badge.holiday')}
                      </Tag>
                    ) : d.kind === 'makeup_workday' ? (
                      <Tag color="orange" className="chidu-month-tag">
                        {t('cal.badge.makeup')}
                      </Tag>
                    ) : null}
                  </Flex>
                  {d.name ? (
                    <div className="chidu-month-name" data-testid="day-name">
                      {en ? (d.nameEn ?? d.name) : d.name}
                      {d.kind === 'makeup_workday' && d.source === 'builtin' ? t('cal.makeupSuffix') : ''}
                    </div>
                  ) : null}
                  <div className="chidu-month-hours">
                    {d.periods.length ? d.periods.map((p) => <div key={p.join()}>{`${p[0]}–${p[1]}`}</div>) : <span>{t('cal.closed')}</span>}
                  </div>
                </div>
              </Tooltip>
            ) : (
              <div key={`blank-${i}`} className="chidu-month-cell chidu-month-blank" />
            ),
          )}
        </div>
      </Spin>
    </Flex>
  );
}
