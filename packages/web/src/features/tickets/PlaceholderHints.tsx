import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * The placeholder pattern the server refuses in public replies (packages/server/src/modules/kb/placeholders.ts):
 * `{` + 1–20 Han characters, letters, digits or `_` + `}`. JSON or code (`{"a": 1}`, `{ x }`) does not match.
 */
const TOKEN = /\{([\u4e00-\u9fa5A-Za-z0-9_]{1,20})\}/g;

/** Placeholders left in a text, each once, in order of appearance. */
export function unfilledPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((m) => m[1]!))];
}

/** Under the reply box: which placeholders are still blank, and the text with each of them highlighted. */
export function PlaceholderHints({ body }: { body: string }) {
  const { t } = useTranslation();
  const names = unfilledPlaceholders(body);
  if (names.length === 0) return null;
  const parts: { text: string; blank: boolean }[] = [];
  let last = 0;
  for (const m of body.matchAll(TOKEN)) {
    if (m.index > last) parts.push({ text: body.slice(last, m.index), blank: false });
    parts.push({ text: m[0], blank: true });
    last = m.index + m[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), blank: false });
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginTop: 8 }}
      data-testid="placeholder-hints"
      message={t('compose.blanksTitle', { count: names.length, names: names.map((n) => `{${n}}`).join('、') })}
      description={
        <>
          <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginBottom: 6 }}>
            {t('compose.blanksHelp')}
          </Typography.Text>
          <div
            style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontSize: 13, lineHeight: 1.7, maxHeight: 160, overflowY: 'auto' }}
            aria-label={t('compose.blanksPreview')}
            data-testid="placeholder-preview"
          >
            {parts.map((p, i) =>
              p.blank ? (
                <mark
                  key={i}
                  style={{ background: '#ffd666', color: '#ad2102', fontWeight: 600, padding: '0 2px', borderRadius: 2 }}
                  data-testid="placeholder-blank"
                >
                  {p.text}
                </mark>
              ) : (
                <span key={i}>{p.text}</span>
              ),
            )}
          </div>
        </>
      }
    />
  );
}
