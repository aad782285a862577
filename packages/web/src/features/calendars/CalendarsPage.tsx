import { useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Flex, List, Row, Spin, Tabs, Tag, Typography } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { Page } from '../../layout/Page';
import { useFormat, usePermission } from '../auth/me';
import { CAL_KEYS, CAL_PERM, calendarsApi, useCalendars, WEEKDAYS, type BusinessCalendar } from './api';
import { CalendarEditor } from './CalendarEditor';
import { Assignments, IcsImport, Overrides, TryIt } from './CalendarTools';
import { HolidayImportPanel } from './HolidayImportPanel';
import { MonthView } from './MonthView';

/** 工作日历: calendars (zone, weekly hours, holidays, overrides), month view, .ics import, assignments, try-it box. */
export default function CalendarsPage() {
  const { t } = useTranslation();
  const { id } = useParams<{ id: string }>();
  const navigate = useNavigate();
  const canManage = usePermission(CAL_PERM.manage);
  const list = useCalendars();
  const [editing, setEditing] = useState<BusinessCalendar | 'new' | null>(null);
  const items = list.data?.items ?? [];
  const selectedId = id ?? items[0]?.id;

  return (
    <Page
      title={t('cal.title')}
      subtitle={t('cal.subtitle')}
      extra={
        canManage ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="cal-new">
            {t('cal.new')}
          </Button>
        ) : null
      }
    >
      {list.isError ? <Alert type="error" title={errorMessage(list.error, t)} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={6}>
          <Card size="small" title={t('cal.list')} styles={{ body: { padding: 0 } }}>
            <List<BusinessCalendar>
              loading={list.isPending}
              dataSource={items}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cal.empty')} /> }}
              renderItem={(c) => (
                <List.Item
                  onClick={() => void navigate(`/calendars/${c.id}`)}
                  style={{ cursor: 'pointer', paddingInline: 12, background: c.id === selectedId ? '#e8f0fb' : undefined }}
                  data-testid="cal-item"
                >
                  <Flex vertical gap={2} style={{ minWidth: 0 }}>
                    <Typography.Text strong ellipsis>
                      {c.name}
                    </Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.timeZone}
                      {c.holidays ? ` · ${t('cal.builtInShort')}` : ''}
                      {c.uncoveredYears.length ? ' · ' : ''}
                      {c.uncoveredYears.length ? (
                        <Typography.Text type="warning" style={{ fontSize: 12 }}>
                          {t('cal.uncoveredShort')}
                        </Typography.Text>
                      ) : null}
                    </Typography.Text>
                  </Flex>
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={18}>
          {selectedId ? (
            <CalendarDetail id={selectedId} canManage={canManage} onEdit={setEditing} />
          ) : list.isPending ? null : (
            <Empty description={t('cal.empty')} />
          )}
        </Col>
        <Col span={24}>
          <Assignments canManage={canManage} />
        </Col>
      </Row>
      <CalendarEditor
        open={editing !== null}
        calendar={editing === 'new' || editing === null ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={(c) => void navigate(`/calendars/${c.id}`)}
      />
    </Page>
  );
}

function CalendarDetail({ id, canManage, onEdit }: { id: string; canManage: boolean; onEdit: (c: BusinessCalendar) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const q = useQuery({ queryKey: CAL_KEYS.one(id), queryFn: () => calendarsApi.get(id) });
  const month = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month')! : dayjs().tz(fmt.timeZone).format('YYYY-MM');
  const tab = params.get('tab') ?? 'month';
  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next, { replace: true });
  };
  if (q.isPending) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (q.isError) return <Alert type="error" title={errorMessage(q.error, t)} />;
  const c = q.data;
  const weekly = WEEKDAYS.map((d) => ({
    key: d,
    label: t(`cal.weekdays.${d}`),
    children: c.weekly[d]?.length ? (
      <Flex gap={4} wrap>
        {c.weekly[d].map((p) => (
          <Tag key={p.join()} style={{ marginInlineEnd: 0, fontVariantNumeric: 'tabular-nums' }}>{`${p[0]}–${p[1]}`}</Tag>
        ))}
      </Flex>
    ) : (
      <Typography.Text type="secondary">{t('cal.closed')}</Typography.Text>
    ),
  }));

  return (
    <Card
      size="small"
      title={
        <Flex gap={8} align="center" wrap>
          <span data-testid="cal-title">{c.name}</span>
          <Tag style={{ marginInlineEnd: 0 }}>{c.timeZone}</Tag>
          {c.holidays ? (
            <Tag color="red" style={{ marginInlineEnd: 0 }}>
              {t('cal.builtIn')}
            </Tag>
          ) : null}
          <Tag style={{ marginInlineEnd: 0 }}>v{c.version}</Tag>
        </Flex>
      }
      extra={
        canManage ? (
          <Button size="small" icon={<EditOutlined />} onClick={() => onEdit(c)} data-testid="cal-edit">
            {t('common.edit')}
          </Button>
        ) : null
      }
    >
      <Flex vertical gap={12}>
        {c.uncoveredYears.length ? (
          <Alert
            type="warning"
            showIcon
            data-testid="uncovered-banner"
            title={t('cal.uncovered', { years: c.uncoveredYears.join('、') })}
            description={
              <>
                {t('cal.uncoveredHelp', { from: c.coverage?.fromYear ?? '', to: c.coverage?.toYear ?? '' })}
                {c.uncoveredYears.map((y) => {
                  const n = c.overrides.filter((o) => o.date.startsWith(`${y}-`)).length;
                  return n ? (
                    <div key={y} style={{ marginTop: 4 }} data-testid="uncovered-progress">
                      {t('cal.uncoveredHas', { year: y, n })}
                    </div>
                  ) : null;
                })}
                {canManage ? (
                  <Flex gap={8} style={{ marginTop: 8 }} wrap>
                    <Button size="small" onClick={() => setParam('tab', 'overrides')}>
                      {t('cal.addOverrides')}
                    </Button>
                    <Button size="small" type="primary" onClick={() => setParam('tab', 'holidays')} data-testid="uncovered-import">
                      {t('calendar.importHolidays')}
                    </Button>
                    <Button size="small" onClick={() => setParam('tab', 'ics')}>
                      {t('cal.importIcs')}
                    </Button>
                  </Flex>
                ) : null}
              </>
            }
          />
        ) : null}
        {c.description ? <Typography.Text type="secondary">{c.description}</Typography.Text> : null}
        <Descriptions size="small" column={{ xs: 1, sm: 2, xl: 3 }} items={weekly} data-testid="cal-weekly" />
        {c.coverage ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('cal.coverage', { from: c.coverage.fromYear, to: c.coverage.toYear })}
          </Typography.Text>
        ) : null}
        <Tabs
          activeKey={tab}
          onChange={(k) => setParam('tab', k)}
          items={[
            { key: 'month', label: t('cal.tabs.month'), children: <MonthView calendar={c} month={month} onMonth={(m) => setParam('month', m)} /> },
            { key: 'overrides', label: t('cal.tabs.overrides', { n: c.overrides.length }), children: <Overrides calendar={c} canManage={canManage} /> },
            ...(canManage ? [{ key: 'ics', label: t('cal.tabs.ics'), children: <IcsImport calendar={c} /> }] : []),
            ...(canManage ? [{ key: 'holidays', label: t('calendar.tab'), children: <HolidayImportPanel calendar={c} /> }] : []),
            { key: 'try', label: t('cal.tabs.try'), children: <TryIt calendar={c} /> },
          ]}
        />
      </Flex>
    </Card>
  );
}
