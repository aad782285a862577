import { useState } from 'react';

/** What the public endpoint returns for a question (also what the builder previews). */
export interface PublicQuestion {
  id: string;
  kind: 'csat' | 'nps' | 'ces' | 'scale' | 'choice' | 'text';
  label: string;
  required: boolean;
  options: string[] | null;
  reasons: string[] | null;
  min: number | null;
  max: number | null;
}
export interface LowScore {
  csatMax: number;
  npsMax: number;
  cesMin: number;
}
export interface AnswerBody {
  csat?: number;
  nps?: number;
  ces?: number;
  comment?: string;
  reasons?: string[];
  answers?: Record<string, number | string>;
}
export type T = (key: string, vars?: Record<string, string | number>) => string;

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function isLow(q: PublicQuestion, v: number | undefined, low: LowScore): boolean {
  if (v === undefined) return false;
  if (q.kind === 'csat') return v <= low.csatMax;
  if (q.kind === 'nps') return v <= low.npsMax;
  if (q.kind === 'ces') return v >= low.cesMin;
  return false;
}

/**
 * The survey as the customer sees it: big star buttons (one tap), a 0–10 row for NPS, 1–7 for effort, reason chips
 * when the score is low, then send. Plain React + CSS (no UI library) so the page is small and fast on a phone.
 */
export function SurveyForm({
  title,
  subtitle,
  questions,
  lowScore,
  t,
  onSubmit,
  busy,
  error,
  preview,
}: {
  title: string;
  subtitle?: string | null;
  questions: PublicQuestion[];
  lowScore: LowScore;
  t: T;
  onSubmit?: (body: AnswerBody) => void;
  busy?: boolean;
  error?: string | null;
  preview?: boolean;
}) {
  const [values, setValues] = useState<Record<string, number | string>>({});
  const [reasons, setReasons] = useState<string[]>([]);
  const set = (id: string, v: number | string) => setValues((cur) => ({ ...cur, [id]: v }));
  const lowQ = questions.find((q) => (q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces') && isLow(q, values[q.id] as number | undefined, lowScore));
  const missing = questions.filter((q) => q.required && (values[q.id] === undefined || values[q.id] === ''));
  const answeredAny = Object.values(values).some((v) => v !== '' && v !== undefined);

  const submit = () => {
    const body: AnswerBody = { answers: {} };
    for (const q of questions) {
      const v = values[q.id];
      if (v === undefined || v === '') continue;
      if (q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces') body[q.kind] = v as number;
      else if (q.kind === 'text' && q.id === 'comment') body.comment = String(v);
      else body.answers![q.id] = v;
    }
    if (lowQ && reasons.length) body.reasons = reasons;
    if (Object.keys(body.answers!).length === 0) delete body.answers;
    onSubmit?.(body);
  };

  return (
    <form
      className="sv-card"
      onSubmit={(e) => {
        e.preventDefault();
        if (!preview) submit();
      }}
      aria-label={title}
    >
      <h1 className="sv-title">{title}</h1>
      {subtitle ? <p className="sv-sub">{subtitle}</p> : null}
      {questions.map((q) => {
        const v = values[q.id];
        const low = isLow(q, v as number | undefined, lowScore);
        return (
          <fieldset key={q.id} className="sv-q" data-kind={q.kind}>
            <legend className="sv-label">
              {q.label}
              {q.required ? (
                <span className="sv-req" aria-hidden>
                  {' '}
                  *
                </span>
              ) : null}
            </legend>
            {q.kind === 'csat' ? (
              <div className="sv-stars" role="radiogroup" aria-label={q.label}>
                {range(1, 5).map((n) => (
                  <button
                    key={n}
                    type="button"
                    role="radio"
                    aria-checked={v === n}
                    aria-label={t('surveyPage.star', { n })}
                    className={`sv-star${typeof v === 'number' && n <= v ? ' on' : ''}`}
                    data-star={n}
                    onClick={() => set(q.id, n)}
                  >
                    ★
                  </button>
                ))}
              </div>
            ) : null}
            {q.kind === 'csat' && typeof v === 'number' ? <div className="sv-hint">{t(`surveyPage.csat${v}`)}</div> : null}
            {q.kind === 'nps' || q.kind === 'ces' || q.kind === 'scale' ? (
              <>
                <div
                  className={`sv-scale n${q.kind === 'nps' ? 11 : q.kind === 'ces' ? 7 : (q.max ?? 5) - (q.min ?? 1) + 1}`}
                  role="radiogroup"
                  aria-label={q.label}
                >
                  {range(q.kind === 'nps' ? 0 : q.kind === 'ces' ? 1 : (q.min ?? 1), q.kind === 'nps' ? 10 : q.kind === 'ces' ? 7 : (q.max ?? 5)).map((n) => (
                    <button key={n} type="button" role="radio" aria-checked={v === n} className={`sv-num${v === n ? ' on' : ''}`} onClick={() => set(q.id, n)}>
                      {n}
                    </button>
                  ))}
                </div>
                <div className="sv-ends">
                  <span>{t(`surveyPage.${q.kind === 'scale' ? 'scale' : q.kind}Low`)}</span>
                  <span>{t(`surveyPage.${q.kind === 'scale' ? 'scale' : q.kind}High`)}</span>
                </div>
              </>
            ) : null}
            {q.kind === 'choice' ? (
              <div className="sv-chips">
                {(q.options ?? []).map((o) => (
                  <button key={o} type="button" className={`sv-chip${v === o ? ' on' : ''}`} aria-pressed={v === o} onClick={() => set(q.id, o)}>
                    {o}
                  </button>
                ))}
              </div>
            ) : null}
            {q.kind === 'text' ? (
              <textarea
                className="sv-text"
                rows={3}
                maxLength={2000}
                value={String(v ?? '')}
                placeholder={t('surveyPage.commentPlaceholder')}
                onChange={(e) => set(q.id, e.target.value)}
              />
            ) : null}
            {low && q.reasons?.length ? (
              <div className="sv-reasons" data-testid="survey-reasons">
                <div className="sv-reasons-title">{t('surveyPage.reasonsTitle')}</div>
                <div className="sv-chips">
                  {q.reasons.map((r) => {
                    const on = reasons.includes(r);
                    return (
                      <button
                        key={r}
                        type="button"
                        className={`sv-chip warn${on ? ' on' : ''}`}
                        aria-pressed={on}
                        onClick={() => setReasons((cur) => (on ? cur.filter((x) => x !== r) : [...cur, r]))}
                      >
                        {r}
                      </button>
                    );
                  })}
                </div>
              </div>
            ) : null}
          </fieldset>
        );
      })}
      {error ? (
        <div className="sv-error" role="alert">
          {error}
        </div>
      ) : null}
      <button type="submit" className="sv-submit" disabled={preview || busy || missing.length > 0 || !answeredAny}>
        {busy ? t('surveyPage.sending') : t('surveyPage.submit')}
      </button>
      {missing.length > 0 && answeredAny ? <div className="sv-hint center">{t('surveyPage.requiredHint')}</div> : null}
    </form>
  );
}
