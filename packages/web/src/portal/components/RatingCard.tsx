import { useCallback } from 'react';
import { StarFilled } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { SurveyForm, type AnswerBody } from '../../features/surveys/public/SurveyForm';
import '../../features/surveys/public/survey.css';
import { portalApi, type RatingCardState } from '../api';
import { portalErrorMessage } from '../errors';
import { ratingKey, ticketKey } from '../keys';
import { useFormatDate } from './ui';

const FORM_NS = ['rating', 'form', ''].join('.');

function Stars({ n }: { n: number }) {
  const { t } = useTranslation();
  return (
    <span className="pt-rating-stars" role="img" aria-label={t('rating.yourScore', { n })}>
      {[1, 2, 3, 4, 5].map((i) => (
        <StarFilled key={i} className={i <= n ? 'on' : ''} />
      ))}
    </span>
  );
}

/**
 * 为本次服务评价: the rating card on a resolved (or closed) request. Open: the survey's questions inline (the same
 * form as the /s/ page, plain React + CSS, no extra library); answered: "感谢评价" with the score; expired: a note.
 * Only the signed-in customer's own request (the server checks; another customer's request answers 404).
 */
export function RatingCard({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: ratingKey(ticketId), queryFn: () => portalApi.survey(ticketId) });
  // The form asks for its /s/ page keys (surveyPage.x); the portal keeps them under rating.form.x.
  const formT = useCallback((key: string, vars?: Record<string, string | number>) => t(`${FORM_NS}${key.replace(/^surveyPage\./, '')}`, vars), [t]);
  const answer = useMutation({
    mutationFn: (body: AnswerBody) => portalApi.answerSurvey(ticketId, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ratingKey(ticketId) });
      void queryClient.invalidateQueries({ queryKey: ticketKey(ticketId) });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: ratingKey(ticketId) }),
  });
  const card: RatingCardState | undefined = q.data;
  if (!card || card.state === 'none') return null;

  if (card.state === 'answered') {
    const csat = card.score?.csat ?? null;
    return (
      <section className="pt-card pt-rating pt-rating--done" data-testid="rating-card" data-state="answered">
        <h2 className="pt-h2">{t('rating.thanks')}</h2>
        {csat !== null ? (
          <p className="pt-rating-score" data-testid="rating-score" data-score={csat}>
            <Stars n={csat} /> <span>{t('rating.yourScore', { n: csat })}</span>
          </p>
        ) : null}
        <p className="pt-muted">{card.lowScore ? t('rating.thanksLow') : t('rating.thanksBody')}</p>
        {card.answeredAt ? <p className="pt-muted pt-small">{t('rating.answeredAt', { time: fmt(card.answeredAt) })}</p> : null}
      </section>
    );
  }
  if (card.state === 'expired')
    return (
      <section className="pt-card pt-rating" data-testid="rating-card" data-state="expired">
        <h2 className="pt-h2">{t('rating.expired')}</h2>
        <p className="pt-muted">{t('rating.expiredBody')}</p>
      </section>
    );

  return (
    <section className="pt-card pt-rating" data-testid="rating-card" data-state="open" aria-labelledby="rating-title">
      <h2 id="rating-title" className="pt-h2">
        {t('rating.title')}
      </h2>
      <p className="pt-muted pt-small">{t('rating.hint', { time: fmt(card.expiresAt) })}</p>
      <div className="pt-rating-form">
        <SurveyForm
          title={card.title}
          subtitle={null} // the template description is a note for staff (when it is sent, what it measures)
          questions={card.questions}
          lowScore={card.lowScore}
          t={formT}
          busy={answer.isPending}
          error={answer.isError ? portalErrorMessage(answer.error, t) : null}
          onSubmit={(body) => answer.mutate(body)}
        />
      </div>
    </section>
  );
}
