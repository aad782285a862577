import type { ReactNode } from 'react';
import { Button } from 'antd';
import { GlobalOutlined, LeftOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { TicketStatus, TicketType } from '../api';
import { STATUS_LABEL, STATUS_TONE, TYPE_LABEL, formatDate } from '../format';
import { currentLocale, setLocale } from '../i18n';

export function StatusChip({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`pt-chip pt-chip--${STATUS_TONE[status]}`} data-testid="status-chip" data-status={status}>
      {t(STATUS_LABEL[status])}
    </span>
  );
}

export function TypeLabel({ type }: { type: TicketType }) {
  const { t } = useTranslation();
  return <span className={`pt-type pt-type--${type}`}>{t(TYPE_LABEL[type])}</span>;
}

/** Beijing-time date in the UI language: 11月24日 09:30 / Nov 24, 09:30. */
export function useFormatDate() {
  const { t } = useTranslation();
  return (iso: string | null | undefined) => formatDate(iso, { short: t('format.dateTime'), long: t('format.dateTimeYear') });
}

/** Title row of a page with a back button (history back, or `to` when the page was opened directly). */
export function PageTitle({ title, back = '/', extra }: { title: ReactNode; back?: string | false; extra?: ReactNode }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="pt-page-title">
      {back !== false ? (
        <Button
          type="text"
          className="pt-back"
          icon={<LeftOutlined />}
          aria-label={t('common.back')}
          onClick={() => {
            const idx = (window.history.state as { idx?: number } | null)?.idx ?? 0;
            if (idx > 0) void navigate(-1);
            else void navigate(back, { replace: true });
          }}
          data-testid="back"
        >
          {t('common.back')}
        </Button>
      ) : null}
      <h1 className="pt-h1">{title}</h1>
      {extra ? <div className="pt-page-title-extra">{extra}</div> : null}
    </div>
  );
}

/** 中文 ⇄ EN: shows the language you can switch to. */
export function LanguageToggle() {
  const { t, i18n } = useTranslation();
  const next = currentLocale() === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      type="text"
      className="pt-lang"
      icon={<GlobalOutlined />}
      onClick={() => void setLocale(next)}
      aria-label={t('language.switch')}
      data-testid="portal-lang"
      key={i18n.language}
    >
      {next === 'en' ? t('language.en') : t('language.zhCN')}
    </Button>
  );
}
