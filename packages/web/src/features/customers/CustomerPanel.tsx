import { useState } from 'react';
import { App, Button, Card, Descriptions, Flex, List, Statistic, Tag, Typography } from 'antd';
import { EyeOutlined, RightOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../../api/endpoints';
import { PERM, type CustomerProfile } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { useFormat, usePermission } from '../auth/me';
import { StatusTag } from '../tickets/ui';
import { TierTag, VipTag } from './CustomersPage';
import { flatText } from './FlatFields';

/** Customer side panel of a ticket: profile summary, masked contact with "show", recent tickets, compensation total. */
export function CustomerPanel({ customerId, currentTicketId }: { customerId: string; currentTicketId?: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const canRead = usePermission(PERM.customersRead);
  const canUnmask = usePermission(PERM.customersUnmask);
  const [revealed, setRevealed] = useState<CustomerProfile | null>(null);
  const c360 = useQuery({ queryKey: ['customers', '360', customerId], queryFn: () => customersApi.get360(customerId), enabled: canRead });
  const reveal = useMutation({
    mutationFn: () => customersApi.get360(customerId, true),
    onSuccess: (d) => {
      // unmasked contact data stays in this component only, never in the query cache
      setRevealed(d.profile);
      void message.info(t('customers.revealed'));
    },
    onError: (err) => showError(err),
  });

  if (!canRead) return null;
  if (c360.isPending) return <Card size="small" loading title={t('customerPanel.title')} />;
  if (c360.isError) {
    return (
      <Card size="small" title={t('customerPanel.title')}>
        <Typography.Text type="danger">{errorMessage(c360.error, t)}</Typography.Text>
      </Card>
    );
  }
  const d = c360.data;
  const p = revealed && revealed.id === customerId ? revealed : d.profile;
  const recent = d.tickets.filter((x) => x.id !== currentTicketId).slice(0, 5);

  return (
    <Card
      size="small"
      title={t('customerPanel.title')}
      extra={
        <Link to={`/customers/${customerId}`} data-testid="customer-360-link">
          {t('customerPanel.open360')} <RightOutlined />
        </Link>
      }
      data-testid="customer-panel"
    >
      <Flex vertical gap={12}>
        <Flex gap={8} align="center" wrap>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {p.name}
          </Typography.Text>
          <TierTag tier={p.tier} />
          {p.vip ? <VipTag /> : null}
        </Flex>
        <Descriptions
          size="small"
          column={1}
          items={[
            ...(flatText(p) ? [{ key: 'flat', label: t('customers.flat'), children: flatText(p) }] : []),
            {
              key: 'phone',
              label: t('customers.phone'),
              children: (
                <Flex gap={6} align="center" wrap>
                  <span data-testid="customer-phone">{p.phone || '—'}</span>
                  {p.masked && canUnmask && p.phone ? (
                    <Button
                      size="small"
                      type="link"
                      icon={<EyeOutlined />}
                      loading={reveal.isPending}
                      onClick={() => reveal.mutate()}
                      style={{ padding: 0 }}
                      data-testid="customer-reveal"
                    >
                      {t('customerPanel.show')}
                    </Button>
                  ) : null}
                </Flex>
              ),
            },
            ...(p.email ? [{ key: 'email', label: t('customers.email'), children: p.email }] : []),
            ...(p.addresses?.length ? [{ key: 'addr', label: t('customer360.addresses'), children: p.addresses.map((a) => a.text).join('；') }] : []),
            ...(p.demandType ? [{ key: 'demand', label: t('customer360.demandType'), children: p.demandType }] : []),
          ]}
        />
        {p.tags.length ? (
          <Flex gap={4} wrap>
            {p.tags.map((tag) => (
              <Tag key={tag} style={{ marginInlineEnd: 0 }}>
                {tag}
              </Tag>
            ))}
          </Flex>
        ) : null}
        {p.notes ? (
          <Typography.Paragraph type="secondary" ellipsis={{ rows: 3, expandable: true }} style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
            {p.notes}
          </Typography.Paragraph>
        ) : null}
        <Flex gap={12} wrap className="chidu-mini-stats">
          <Statistic title={t('customer360.stats.tickets')} value={d.stats.tickets} />
          <Statistic title={t('customer360.stats.open')} value={d.stats.open} />
          <Statistic title={t('customer360.stats.complaints')} value={d.stats.complaints} />
          <Statistic title={t('customer360.stats.compensation')} value={fmt.money(d.stats.compensationFen)} />
        </Flex>
        <div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('customerPanel.recent')}
          </Typography.Text>
          {recent.length === 0 ? (
            <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
              {t('customerPanel.noOther')}
            </Typography.Paragraph>
          ) : (
            <List
              size="small"
              dataSource={recent}
              renderItem={(x) => (
                <List.Item style={{ paddingInline: 0 }}>
                  <Flex vertical style={{ minWidth: 0, width: '100%' }} gap={2}>
                    <Flex justify="space-between" gap={8}>
                      <Link to={`/tickets/${x.id}`} className="chidu-ticket-no">
                        {x.number}
                      </Link>
                      <StatusTag status={x.status} />
                    </Flex>
                    <Typography.Text ellipsis style={{ fontSize: 13 }}>
                      {x.subject}
                    </Typography.Text>
                  </Flex>
                </List.Item>
              )}
            />
          )}
        </div>
      </Flex>
    </Card>
  );
}
