import { Button, Card, Empty, Flex, Tag, Typography } from 'antd';
import {
  MailOutlined,
  MessageOutlined,
  MobileOutlined,
  PhoneOutlined,
  UserOutlined,
  WechatOutlined,
  GlobalOutlined,
  PaperClipOutlined,
} from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { attachmentsApi } from '../../api/endpoints';
import { useFormat } from '../auth/me';

type MessagesPage = Awaited<ReturnType<typeof fetchPage>>;
export type CustomerMessage = MessagesPage['items'][number];

const fetchPage = (id: string, cursor?: string) => http.get('/customers/{id}/messages', { path: { id }, query: { limit: 30, ...(cursor ? { cursor } : {}) } });

const ICONS: Record<string, React.ReactNode> = {
  email: <MailOutlined />,
  wechat_oa: <WechatOutlined />,
  sms_aliyun: <MobileOutlined />,
  sms_tencent: <MobileOutlined />,
  chat: <MessageOutlined />,
  portal: <GlobalOutlined />,
  phone: <PhoneOutlined />,
  walk_in: <UserOutlined />,
};
const STATUS_COLOR: Record<string, string> = { queued: 'blue', sending: 'processing', sent: 'green', failed: 'orange', dead: 'red' };

/** 全部消息: every channel's messages of the customer in one timeline, newest first (customer on the left, us on the right). */
export function CustomerMessagesTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = useInfiniteQuery({
    queryKey: ['customer-messages', customerId],
    queryFn: ({ pageParam }) => fetchPage(customerId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
  if (q.isLoading) return <Card loading />;
  if (!items.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customers.messages.empty')} />;
  return (
    <Flex vertical gap={12} data-testid="customer-messages">
      {items.map((m) => {
        const out = m.direction === 'out';
        const channel = t(`customers.messages.channel.${m.channel.kind}`, { defaultValue: t('customers.messages.channel.unknown') });
        const status = m.delivery ? (m.delivery.receipt === 'delivered' ? 'delivered' : m.delivery.status) : null;
        return (
          <Flex key={m.id} justify={out ? 'flex-end' : 'flex-start'}>
            <Card
              size="small"
              style={{ maxWidth: 'min(640px, 92%)', background: out ? '#f0f7ff' : undefined }}
              data-testid="customer-message"
              data-direction={m.direction}
            >
              <Flex gap={6} wrap align="center" style={{ marginBottom: 8 }}>
                <Tag icon={ICONS[m.channel.kind] ?? <MessageOutlined />} color={out ? 'blue' : 'default'} style={{ whiteSpace: 'normal' }}>
                  {m.channel.name ? `${channel} · ${m.channel.name}` : channel}
                </Tag>
                <Typography.Text type="secondary">
                  {out
                    ? (m.author.name ?? t(m.author.kind === 'staff' ? 'customers.messages.staff' : 'customers.messages.system'))
                    : t('customers.messages.in')}
                </Typography.Text>
                {m.kind === 'opening' ? <Tag>{t('customers.messages.opening')}</Tag> : null}
                {m.purpose ? <Tag color="purple">{t(`customers.messages.purpose.${m.purpose}`, { defaultValue: m.purpose })}</Tag> : null}
                <Typography.Text type="secondary">{fmt.dateTime(m.at)}</Typography.Text>
              </Flex>
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 8 }}>{m.text || '—'}</Typography.Paragraph>
              {m.attachments.length ? (
                <Flex gap={6} wrap style={{ marginBottom: 8 }}>
                  {m.attachments.map((a) => (
                    <Tag key={a.id} icon={<PaperClipOutlined />}>
                      <a href={attachmentsApi.url(a.id)} download={a.filename}>
                        {a.filename}
                      </a>
                    </Tag>
                  ))}
                </Flex>
              ) : null}
              <Flex gap={8} wrap align="center">
                <Link to={`/tickets/${m.ticket.id}`}>{t('customers.messages.ticket', { number: m.ticket.number })}</Link>
                {status ? (
                  <Tag color={status === 'delivered' ? 'green' : STATUS_COLOR[status]} title={m.delivery?.error ?? undefined}>
                    {t(`customers.messages.status.${status}`, { defaultValue: status })}
                  </Tag>
                ) : null}
              </Flex>
            </Card>
          </Flex>
        );
      })}
      {q.hasNextPage ? (
        <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
          {t('customers.messages.more')}
        </Button>
      ) : null}
    </Flex>
  );
}
