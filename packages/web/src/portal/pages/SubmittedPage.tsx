import { App, Button, Skeleton } from 'antd';
import { CheckCircleFilled, CopyOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useLocation, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { copyText } from '../../lib/clipboard';
import { portalApi, type TicketType } from '../api';
import { TYPE_LABEL } from '../format';
import { ticketKey } from '../keys';

/** After submitting: the number to quote on the phone, who follows up, and what happens next. */
export default function SubmittedPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { id = '' } = useParams();
  const location = useLocation();
  const fromState = (location.state as { number?: string } | null)?.number;
  const ticket = useQuery({ queryKey: ticketKey(id), queryFn: () => portalApi.ticket(id), enabled: Boolean(id) });
  const number = ticket.data?.number ?? fromState;
  const type: TicketType = ticket.data?.type ?? 'inquiry';
  const isRepair = type === 'repair';

  return (
    <div className="pt-submitted">
      <section className="pt-card pt-success" data-testid="submitted">
        <CheckCircleFilled className="pt-success-icon" aria-hidden />
        <h1 className="pt-h1">{t('submitted.title')}</h1>
        <p className="pt-muted">{t('submitted.received', { type: t(TYPE_LABEL[type]) })}</p>
        {number ? (
          <div className="pt-number-box">
            <span className="pt-number-label">{t('submitted.number')}</span>
            <span className="pt-big-number" data-testid="submitted-number">
              {number}
            </span>
            <Button
              type="link"
              icon={<CopyOutlined />}
              onClick={() => void copyText(number).then((ok) => (ok ? message.success(t('submitted.copied')) : message.info(number)))}
            >
              {t('submitted.copy')}
            </Button>
          </div>
        ) : (
          <Skeleton.Input active block />
        )}
        <p className="pt-success-lead">{t('submitted.contact')}</p>
        {ticket.data?.ownerName ? <p className="pt-muted">{t('submitted.owner', { name: ticket.data.ownerName })}</p> : null}
      </section>

      <section className="pt-card">
        <h2 className="pt-h2">{t('submitted.nextTitle')}</h2>
        <ol className="pt-next">
          <li>
            <strong>{t('submitted.step1')}</strong>
            <span className="pt-muted">{t('submitted.step1Hint')}</span>
          </li>
          <li>
            <strong>{isRepair ? t('submitted.step2Repair') : t('submitted.step2')}</strong>
            <span className="pt-muted">{isRepair ? t('submitted.step2RepairHint') : t('submitted.step2Hint')}</span>
          </li>
          <li>
            <strong>{t('submitted.step3')}</strong>
            <span className="pt-muted">{t('submitted.step3Hint')}</span>
          </li>
        </ol>
      </section>

      <div className="pt-button-stack">
        <Link to={`/requests/${id}`} replace>
          <Button type="primary" size="large" block data-testid="view-request">
            {t('submitted.view')}
          </Button>
        </Link>
        <Link to="/" replace>
          <Button size="large" block data-testid="go-home">
            {t('nav.home')}
          </Button>
        </Link>
      </div>
    </div>
  );
}
