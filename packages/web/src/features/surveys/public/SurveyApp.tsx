import { useEffect, useMemo, useState } from 'react';
import zh from '../../../i18n/extra/surveys.zh-CN.json';
import en from '../../../i18n/extra/surveys.en.json';
import { SurveyForm, type AnswerBody, type LowScore, type PublicQuestion } from './SurveyForm';

type Dict = Record<string, string>;
/** The page's strings are the `surveyPage` section of the surveys i18n bundle; keys are written in full (surveyPage.x). */
const DICTS: Record<'zh-CN' | 'en', Dict> = { 'zh-CN': zh.surveyPage, en: en.surveyPage };

function pickLocale(): 'zh-CN' | 'en' {
  const q = new URLSearchParams(window.location.search).get('lang');
  if (q === 'en' || q === 'zh-CN') return q;
  try {
    const s = localStorage.getItem('chidu.survey.locale');
    if (s === 'en' || s === 'zh-CN') return s;
  } catch {
    /* private mode */
  }
  return 'zh-CN';
}

export function makeT(dict: Dict) {
  return (key: string, vars: Record<string, string | number> = {}) =>
    (dict[key.replace(/^surveyPage\./, '')] ?? key).replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k] ?? ''));
}

interface SurveyData {
  title: string;
  description: string | null;
  ticket: { number: string; subject: string };
  questions: PublicQuestion[];
  lowScore: LowScore;
}
type View = { kind: 'loading' } | { kind: 'form'; data: SurveyData } | { kind: 'thanks'; low: boolean } | { kind: 'problem'; code: string; status: number };

/** The token is the last path segment of /s/<token> (or ?t=<token>). */
export function tokenFromLocation(loc: Location = window.location): string {
  const m = /\/s\/([^/?#]+)/.exec(loc.pathname);
  return decodeURIComponent(m?.[1] ?? new URLSearchParams(loc.search).get('t') ?? '');
}

async function call(method: 'GET' | 'POST', token: string, body?: AnswerBody) {
  const res = await fetch(`/api/v1/public/surveys/${encodeURIComponent(token)}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit',
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, json };
}

export function SurveyApp() {
  const [locale, setLocale] = useState(pickLocale);
  const t = useMemo(() => makeT(DICTS[locale]), [locale]);
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const token = tokenFromLocation();

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('surveyPage.pageTitle');
  }, [locale, t]);
  useEffect(() => {
    if (!token) {
      setView({ kind: 'problem', code: 'not_found', status: 404 });
      return;
    }
    call('GET', token).then(
      ({ status, json }) => {
        if (status === 200) setView({ kind: 'form', data: json as unknown as SurveyData });
        else setView({ kind: 'problem', code: typeof json.code === 'string' ? json.code : 'unavailable', status });
      },
      () => setView({ kind: 'problem', code: 'network', status: 0 }),
    );
  }, [token]);

  // catches every error and shows it: the form calls it with `void`
  const submit = async (body: AnswerBody) => {
    setBusy(true);
    setError(null);
    try {
      const { status, json } = await call('POST', token, body);
      if (status === 200) setView({ kind: 'thanks', low: Boolean(json.lowScore) });
      else if (status === 400) setError(t('surveyPage.invalid'));
      else setView({ kind: 'problem', code: typeof json.code === 'string' ? json.code : 'unavailable', status });
    } catch {
      setError(t('surveyPage.network'));
    } finally {
      setBusy(false);
    }
  };

  const switchLang = () => {
    const next = locale === 'zh-CN' ? 'en' : 'zh-CN';
    try {
      localStorage.setItem('chidu.survey.locale', next);
    } catch {
      /* ignore */
    }
    setLocale(next);
  };

  return (
    <div className="sv-shell">
      <div className="sv-brand">
        <span>
          <span className="logo">尺</span> {t('surveyPage.brand')}
        </span>
        <button type="button" className="sv-lang" onClick={switchLang}>
          {locale === 'zh-CN' ? 'English' : '中文'}
        </button>
      </div>
      {view.kind === 'loading' ? <div className="sv-card sv-loading">{t('surveyPage.loading')}</div> : null}
      {view.kind === 'form' ? (
        <SurveyForm
          title={view.data.title}
          subtitle={t('surveyPage.about', { number: view.data.ticket.number, subject: view.data.ticket.subject })}
          questions={view.data.questions}
          lowScore={view.data.lowScore}
          t={t}
          onSubmit={(b) => void submit(b)}
          busy={busy}
          error={error}
        />
      ) : null}
      {view.kind === 'thanks' ? (
        <div className="sv-card sv-state" data-testid="survey-thanks">
          <div className="icon" aria-hidden>
            <Icon kind="thanks" />
          </div>
          <h1>{t('surveyPage.thanksTitle')}</h1>
          <p>{view.low ? t('surveyPage.thanksLow') : t('surveyPage.thanksBody')}</p>
        </div>
      ) : null}
      {view.kind === 'problem' ? <ProblemView code={view.code} t={t} /> : null}
      <div className="sv-foot">{t('surveyPage.privacy')}</div>
    </div>
  );
}

function ProblemView({ code, t }: { code: string; t: (k: string) => string }) {
  const key =
    code === 'gone'
      ? 'expired'
      : code === 'already_answered'
        ? 'used'
        : code === 'rate_limited'
          ? 'limited'
          : code === 'network'
            ? 'offline'
            : code === 'not_found'
              ? 'invalidLink'
              : 'unavailable';
  const icon = key === 'used' ? 'done' : key === 'expired' || key === 'limited' ? 'clock' : 'link';
  return (
    <div className="sv-card sv-state" data-testid="survey-problem" data-code={code}>
      <div className="icon" aria-hidden>
        <Icon kind={icon} />
      </div>
      <h1>{t(`surveyPage.${key}Title`)}</h1>
      <p>{t(`surveyPage.${key}Body`)}</p>
      <div className="code">
        {t('surveyPage.codeLabel')}
        {code}
      </div>
    </div>
  );
}

/** Inline icons (no emoji font needed on the phone). */
function Icon({ kind }: { kind: 'thanks' | 'done' | 'clock' | 'link' }) {
  const common = {
    width: 56,
    height: 56,
    viewBox: '0 0 48 48',
    fill: 'none',
    strokeWidth: 3,
    strokeLinecap: 'round' as const,
    strokeLinejoin: 'round' as const,
  };
  if (kind === 'thanks')
    return (
      <svg {...common} stroke="#f5a623">
        <path d="M24 40s-14-8.5-14-19a8 8 0 0 1 14-5.3A8 8 0 0 1 38 21c0 10.5-14 19-14 19z" fill="#fff4e0" />
      </svg>
    );
  if (kind === 'done')
    return (
      <svg {...common} stroke="#2f9e5b">
        <circle cx="24" cy="24" r="18" fill="#e8f6ee" />
        <path d="M16 24.5l5.5 5.5L32.5 19" />
      </svg>
    );
  if (kind === 'clock')
    return (
      <svg {...common} stroke="#d46b08">
        <circle cx="24" cy="24" r="18" fill="#fff4e5" />
        <path d="M24 14v11l7 4" />
      </svg>
    );
  return (
    <svg {...common} stroke="#cf3b3b">
      <circle cx="24" cy="24" r="18" fill="#fdecec" />
      <path d="M18 18l12 12M30 18L18 30" />
    </svg>
  );
}
