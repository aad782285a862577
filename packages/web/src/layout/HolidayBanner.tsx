import { Alert, Button, Flex } from 'antd';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useMe, usePermission } from '../features/auth/me';
import { useHolidayStatus } from '../features/calendars/holidayApi';

/**
 * From 1 November, when next year's State Council holidays are missing on a calendar in use (neither built in nor
 * imported), admins see a banner linking to the import; supervisors see it read-only. Also offers pending updates the
 * daily feed check found. The server judges the date (GET /calendars/holiday-status).
 */
export function HolidayBanner() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMe();
  const canManage = usePermission('calendars.manage');
  const isSupervisor = me.roles.includes('supervisor') || me.roles.includes('director');
  const status = useHolidayStatus(canManage || isSupervisor);
  const s = status.data;
  if (!s) return null;
  const pending = canManage ? s.pendingImports : [];
  if (!s.banner && pending.length === 0) return null;
  const first = s.banner?.calendars[0];
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      {s.banner ? (
        <Alert
          type="warning"
          showIcon
          data-testid="holiday-banner"
          title={t('calendar.banner.title', { year: s.banner.year })}
          description={t('calendar.banner.calendars', { names: s.banner.calendars.map((c) => c.name).join('、') })}
          action={
            canManage && first ? (
              <Button size="small" type="primary" onClick={() => void navigate(`/calendars/${first.id}?tab=holidays`)} data-testid="holiday-banner-go">
                {t('calendar.banner.go')}
              </Button>
            ) : undefined
          }
        />
      ) : null}
      {pending.map((p) => (
        <Alert
          key={p.id}
          type="info"
          showIcon
          data-testid="holiday-pending"
          title={t('calendar.banner.pending', { calendar: p.calendarName ?? '', years: p.years.map((y) => y.year).join('、') })}
          action={
            <Button size="small" onClick={() => void navigate(`/calendars/${p.calendarId}?tab=holidays&import=${p.id}`)}>
              {t('calendar.banner.review')}
            </Button>
          }
        />
      ))}
    </Flex>
  );
}
