import { FilePdfOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useFormatDate } from './ui';

interface VisitReports {
  items: { visitId: string; reportAttachmentId: string; signedAt: string }[];
}
const enc = encodeURIComponent;

/** 服务回执: the service report PDF of each signed-off visit of the request (shown once one exists). */
export function VisitReports({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const q = useQuery({ queryKey: ['portal-visit-reports', ticketId], queryFn: () => api.get<VisitReports>(`/portal/tickets/${enc(ticketId)}/visit-reports`) });
  const items = q.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="pt-card" aria-labelledby="visit-reports-title" data-testid="visit-reports">
      <h2 id="visit-reports-title" className="pt-h2">
        {t('visitReports.title')}
      </h2>
      {items.map((r) => (
        <a key={r.visitId} className="pt-file" href={`/api/v1/portal/visits/${enc(r.visitId)}/report.pdf`} download>
          <FilePdfOutlined /> {t('visitReports.download', { when: fmt(r.signedAt) })}
        </a>
      ))}
    </section>
  );
}
