import { Descriptions, Flex, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Approval } from '../../api/types';
import { useFormat, useMe } from '../auth/me';
import { TierTag } from '../customers/CustomersPage';

/** 赔付 · 退款 / 订单变更: the request's kind, with the compensation asked for. */
export function kindLabel(t: TFunction, a: Approval): string {
  const kind = t(`approvals.kinds.${a.kind}`, { defaultValue: '' });
  return a.compensationKind ? `${kind} · ${t(`compensationKinds.${a.compensationKind}`, { defaultValue: '' })}` : kind;
}

/** The customer's last 12 months: compensation granted and approvals filed before this request. */
export function historyText(t: TFunction, money: (fen: number) => string, a: Approval): string {
  const h = a.customerHistory;
  if (h.compensations === 0 && h.approvals === 0) return t('approvals.customerHistoryNone');
  return t('approvals.customerHistory', { count: h.compensations, total: money(h.compensationTotalFen), approvals: h.approvals });
}

/** Everything an approver needs to decide, in the decision dialog. */
export function ApprovalDetails({ a }: { a: Approval }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const me = useMe();
  return (
    <Descriptions size="small" column={1} bordered data-testid="approval-details" styles={{ label: { width: 110 } }}>
      <Descriptions.Item label={t('approvals.number')}>
        <Typography.Text strong>{a.number}</Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('approvals.kind')}>
        {kindLabel(t, a)}
        {a.amountFen !== null ? (
          <Typography.Text strong style={{ marginInlineStart: 8 }}>
            {fmt.money(a.amountFen)}
          </Typography.Text>
        ) : null}
      </Descriptions.Item>
      <Descriptions.Item label={t('approvals.reason')}>{a.reason ?? '—'}</Descriptions.Item>
      <Descriptions.Item label={t('approvals.ticket')}>
        <Link to={`/tickets/${a.ticketId}`} className="chidu-ticket-no">
          {a.ticketNumber ?? '—'}
        </Link>{' '}
        {a.ticketSubject ?? ''}
      </Descriptions.Item>
      <Descriptions.Item label={t('approvals.customer')}>
        <Flex vertical>
          <Flex gap={6} align="center">
            <span>{a.customerName ?? '—'}</span>
            {a.customerTier ? <TierTag tier={a.customerTier} /> : null}
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {historyText(t, fmt.money, a)}
          </Typography.Text>
        </Flex>
      </Descriptions.Item>
      <Descriptions.Item label={t('approvals.requester')}>
        {a.requestedById === me.id ? t('approvals.me') : `${a.requestedByName ?? '—'}${a.requestedByEmployeeNo ? `（${a.requestedByEmployeeNo}）` : ''}`}
        <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
          {fmt.tableTime(a.createdAt)}
        </Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('approvals.limits')}>
        <Flex vertical>
          <span>{t('approvals.requesterLimit', { limit: fmt.money(a.requesterLimitFen) })}</span>
          <span>{t('approvals.myLimit', { limit: fmt.money(a.approverLimitFen) })}</span>
        </Flex>
      </Descriptions.Item>
    </Descriptions>
  );
}
