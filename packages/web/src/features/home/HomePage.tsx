import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Col, Flex, Row, Skeleton, Tag, Typography } from 'antd';
import { FileDoneOutlined, InboxOutlined, PlusOutlined, RightOutlined, SwapOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { approvalsApi, handoversApi, ticketsApi } from '../../api/endpoints';
import { PERM } from '../../api/types';
import { dayjs } from '../../lib/time';
import { NAV_ITEMS } from '../../layout/nav';
import { roleLabel } from '../auth/labels';
import { hasPermission, useFormat, useMe, usePermission } from '../auth/me';
import { DutySwitch } from '../tickets/DutySwitch';
import { ResponsibilityCounts } from './ResponsibilityCounts';

function greetingKey(hour: number): string {
  if (hour < 5) return 'home.greetingNight';
  if (hour < 12) return 'home.greetingMorning';
  if (hour < 18) return 'home.greetingAfternoon';
  return 'home.greetingEvening';
}

export default function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useFormat();
  const navigate = useNavigate();
  const now = dayjs().tz(fmt.timeZone);
  const links = NAV_ITEMS.filter((item) => item.key !== 'home' && hasPermission(me, item.permission));

  return (
    <Flex vertical gap={16}>
      <Card className="chidu-welcome" title={t('home.workbench')}>
        <Flex justify="space-between" align="flex-start" wrap gap={16}>
          <div>
            <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 8 }} data-testid="home-greeting">
              {t(greetingKey(now.hour()), { name: me.name })}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
              {t('home.today', { date: now.format(t('format.longDate')) })}
            </Typography.Paragraph>
            <Flex gap={6} wrap align="center">
              <Typography.Text type="secondary">{t('home.youAre')}</Typography.Text>
              {me.roles.map((r) => (
                <Tag key={r} color="blue" style={{ marginInlineEnd: 0 }}>
                  {roleLabel(t, r)}
                </Tag>
              ))}
              {me.teamName ? <Typography.Text type="secondary">· {t('home.team', { team: me.teamName })}</Typography.Text> : null}
              <Typography.Text type="secondary">· {t('home.employeeNo', { employeeNo: me.employeeNo })}</Typography.Text>
            </Flex>
          </div>
          <DutySwitch />
        </Flex>
      </Card>

      <QuickCounts />

      {!me.totpEnabled ? (
        <Alert
          type="info"
          showIcon
          title={t('home.totpReminder')}
          action={
            <Button size="small" type="primary" onClick={() => void navigate('/profile/totp')}>
              {t('profile.totpEnrol')}
            </Button>
          }
        />
      ) : null}

      <div>
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('home.quickLinks')}
        </Typography.Title>
        <Row gutter={[16, 16]}>
          {links.map((item) => (
            <Col key={item.key} xs={24} sm={12} lg={8} xl={6}>
              <Link to={item.path} data-testid={`home-link-${item.key}`}>
                <Card hoverable size="small" style={{ height: '100%' }}>
                  <Flex gap={12} align="flex-start">
                    <span className="chidu-home-icon">{item.icon}</span>
                    <div style={{ flex: 1, minWidth: 0 }}>
                      <Typography.Text strong>{t(item.labelKey)}</Typography.Text>
                      <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0', fontSize: 13 }}>
                        {t(item.descriptionKey)}
                      </Typography.Paragraph>
                    </div>
                    <RightOutlined style={{ color: '#b0b8c4', marginTop: 4 }} />
                  </Flex>
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      </div>
    </Flex>
  );
}

const COUNT_LIMIT = 100;

function countLabel(n: number, more: boolean): string {
  return more ? `${n}+` : String(n);
}

/** Work counts for the shift: what the role answers for (server-counted), then unassigned, handovers and approvals waiting for me. */
function QuickCounts() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const canWork = usePermission(PERM.ticketsWork);
  const canCreate = usePermission(PERM.ticketsCreate);
  const canReadAll = usePermission(PERM.ticketsReadAll);
  const unassigned = useQuery({
    queryKey: ['tickets', 'list', 'count', 'unassigned'],
    queryFn: () => ticketsApi.list({ unassigned: 'true', status: 'new', limit: COUNT_LIMIT }),
    enabled: canWork,
    refetchInterval: 60_000,
  });
  const handovers = useQuery({ queryKey: ['handovers', 'pending'], queryFn: () => handoversApi.list('pending'), enabled: canWork, refetchInterval: 60_000 });
  const approvals = useQuery({ queryKey: ['approvals', 'pending'], queryFn: () => approvalsApi.list('pending'), enabled: canWork, refetchInterval: 60_000 });
  if (!canWork && !canReadAll) return null;

  const cards: { key: string; label: string; icon: ReactNode; value: string | null; to: string; alert?: boolean }[] = [
    {
      key: 'unassigned',
      label: t('home.counts.unassigned'),
      icon: <InboxOutlined />,
      value: unassigned.data ? countLabel(unassigned.data.items.length, Boolean(unassigned.data.nextCursor)) : null,
      to: '/tickets?view=unassigned',
      alert: (unassigned.data?.items.length ?? 0) > 0,
    },
    {
      key: 'handovers',
      label: t('home.counts.handovers'),
      icon: <SwapOutlined />,
      value: handovers.data ? String(handovers.data.items.filter((h) => h.toStaffId === me.id).length) : null,
      to: '/handovers',
      alert: (handovers.data?.items.filter((h) => h.toStaffId === me.id).length ?? 0) > 0,
    },
    {
      key: 'approvals',
      label: t('home.counts.approvals'),
      icon: <FileDoneOutlined />,
      value: approvals.data ? String(approvals.data.items.filter((a) => a.canDecide).length) : null,
      to: '/approvals',
      alert: (approvals.data?.items.filter((a) => a.canDecide).length ?? 0) > 0,
    },
  ];
  const failed = canWork && [unassigned, handovers, approvals].some((q) => q.isError);

  return (
    <div>
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }} wrap gap={8}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('home.counts.title')}
        </Typography.Title>
        {canCreate ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/tickets?new=1')} data-testid="home-new-ticket">
            {t('tickets.new.title')}
          </Button>
        ) : null}
      </Flex>
      <ResponsibilityCounts enabled={canWork || canReadAll} />
      {canWork ? (
        <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
          {cards.map((c) => (
            <Col key={c.key} xs={c.key === 'approvals' ? 24 : 12} md={8}>
              <Link to={c.to} data-testid={`home-count-${c.key}`}>
                <Card hoverable size="small" className={c.alert ? 'chidu-count chidu-count-alert' : 'chidu-count'}>
                  <Flex gap={12} align="center">
                    <span className="chidu-home-icon">{c.icon}</span>
                    <div style={{ minWidth: 0 }}>
                      <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                        {c.label}
                      </Typography.Text>
                      {c.value === null ? (
                        <Skeleton.Button active size="small" style={{ display: 'block', width: 40 }} />
                      ) : (
                        <div className="chidu-count-value" data-testid={`home-count-${c.key}-value`}>
                          {c.value}
                        </div>
                      )}
                    </div>
                  </Flex>
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      ) : null}
      {failed ? (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8, fontSize: 12 }}>
          {t('home.counts.partial')}
        </Typography.Text>
      ) : null}
    </div>
  );
}
