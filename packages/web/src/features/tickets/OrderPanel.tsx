import { useEffect, useState } from 'react';
import { App, Button, Card, Flex, Form, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import { CheckCircleOutlined, EditOutlined, SaveOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ticketsApi } from '../../api/endpoints';
import { OPEN_STATUSES, type OrderLine, type TicketDetail } from '../../api/types';
import { OrderLinesEditor, cleanLines, toEditable, type EditableLine } from './OrderLinesEditor';
import { useTicketMutation } from './TicketActions';

/** Tag the server puts on an order once spec and quantity were confirmed with the customer. */
export const ORDER_CONFIRMED_TAG = '订单已确认';

/** 订单明细: edit lines, confirm with the customer; after confirmation only an approved change request alters them. */
export function OrderPanel({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const confirmed = ticket.tags.includes(ORDER_CONFIRMED_TAG);
  const editable = ticket.allowed.resolve && OPEN_STATUSES.includes(ticket.status) && !confirmed;
  const [lines, setLines] = useState<EditableLine[]>(() => toEditable(ticket.orderLines));
  const [dirty, setDirty] = useState(false);
  const [changeOpen, setChangeOpen] = useState(false);
  const serverKey = JSON.stringify(ticket.orderLines);
  useEffect(() => {
    if (!dirty) setLines(toEditable(JSON.parse(serverKey) as OrderLine[]));
  }, [serverKey, dirty]);

  const save = useTicketMutation(
    ticket.id,
    (l: ReturnType<typeof cleanLines>) => ticketsApi.putOrderLines(ticket.id, l),
    () => t('orders.saved'),
  );
  const confirm = useTicketMutation(
    ticket.id,
    () => ticketsApi.confirmOrder(ticket.id),
    () => t('orders.confirmed'),
  );

  const columns = [
    { title: '#', key: 'i', width: 40, render: (_: unknown, __: unknown, i: number) => i + 1 },
    { title: t('orders.item'), dataIndex: 'item' },
    { title: t('orders.spec'), dataIndex: 'spec', render: (v: string) => v || '—' },
    { title: t('orders.quantity'), dataIndex: 'quantity', width: 80, align: 'right' as const },
  ];

  return (
    <Card
      size="small"
      title={
        <Flex gap={8} align="center">
          {t('orders.title')}
          {confirmed ? (
            <Tag color="green" icon={<CheckCircleOutlined />}>
              {t('orders.confirmedTag')}
            </Tag>
          ) : (
            <Tag>{t('orders.unconfirmedTag')}</Tag>
          )}
        </Flex>
      }
      data-testid="order-panel"
      extra={
        confirmed && ticket.allowed.resolve ? (
          <Button size="small" icon={<EditOutlined />} onClick={() => setChangeOpen(true)}>
            {t('orders.requestChange')}
          </Button>
        ) : null
      }
    >
      {editable ? (
        <Flex vertical gap={12}>
          <OrderLinesEditor
            value={lines}
            onChange={(v) => {
              setLines(v);
              setDirty(true);
            }}
          />
          <Flex gap={8} wrap justify="flex-end">
            <Button
              icon={<SaveOutlined />}
              disabled={!dirty || cleanLines(lines).length === 0}
              loading={save.isPending}
              onClick={() => save.mutate(cleanLines(lines), { onSuccess: () => setDirty(false) })}
            >
              {t('orders.save')}
            </Button>
            <Popconfirm
              title={t('orders.confirmTitle')}
              description={t('orders.confirmHint')}
              okText={t('common.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() => {
                if (dirty) {
                  void message.warning(t('orders.saveFirst'));
                  return;
                }
                confirm.mutate(undefined);
              }}
              disabled={ticket.orderLines.length === 0}
            >
              <Button type="primary" icon={<CheckCircleOutlined />} loading={confirm.isPending} disabled={ticket.orderLines.length === 0}>
                {t('orders.confirm')}
              </Button>
            </Popconfirm>
          </Flex>
        </Flex>
      ) : ticket.orderLines.length ? (
        <Table rowKey={(r) => r.id ?? `${r.item}-${r.spec}`} size="small" pagination={false} columns={columns} dataSource={ticket.orderLines} />
      ) : (
        <Typography.Text type="secondary">{t('orders.noLines')}</Typography.Text>
      )}
      <ChangeRequestModal ticket={ticket} open={changeOpen} onClose={() => setChangeOpen(false)} />
    </Card>
  );
}

function ChangeRequestModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [lines, setLines] = useState<EditableLine[]>([]);
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (open) {
      setLines(toEditable(ticket.orderLines));
      setReason('');
    }
  }, [open, ticket.orderLines]);
  const request = useTicketMutation(
    ticket.id,
    () => ticketsApi.requestOrderChange(ticket.id, { lines: cleanLines(lines), reason: reason.trim() }),
    () => t('orders.changeRequested'),
  );
  return (
    <Modal
      open={open}
      width={720}
      title={t('orders.changeTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => request.mutate(undefined, { onSuccess: onClose })}
      okText={t('orders.submitChange')}
      okButtonProps={{ disabled: !reason.trim() || cleanLines(lines).length === 0 }}
      cancelText={t('common.cancel')}
      confirmLoading={request.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('orders.changeHint')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('orders.newLines')}>
          <OrderLinesEditor value={lines} onChange={setLines} />
        </Form.Item>
        <Form.Item label={t('orders.changeReason')} required>
          <Input.TextArea value={reason} onChange={(e) => setReason(e.target.value)} autoSize={{ minRows: 2 }} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
