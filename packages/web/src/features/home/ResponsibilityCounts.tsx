import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Card, Col, Flex, Row, Skeleton, Typography } from 'antd';
import { AlertOutlined, ClockCircleOutlined, MessageOutlined, ProfileOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ticketsApi } from '../../api/endpoints';
import type { TicketCounts } from '../../api/types';

/** The ticket list a counter opens: the tab of the scope, with the counter's filter. */
function listLink(scope: TicketCounts['scope'], filter: Record<string, string>): string {
  const view = scope === 'mine' ? 'mine' : scope === 'team' ? 'team' : 'all';
  const q = new URLSearchParams({ view, ...(scope === 'all' && !filter.status ? { status: 'open' } : {}), ...filter });
  return `/tickets?${q.toString()}`;
}

/**
 * What the role answers for, counted on the server (GET /tickets/counts): an agent's own open tickets, a supervisor's
 * team, a director's every team — open, due within the hour, breached, waiting for the customer. Each opens its list.
 */
export function ResponsibilityCounts({ enabled }: { enabled: boolean }) {
  const { t } = useTranslation();
  const counts = useQuery({ queryKey: ['tickets', 'list', 'counts'], queryFn: ticketsApi.counts, enabled, refetchInterval: 60_000 });
  if (!enabled) return null;
  const c = counts.data;
  const scope = c?.scope ?? 'mine';
  const cards: { key: string; icon: ReactNode; value: number | undefined; to: string; alert?: boolean }[] = [
    { key: 'open', icon: <ProfileOutlined />, value: c?.open, to: listLink(scope, {}) },
    { key: 'dueSoon', icon: <ClockCircleOutlined />, value: c?.dueSoon, to: listLink(scope, { risk: 'at_risk' }), alert: (c?.dueSoon ?? 0) > 0 },
    { key: 'breached', icon: <AlertOutlined />, value: c?.breached, to: listLink(scope, { risk: 'breached' }), alert: (c?.breached ?? 0) > 0 },
    { key: 'awaitingCustomer', icon: <MessageOutlined />, value: c?.awaitingCustomer, to: listLink(scope, { status: 'pending_customer' }) },
  ];
  return (
    <div data-testid="home-responsibility" data-scope={c?.scope ?? ''}>
      <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }} data-testid="home-responsibility-scope">
        {c ? t(`homeCounts.scope.${c.scope}`, { team: c.teamName ?? '' }) : '\u00a0'}
      </Typography.Text>
      <Row gutter={[16, 16]}>
        {cards.map((card) => (
          <Col key={card.key} xs={12} md={6}>
            <Link to={card.to} data-testid={`home-count-${card.key}`}>
              <Card hoverable size="small" className={card.alert ? 'chidu-count chidu-count-alert' : 'chidu-count'}>
                <Flex gap={12} align="center">
                  <span className="chidu-home-icon">{card.icon}</span>
                  <div style={{ minWidth: 0 }}>
                    <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                      {t(`homeCounts.${scope}.${card.key}`)}
                    </Typography.Text>
                    {card.value === undefined ? (
                      counts.isError ? (
                        <div className="chidu-count-value">—</div>
                      ) : (
                        <Skeleton.Button active size="small" style={{ display: 'block', width: 40 }} />
                      )
                    ) : (
                      <div className="chidu-count-value" data-testid={`home-count-${card.key}-value`}>
                        {card.value}
                      </div>
                    )}
                  </div>
                </Flex>
              </Card>
            </Link>
          </Col>
        ))}
      </Row>
    </div>
  );
}
