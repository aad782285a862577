import { Empty, Flex, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomerIdentity } from '../../api/types';
import { useFormat } from '../auth/me';

/** 渠道身份: what the customer is known by on each channel, with the channel and when it was first and last seen. */
export function IdentitiesTab({ items }: { items: CustomerIdentity[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (items.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer360.identities.none')} />;
  return (
    <Table
      rowKey={(r) => `${r.kind}:${r.value}:${r.channel?.id ?? ''}`}
      size="small"
      pagination={false}
      scroll={{ x: 'max-content' }}
      dataSource={items}
      data-testid="customer-identities"
      columns={[
        {
          title: t('customer360.identities.kind'),
          dataIndex: 'kind',
          render: (k: string) => t(`customer360.identities.kinds.${k}`, { defaultValue: k }),
        },
        { title: t('customer360.identities.value'), dataIndex: 'value', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
        {
          title: t('customer360.identities.source'),
          dataIndex: 'source',
          render: (v: string, r) => (
            <Flex gap={4} wrap>
              <Tag color={v === 'channel' ? 'blue' : 'default'}>{t(`customer360.identities.sources.${v}`)}</Tag>
              {r.channel ? <span>{r.channel.name}</span> : null}
            </Flex>
          ),
        },
        { title: t('customer360.identities.firstSeen'), dataIndex: 'firstSeen', render: (v: string | null) => (v ? fmt.dateTime(v) : '—') },
        { title: t('customer360.identities.lastSeen'), dataIndex: 'lastSeen', render: (v: string | null) => (v ? fmt.dateTime(v) : '—') },
      ]}
    />
  );
}
