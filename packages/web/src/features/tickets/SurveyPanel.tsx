import { useMemo, useState } from 'react';
import { App, Button, Card, Descriptions, Empty, Flex, Modal, Rate, Space, Tag, Tooltip, Typography } from 'antd';
import { CopyOutlined, EyeOutlined, QrcodeOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/client';
import type { TicketDetail } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat, usePermission } from '../auth/me';
import zhPage from '../../i18n/extra/surveys.zh-CN.json';
import enPage from '../../i18n/extra/surveys.en.json';
import { makeT } from '../surveys/public/SurveyApp';
import { SurveyForm } from '../surveys/public/SurveyForm';
import { ticketKeys } from './queries';
import '../surveys/public/survey.css';

const STATUS_COLOUR: Record<string, string> = { sent: 'blue', opened: 'cyan', answered: 'green', expired: 'default', scheduled: 'gold', cancelled: 'default' };
/** Keyed by the ticket's status too: resolving (which sends the survey) or reopening fetches the panel again. */
export const ticketSurveyKey = (id: string, status: string) => ['ticket-survey', id, status] as const;

/** The QR code (server-rendered SVG) as an image: no markup of ours is injected into the page. */
function QrImage({ svg, size, alt }: { svg: string; size: number; alt: string }) {
  const src = useMemo(() => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, [svg]);
  return <img src={src} width={size} height={size} alt={alt} style={{ imageRendering: 'pixelated', background: '#fff' }} data-testid="survey-qr" />;
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * 满意度调查 on the ticket page: where the survey is (sent / opened / answered / expired), its link to copy, a QR code
 * to show at the counter or on a technician's phone, a preview of what the customer sees, the delivery attempts and
 * the resend. The timeline's "发送满意度调查" links here (#survey-panel).
 */
export function SurveyPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const canWork = usePermission('tickets.work');
  const canRecover = usePermission('loops.recover');
  const finished = ticket.status === 'resolved' || ticket.status === 'closed';
  const q = useQuery({
    queryKey: ticketSurveyKey(ticket.id, ticket.status),
    queryFn: () => http.get('/tickets/{id}/survey', { path: { id: ticket.id } }),
    enabled: canWork,
  });
  const [qrOpen, setQrOpen] = useState(false);
  const [previewOpen, setPreviewOpen] = useState(false);
  const pageT = useMemo(() => makeT((i18n.language === 'en' ? enPage : zhPage).surveyPage as Record<string, string>), [i18n.language]);
  const resend = useMutation({
    mutationFn: () => http.post('/tickets/{id}/survey/resend', { path: { id: ticket.id } }),
    onSuccess: (data) => {
      qc.setQueryData(ticketSurveyKey(ticket.id, ticket.status), data);
      void qc.invalidateQueries({ queryKey: ticketKeys.detail(ticket.id) });
      void message.success(t('surveyReach.panel.resent'));
    },
    onError: (err) => {
      void message.error(errorMessage(err, t));
      void q.refetch();
    },
  });

  if (!canWork) return null;
  if (!q.data) return finished ? <Card size="small" loading title={t('surveyReach.panel.title')} id="survey-panel" /> : null;
  const { invitation: inv, resend: rs } = q.data;
  if (!inv && !finished) return null;

  const title = (
    <Space size={8}>
      {t('surveyReach.panel.title')}
      {inv ? (
        <Tag color={STATUS_COLOUR[inv.status] ?? 'default'} data-testid="survey-status" data-status={inv.status}>
          {t(`surveyReach.status.${inv.status}`)}
        </Tag>
      ) : null}
    </Space>
  );
  if (!inv)
    return (
      <Card size="small" title={title} id="survey-panel" data-testid="survey-panel">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('surveyReach.panel.none')} />
      </Card>
    );

  const resendHint =
    rs.reason === 'answered'
      ? t('surveyReach.panel.resendAnswered')
      : rs.reason === 'rate_limited' && rs.retryAt
        ? t('surveyReach.panel.resendLimited', { time: fmt.minuteTime(rs.retryAt) })
        : inv.status === 'expired'
          ? t('surveyReach.panel.resendNewLink')
          : t('surveyReach.panel.resendSameLink');
  const showLink = inv.url && inv.status !== 'answered' && inv.status !== 'expired';

  return (
    <Card size="small" title={title} id="survey-panel" data-testid="survey-panel">
      <Flex gap={16} wrap align="flex-start">
        {showLink && inv.qrSvg ? (
          <button
            type="button"
            className="chidu-survey-qr"
            onClick={() => setQrOpen(true)}
            aria-label={t('surveyReach.panel.qr')}
            style={{ border: 0, padding: 0, background: 'none', cursor: 'zoom-in' }}
          >
            <QrImage svg={inv.qrSvg} size={112} alt={t('surveyReach.panel.qrAlt')} />
          </button>
        ) : null}
        <Flex vertical gap={8} style={{ flex: '1 1 260px', minWidth: 0 }}>
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2 }}
            items={[
              { key: 'tpl', label: t('surveyReach.panel.template'), children: inv.templateName },
              { key: 'sent', label: t('surveyReach.panel.sentAt'), children: fmt.minuteTime(inv.sentAt ?? inv.sendAt) },
              ...(inv.openedAt ? [{ key: 'opened', label: t('surveyReach.panel.openedAt'), children: fmt.minuteTime(inv.openedAt) }] : []),
              inv.answeredAt
                ? { key: 'answered', label: t('surveyReach.panel.answeredAt'), children: fmt.minuteTime(inv.answeredAt) }
                : { key: 'expires', label: t('surveyReach.panel.expiresAt'), children: fmt.minuteTime(inv.expiresAt) },
            ]}
          />
          {inv.response ? (
            <Flex vertical gap={4} data-testid="survey-answer">
              {inv.response.csat !== null ? (
                <Space>
                  <Rate disabled value={inv.response.csat} />
                  <Typography.Text strong>{t('surveyReach.score', { n: inv.response.csat })}</Typography.Text>
                  {inv.response.lowScore ? <Tag color="red">{t('surveyReach.lowScore')}</Tag> : null}
                </Space>
              ) : null}
              {inv.response.nps !== null ? <Typography.Text>{t('surveyReach.nps', { n: inv.response.nps })}</Typography.Text> : null}
              {inv.response.reasons.length ? (
                <Flex wrap gap={4}>
                  {inv.response.reasons.map((r) => (
                    <Tag key={r}>{r}</Tag>
                  ))}
                </Flex>
              ) : null}
              {inv.response.comment ? <Typography.Paragraph style={{ margin: 0 }}>“{inv.response.comment}”</Typography.Paragraph> : null}
              {inv.recovery ? (
                <Typography.Text>
                  {t('surveyReach.recovery')}：
                  <Tag color={inv.recovery.state === 'closed' ? 'green' : 'orange'}>{t(`surveyReach.recoveryStates.${inv.recovery.state}`)}</Tag>
                  {canRecover ? <Link to="/recovery">{t('surveyReach.openRecovery')}</Link> : null}
                </Typography.Text>
              ) : null}
            </Flex>
          ) : null}
          {showLink ? (
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: '100%' }} data-testid="survey-link">
              {inv.url}
            </Typography.Text>
          ) : null}
          <Flex wrap gap={8}>
            {showLink ? (
              <Button
                size="small"
                icon={<CopyOutlined />}
                data-testid="survey-copy"
                onClick={() =>
                  void copyText(inv.url!).then((ok) =>
                    ok ? message.success(t('surveyReach.panel.copied')) : message.warning(t('surveyReach.panel.copyFailed')),
                  )
                }
              >
                {t('surveyReach.panel.copy')}
              </Button>
            ) : null}
            {showLink && inv.qrSvg ? (
              <Button size="small" icon={<QrcodeOutlined />} onClick={() => setQrOpen(true)} data-testid="survey-qr-open">
                {t('surveyReach.panel.qr')}
              </Button>
            ) : null}
            <Button size="small" icon={<EyeOutlined />} onClick={() => setPreviewOpen(true)} data-testid="survey-preview-open">
              {t('surveyReach.panel.preview')}
            </Button>
            <Tooltip title={resendHint}>
              <Button
                size="small"
                icon={<SendOutlined />}
                disabled={!rs.allowed}
                loading={resend.isPending}
                onClick={() => resend.mutate()}
                data-testid="survey-resend"
              >
                {t('surveyReach.panel.resend')}
              </Button>
            </Tooltip>
          </Flex>
          <DeliveryList deliveries={inv.deliveries} />
          {q.data.invitations > 1 ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('surveyReach.panel.more', { n: q.data.invitations })}
            </Typography.Text>
          ) : null}
        </Flex>
      </Flex>
      <Modal
        open={qrOpen}
        onCancel={() => setQrOpen(false)}
        footer={null}
        title={t('surveyReach.panel.qrTitle', { number: ticket.number })}
        centered
        width={360}
      >
        <Flex vertical align="center" gap={8}>
          {inv.qrSvg ? <QrImage svg={inv.qrSvg} size={280} alt={t('surveyReach.panel.qrAlt')} /> : null}
          <Typography.Text type="secondary" style={{ textAlign: 'center' }}>
            {t('surveyReach.panel.qrHint')}
          </Typography.Text>
        </Flex>
      </Modal>
      <Modal
        open={previewOpen}
        onCancel={() => setPreviewOpen(false)}
        footer={null}
        title={t('surveyReach.panel.previewTitle')}
        centered
        width={440}
        destroyOnHidden
      >
        <div className="sv-phone" data-testid="survey-preview" style={{ height: 600 }}>
          <div className="sv-phone-screen sv-body">
            <div className="sv-shell" style={{ minHeight: 0 }}>
              <SurveyForm
                preview
                title={inv.preview.title}
                subtitle={pageT('surveyPage.about', { number: ticket.number, subject: ticket.subject })}
                questions={inv.preview.questions}
                lowScore={inv.preview.lowScore}
                t={pageT}
              />
            </div>
          </div>
        </div>
      </Modal>
    </Card>
  );
}

function DeliveryList({ deliveries }: { deliveries: { id: string; channel: string; state: string; reason: string; actorName: string | null; at: string }[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (!deliveries.length) return null;
  return (
    <div data-testid="survey-deliveries">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('surveyReach.delivery.title')}
      </Typography.Text>
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 18, fontSize: 12 }}>
        {deliveries.map((d) => (
          <li key={d.id}>
            {fmt.minuteTime(d.at)} · {t(`surveyReach.delivery.reasons.${d.reason}`)}
            {d.actorName ? `（${d.actorName}）` : ''} · {t(`surveyReach.delivery.channels.${d.channel}`)} ·{' '}
            <Typography.Text type={d.state === 'no_gateway' ? 'warning' : 'secondary'} style={{ fontSize: 12 }}>
              {t(`surveyReach.delivery.states.${d.state}`)}
            </Typography.Text>
          </li>
        ))}
      </ul>
    </div>
  );
}
