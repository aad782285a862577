import { useState } from 'react';
import { Col, Empty, Row } from 'antd';
import { useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { useTicket } from '../tickets/queries';
import { useInspection } from './api';
import { InspectionResult } from './InspectionResult';
import type { ReplySelection } from './quoteSpan';
import { ScoringForm } from './ScoringForm';
import { TicketPane } from './TicketPane';

/** One inspection beside its ticket: the inspector scores a draft; everyone else (and the inspector later) sees the result. */
export default function InspectionPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const q = useInspection(id);
  const i = q.data;
  const ticket = useTicket(i?.ticketId);
  const [selection, setSelection] = useState<ReplySelection | null>(null);
  if (q.isError) return <Empty description={t('quality.notFound')} />;
  const replyIds = new Set((i?.scores ?? []).flatMap((s) => (s.evidence?.replyId ? [s.evidence.replyId] : [])));
  const eventIds = new Set((i?.scores ?? []).flatMap((s) => (s.evidence?.eventId ? [String(s.evidence.eventId)] : [])));
  return (
    <Page
      title={i ? t('quality.inspect.title', { number: i.ticketNumber }) : t('quality.inspect.loading')}
      subtitle={i ? `${i.ticketSubject} · ${t('quality.inspect.agent', { name: i.agent?.name ?? '' })}` : undefined}
    >
      <Row gutter={[16, 16]}>
        <Col xs={{ span: 24, order: i?.allowed.submit ? 1 : 2 }} lg={{ span: 11, order: 1 }}>
          <TicketPane ticket={ticket.data} highlight={{ replyIds, eventIds }} {...(i?.allowed.submit ? { selection, onSelect: setSelection } : {})} />
        </Col>
        <Col xs={{ span: 24, order: i?.allowed.submit ? 2 : 1 }} lg={{ span: 13, order: 2 }}>
          {!i ? null : i.allowed.submit ? (
            <ScoringForm inspection={i} ticket={ticket.data} selection={selection} onQuoted={() => setSelection(null)} />
          ) : (
            <InspectionResult inspection={i} ticket={ticket.data} />
          )}
        </Col>
      </Row>
    </Page>
  );
}
