import { Link, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Col, Flex, Row, Tag, Typography } from 'antd';
import { RightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { dayjs } from '../../lib/time';
import { NAV_ITEMS } from '../../layout/nav';
import { roleLabel } from '../auth/labels';
import { hasPermission, useFormat, useMe } from '../auth/me';

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
        </Flex>
      </Card>

      {!me.totpEnabled ? (
        <Alert
          type="info"
          showIcon
          title={t('home.totpReminder')}
          action={
            <Button size="small" type="primary" onClick={() => navigate('/profile/totp')}>
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
