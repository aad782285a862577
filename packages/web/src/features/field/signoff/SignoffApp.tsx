import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import zh from '../../../i18n/extra/fieldSignoff.zh-CN.json';
import en from '../../../i18n/extra/fieldSignoff.en.json';

type Locale = 'zh-CN' | 'en';
type Dict = Record<string, string>;
/** The page's strings are the `signoffPage` section of the fieldSignoff i18n bundle; keys are written in full (signoffPage.x). */
const DICTS: Record<Locale, Dict> = { 'zh-CN': zh.signoffPage, en: en.signoffPage };

export function makeT(dict: Dict) {
  return (key: string, vars: Record<string, string | number> = {}) =>
    (dict[key.replace(/^signoffPage\./, '')] ?? key).replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k] ?? ''));
}

interface Summary {
  visitId: string;
  ticketId: string;
  ticketNumber: string;
  subject: string;
  sitePath: string[];
  technicianName: string | null;
  start: string;
  end: string;
  arrivedAt: string | null;
  completedAt: string | null;
  notes: string | null;
  labourMinutes: number | null;
  parts: { code: string; name: string; qty: number; unitCostFen: number }[];
  quote: { items: { description: string; amountFen: number }[]; totalFen: number; state: string } | null;
  photos: number;
}
type View = { kind: 'loading' } | { kind: 'form'; data: Summary } | { kind: 'done'; ticketId: string } | { kind: 'problem'; status: number };

/** The token is the last path segment of /signoff/<token>. */
export function tokenFromLocation(loc: Location = window.location): string {
  const m = /\/signoff\/([^/?#]+)/.exec(loc.pathname);
  return decodeURIComponent(m?.[1] ?? '');
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
function when(iso: string | null, locale: Locale): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

async function call(method: 'GET' | 'POST', token: string, body?: unknown) {
  const res = await fetch(`/api/v1/public/visit-signoff/${encodeURIComponent(token)}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit',
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, json };
}

/** A signature pad: pointer events (finger, pen, mouse) draw on a canvas; `empty` until the first stroke. */
function SignaturePad({ label, clearLabel, onChange }: { label: string; clearLabel: string; onChange: (dataUrl: string | null) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = c.clientHeight * ratio;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
  }, []);
  const point = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const down = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drawing.current = true;
    const ctx = e.currentTarget.getContext('2d');
    const p = point(e);
    ctx?.beginPath();
    ctx?.moveTo(p.x, p.y);
    ctx?.lineTo(p.x + 0.1, p.y + 0.1);
    ctx?.stroke();
  };
  const move = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const ctx = e.currentTarget.getContext('2d');
    const p = point(e);
    ctx?.lineTo(p.x, p.y);
    ctx?.stroke();
  };
  const up = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    drawing.current = false;
    onChange(e.currentTarget.toDataURL('image/png'));
  };
  const clear = () => {
    const c = ref.current;
    c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    onChange(null);
  };
  return (
    <div className="so-sign">
      <div className="so-sign-head">
        <span id="so-sign-label">{label}</span>
        <button type="button" className="so-link" onClick={clear}>
          {clearLabel}
        </button>
      </div>
      <canvas
        ref={ref}
        className="so-canvas"
        aria-labelledby="so-sign-label"
        data-testid="signature-canvas"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      />
    </div>
  );
}

/** The customer's sign-off page behind a one-time link: the visit's summary, 1–5 stars, a handwritten signature. */
export function SignoffApp() {
  const [locale, setLocale] = useState<Locale>('zh-CN');
  const t = useMemo(() => makeT(DICTS[locale]), [locale]);
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [signature, setSignature] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const token = tokenFromLocation();

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('signoffPage.pageTitle');
  }, [locale, t]);
  useEffect(() => {
    if (!token) {
      setView({ kind: 'problem', status: 404 });
      return;
    }
    call('GET', token).then(
      ({ status, json }) => setView(status === 200 ? { kind: 'form', data: json as unknown as Summary } : { kind: 'problem', status }),
      () => setView({ kind: 'problem', status: 0 }),
    );
  }, [token]);

  const submit = async (data: Summary) => {
    if (!rating) return setError(t('signoffPage.needRating'));
    if (!signature) return setError(t('signoffPage.needSignature'));
    setBusy(true);
    setError(null);
    try {
      const { status } = await call('POST', token, { signature, rating, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      if (status === 201) setView({ kind: 'done', ticketId: data.ticketId });
      else if (status === 410 || status === 404) setView({ kind: 'problem', status });
      else setError(t('signoffPage.error'));
    } catch {
      setError(t('signoffPage.network'));
    } finally {
      setBusy(false);
    }
  };

  const header = (
    <header className="so-head">
      <h1>{t('signoffPage.title')}</h1>
      <button type="button" className="so-link" onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}>
        {t('signoffPage.language')}
      </button>
    </header>
  );
  if (view.kind === 'loading')
    return (
      <main className="so-page">
        {header}
        <p className="so-muted">{t('signoffPage.loading')}</p>
      </main>
    );
  if (view.kind === 'problem')
    return (
      <main className="so-page">
        {header}
        <section className="so-card" role="alert">
          <h2>{view.status === 410 ? t('signoffPage.expired') : view.status === 0 ? t('signoffPage.network') : t('signoffPage.notFound')}</h2>
          <p className="so-muted">{t('signoffPage.expiredText')}</p>
        </section>
      </main>
    );
  if (view.kind === 'done')
    return (
      <main className="so-page">
        {header}
        <section className="so-card so-done" role="status">
          <h2>✓ {t('signoffPage.done')}</h2>
          <p>{t('signoffPage.doneText')}</p>
          <a className="so-button" href={`/portal/requests/${encodeURIComponent(view.ticketId)}`}>
            {t('signoffPage.report')}
          </a>
        </section>
      </main>
    );

  const d = view.data;
  const row = (label: string, value: string) => (
    <div className="so-row">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <main className="so-page">
      {header}
      <section className="so-card">
        <dl>
          {row(t('signoffPage.ticket'), d.ticketNumber)}
          {row(t('signoffPage.subject'), d.subject)}
          {d.sitePath.length ? row(t('signoffPage.site'), d.sitePath.join(' / ')) : null}
          {row(t('signoffPage.technician'), d.technicianName ?? '—')}
          {row(t('signoffPage.window'), `${when(d.start, locale)} – ${when(d.end, locale).split(' ').pop() ?? ''}`)}
          {row(t('signoffPage.arrived'), when(d.arrivedAt, locale))}
          {row(t('signoffPage.completed'), when(d.completedAt, locale))}
          {d.notes ? row(t('signoffPage.notes'), d.notes) : null}
          {d.labourMinutes !== null ? row(t('signoffPage.labour'), t('signoffPage.minutes', { n: d.labourMinutes })) : null}
        </dl>
        <h2>{t('signoffPage.quote')}</h2>
        {d.quote ? (
          <dl>
            {d.quote.items.map((it, i) => (
              <div className="so-row" key={i}>
                <dt>{it.description}</dt>
                <dd>{yuan(it.amountFen)}</dd>
              </div>
            ))}
            {row(t('signoffPage.total'), yuan(d.quote.totalFen))}
          </dl>
        ) : (
          <p className="so-muted">{t('signoffPage.noCharge')}</p>
        )}
        {d.parts.length ? (
          <>
            <h2>{t('signoffPage.parts')}</h2>
            <dl>
              {d.parts.map((p) => (
                <div className="so-row" key={p.code}>
                  <dt>{p.name}</dt>
                  <dd>× {p.qty}</dd>
                </div>
              ))}
            </dl>
          </>
        ) : null}
        {d.photos ? <p className="so-muted">{t('signoffPage.photos', { n: d.photos })}</p> : null}
      </section>

      <section className="so-card">
        <h2 id="so-rating">{t('signoffPage.rating')}</h2>
        <div className="so-stars" role="radiogroup" aria-labelledby="so-rating">
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              role="radio"
              aria-checked={rating === n}
              aria-label={t('signoffPage.star', { n })}
              className={n <= rating ? 'so-star so-star--on' : 'so-star'}
              onClick={() => setRating(n)}
            >
              ★
            </button>
          ))}
        </div>
        <label className="so-label" htmlFor="so-comment">
          {t('signoffPage.comment')}
        </label>
        <textarea id="so-comment" className="so-input" rows={2} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} />
        <SignaturePad label={t('signoffPage.signature')} clearLabel={t('signoffPage.clear')} onChange={setSignature} />
        {error ? (
          <p className="so-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="button" className="so-button" disabled={busy} onClick={() => void submit(d)}>
          {busy ? t('signoffPage.submitting') : t('signoffPage.submit')}
        </button>
      </section>
    </main>
  );
}
