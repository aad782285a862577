import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, List, Modal, Select, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, FileAddOutlined, LinkOutlined, MailOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ticketsApi } from '../../api/endpoints';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat } from '../auth/me';
import { channelsApi, type ReviewEntry } from './api';

const REASON_COLOR: Record<ReviewEntry['reason'], string> = { unknown_sender: 'blue', spam: 'red', token_mismatch: 'orange' };
const KEY = ['channels', 'review'];

/** 待审核邮件: inbound mail that could not be matched by itself; make a ticket, attach it to one, or discard it with a reason. */
export default function MailReviewPage() {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: KEY, queryFn: channelsApi.review, refetchInterval: 10_000 });
  const [attaching, setAttaching] = useState<ReviewEntry | null>(null);
  const [discarding, setDiscarding] = useState<ReviewEntry | null>(null);
  const items = q.data?.items ?? [];
  return (
    <Page title={t('mailReview.title')} subtitle={t('mailReview.subtitle')}>
      {q.isError ? <Alert type="error" title={errorMessage(q.error, t)} /> : null}
      <List
        loading={q.isLoading}
        dataSource={items}
        locale={{ emptyText: <Empty description={t('mailReview.empty')} /> }}
        renderItem={(item) => <ReviewCard item={item} onAttach={setAttaching} onDiscard={setDiscarding} />}
        data-testid="mail-review-list"
      />
      {attaching ? <AttachDialog item={attaching} onClose={() => setAttaching(null)} /> : null}
      {discarding ? <DiscardDialog item={discarding} onClose={() => setDiscarding(null)} /> : null}
    </Page>
  );
}

function ReviewCard({ item, onAttach, onDiscard }: { item: ReviewEntry; onAttach: (i: ReviewEntry) => void; onDiscard: (i: ReviewEntry) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const make = useMutation({
    mutationFn: () => channelsApi.reviewTicket(item.id),
    onSuccess: async (r) => {
      void message.success(t('mailReview.created', { number: r.number }));
      await qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  return (
    <List.Item>
      <Card
        style={{ width: '100%' }}
        data-testid="mail-review-item"
        title={
          <Space wrap>
            <MailOutlined />
            <span>{item.subject || t('mailReview.noSubject')}</span>
            <Tag color={REASON_COLOR[item.reason]}>{t(`mailReview.reason.${item.reason}`)}</Tag>
          </Space>
        }
        extra={<Typography.Text type="secondary">{f.dateTime(item.at)}</Typography.Text>}
        actions={[
          <Button key="ticket" type="link" icon={<FileAddOutlined />} loading={make.isPending} onClick={() => make.mutate()} data-testid="review-make-ticket">
            {t('mailReview.makeTicket')}
          </Button>,
          <Button key="attach" type="link" icon={<LinkOutlined />} onClick={() => onAttach(item)} data-testid="review-attach">
            {t('mailReview.attach')}
          </Button>,
          <Button key="discard" type="link" danger icon={<DeleteOutlined />} onClick={() => onDiscard(item)} data-testid="review-discard">
            {t('mailReview.discard')}
          </Button>,
        ]}
      >
        <Space direction="vertical" style={{ width: '100%' }} size={4}>
          <Typography.Text>
            {t('mailReview.from')}：{item.senderName ? `${item.senderName} ` : ''}
            {item.sender ?? '—'} · {t('mailReview.channel')}：{item.channelName}
          </Typography.Text>
          <Typography.Text type="secondary">
            {item.customer ? (
              <>
                {t('mailReview.knownCustomer')}：<Link to={`/customers/${item.customer.id}`}>{item.customer.name}</Link>
              </>
            ) : (
              t('mailReview.newCustomer')
            )}
          </Typography.Text>
          <Typography.Paragraph ellipsis={{ rows: 4, expandable: true, symbol: t('mailReview.more') }} style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
            {item.text || t('mailReview.noText')}
          </Typography.Paragraph>
          {item.attachments.length ? (
            <Typography.Text type="secondary">
              {t('mailReview.attachments')}：{item.attachments.join('、')}
            </Typography.Text>
          ) : null}
        </Space>
      </Card>
    </List.Item>
  );
}

function AttachDialog({ item, onClose }: { item: ReviewEntry; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [search, setSearch] = useState(item.subject?.replace(/^(re|回复|答复)[:：]\s*/i, '').slice(0, 20) ?? '');
  const [ticketId, setTicketId] = useState<string | undefined>();
  const found = useQuery({
    queryKey: ['tickets', 'attach-search', search],
    queryFn: () => ticketsApi.list({ q: search || undefined, status: 'open', limit: 20 }),
  });
  const attach = useMutation({
    mutationFn: () => channelsApi.reviewAttach(item.id, ticketId!),
    onSuccess: async (r) => {
      void message.success(t('mailReview.attached', { number: r.number }));
      await qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  return (
    <Modal
      open
      title={t('mailReview.attachTitle')}
      onCancel={onClose}
      okText={t('mailReview.attach')}
      okButtonProps={{ disabled: !ticketId, loading: attach.isPending }}
      onOk={() => attach.mutate()}
    >
      <Typography.Paragraph type="secondary">{t('mailReview.attachHint')}</Typography.Paragraph>
      <Select
        showSearch
        style={{ width: '100%' }}
        placeholder={t('mailReview.ticketPlaceholder')}
        filterOption={false}
        searchValue={search}
        onSearch={setSearch}
        value={ticketId}
        onChange={setTicketId}
        loading={found.isFetching}
        options={(found.data?.items ?? []).map((x) => ({ value: x.id, label: `${x.number} · ${x.subject}` }))}
        data-testid="review-attach-ticket"
      />
    </Modal>
  );
}

function DiscardDialog({ item, onClose }: { item: ReviewEntry; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ reason: string }>();
  const discard = useMutation({
    mutationFn: (reason: string) => channelsApi.reviewDiscard(item.id, reason),
    onSuccess: async () => {
      void message.success(t('mailReview.discarded'));
      await qc.invalidateQueries({ queryKey: KEY });
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  return (
    <Modal
      open
      title={t('mailReview.discardTitle')}
      onCancel={onClose}
      okText={t('mailReview.discard')}
      okButtonProps={{ danger: true, loading: discard.isPending }}
      onOk={() => void form.validateFields().then((v) => discard.mutate(v.reason))}
    >
      <Form form={form} layout="vertical" initialValues={{ reason: item.reason === 'spam' ? t('mailReview.reasonSpam') : '' }}>
        <Form.Item name="reason" label={t('mailReview.discardReason')} rules={[{ required: true, whitespace: true, message: t('mailReview.reasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={500} data-testid="review-discard-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
