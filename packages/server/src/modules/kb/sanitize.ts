/**
 * Server-side rich-text sanitiser for knowledge articles. The output is rebuilt from scratch: only the tags and
 * attributes below survive (normalised, attribute values re-escaped), text is HTML-escaped, comments and
 * <script>/<style>/<iframe>/… are removed with their content, event handlers and javascript:/data: URLs never pass.
 */

const ALLOWED_TAGS = new Set([
  'p',
  'br',
  'hr',
  'h2',
  'h3',
  'h4',
  'strong',
  'b',
  'em',
  'i',
  'u',
  's',
  'sub',
  'sup',
  'mark',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'img',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'span',
  'div',
]);
const VOID_TAGS = new Set(['br', 'hr', 'img']);
/** Dropped together with everything inside them. */
const DROP_WITH_CONTENT = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'noscript',
  'template',
  'svg',
  'math',
  'textarea',
  'select',
  'head',
  'title',
  'frameset',
  'frame',
  'applet',
]);
const ALLOWED_ATTRS: Record<string, readonly string[]> = {
  a: ['href', 'title'],
  img: ['src', 'alt', 'title', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan'],
  ol: ['start'],
};
const SAFE_URL = /^(https?:\/\/|mailto:|tel:|\/(?!\/)|#)/i;
const NUMERIC_ATTR = new Set(['width', 'height', 'colspan', 'rowspan', 'start']);

export function escapeText(s: string): string {
  return s
    .replace(/&(?!(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});)/gi, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  middot: '·',
  hellip: '…',
  mdash: '—',
  ldquo: '“',
  rdquo: '”',
};
export function decodeEntities(s: string): string {
  return s.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

/** URL check on the decoded, whitespace/control-stripped value (so `jav&#x09;ascript:` and ` javascript:` fail). */
function safeUrl(raw: string): string | null {
  const v = decodeEntities(raw).replace(/[\u0000-\u0020\u007f-\u009f]+/g, '');
  if (!v || !SAFE_URL.test(v)) return null;
  return v;
}

const ATTR_RE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function cleanAttrs(tag: string, raw: string): string {
  const allowed = ALLOWED_ATTRS[tag];
  if (!allowed) return '';
  let out = '';
  const seen = new Set<string>();
  for (const m of raw.matchAll(ATTR_RE)) {
    const name = m[1]!.toLowerCase();
    if (!allowed.includes(name) || seen.has(name)) continue;
    let value = m[2] ?? m[3] ?? m[4] ?? '';
    if (name === 'href' || name === 'src') {
      const u = safeUrl(value);
      if (!u) continue;
      value = u;
    } else if (NUMERIC_ATTR.has(name)) {
      if (!/^\d{1,4}$/.test(value)) continue;
    } else {
      value = decodeEntities(value);
    }
    seen.add(name);
    out += ` ${name}="${escapeAttr(value)}"`;
  }
  if (tag === 'a' && seen.has('href')) out += ' rel="noopener noreferrer nofollow" target="_blank"';
  return out;
}

/** Sanitise user-supplied HTML to the safe subset; unbalanced tags are closed. */
export function sanitizeHtml(input: string): string {
  const s = input.replace(/\u0000/g, '');
  let out = '';
  const stack: string[] = [];
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    if (lt < 0) {
      out += escapeText(s.slice(i));
      break;
    }
    out += escapeText(s.slice(i, lt));
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      i = end < 0 ? s.length : end + 3;
      continue;
    }
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(s.slice(lt));
    if (!m) {
      if (/^<[!?]/.test(s.slice(lt, lt + 2))) {
        // doctype / processing instruction
        const end = s.indexOf('>', lt);
        i = end < 0 ? s.length : end + 1;
        continue;
      }
      out += '&lt;';
      i = lt + 1;
      continue;
    }
    const closing = m[1] === '/';
    const tag = m[2]!.toLowerCase();
    i = lt + m[0].length;
    if (DROP_WITH_CONTENT.has(tag)) {
      if (!closing) {
        const close = new RegExp(`</${tag}\\s*>`, 'i').exec(s.slice(i));
        i = close ? i + close.index + close[0].length : s.length;
      }
      continue;
    }
    const canon = tag === 'b' ? 'strong' : tag === 'i' ? 'em' : tag === 'h1' ? 'h2' : tag;
    if (!ALLOWED_TAGS.has(canon) && !(tag === 'h1')) continue; // unknown tag: dropped, its text kept
    if (closing) {
      const at = stack.lastIndexOf(canon);
      if (at < 0) continue;
      while (stack.length > at) out += `</${stack.pop()}>`;
      continue;
    }
    out += `<${canon}${cleanAttrs(canon, m[3] ?? '')}>`;
    if (!VOID_TAGS.has(canon) && !/\/\s*$/.test(m[3] ?? '')) stack.push(canon);
    else if (!VOID_TAGS.has(canon)) out += `</${canon}>`;
  }
  while (stack.length) out += `</${stack.pop()}>`;
  return out;
}

const BLOCK = /<\/?(p|div|br|h[1-6]|li|tr|blockquote|pre|hr|ul|ol|table)\b[^>]*>/gi;

/** Plain text of (sanitised) HTML, for the search index and previews. */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(BLOCK, '\n').replace(/<[^>]*>/g, ''))
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}

/** Plain text (scripts, FAQ answers typed without markup) → safe HTML paragraphs. */
export function textToHtml(text: string): string {
  const esc = (p: string) => p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}
