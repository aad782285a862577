/**
 * Quoting part of a reply as evidence. The server stores `{replyId, start, end}` as UTF-16 offsets into the reply's
 * plain-text body (quality.commands.ts checkEvidence: `body.slice(start, end)`), and the ticket pane renders that body
 * verbatim as text (white-space: pre-wrap), so the offsets are counted on the very same string: JavaScript string
 * indices, which are UTF-16 code units. Pure functions here; the DOM glue (selectionInReply) only maps a Range to
 * positions in the body's text nodes.
 */

/** A point in the rendered body: the index of one of its text nodes and a UTF-16 offset inside it. */
export interface TextPoint {
  node: number;
  offset: number;
}
export interface Span {
  start: number;
  end: number;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The span of `body` between two points of its rendered text nodes (`segments`, in document order), or null when the
 * segments are not the body (the DOM was not a verbatim rendering) or the selection is empty / only whitespace.
 * The points may come in either order (a backwards drag); a span never splits a surrogate pair (an emoji) and leading /
 * trailing whitespace is left out so the quote reads cleanly.
 */
export function spanFromPoints(body: string, segments: string[], a: TextPoint, b: TextPoint): Span | null {
  if (segments.join('') !== body) return null;
  const abs = (p: TextPoint): number | null => {
    if (p.node < 0 || p.node >= segments.length) return null;
    const seg = segments[p.node]!;
    if (p.offset < 0 || p.offset > seg.length) return null;
    let before = 0;
    for (let i = 0; i < p.node; i++) before += segments[i]!.length;
    return before + p.offset;
  };
  const x = abs(a);
  const y = abs(b);
  if (x === null || y === null) return null;
  return normaliseSpan(body, Math.min(x, y), Math.max(x, y));
}

/** Clamp to the body, widen so no surrogate pair is cut in half, trim whitespace; null when nothing is left. */
export function normaliseSpan(body: string, start: number, end: number): Span | null {
  let s = Math.max(0, Math.min(start, body.length));
  let e = Math.max(s, Math.min(end, body.length));
  if (s > 0 && isLow(body.charCodeAt(s)) && isHigh(body.charCodeAt(s - 1))) s -= 1;
  if (e < body.length && isLow(body.charCodeAt(e)) && isHigh(body.charCodeAt(e - 1))) e += 1;
  while (s < e && /\s/.test(body[s]!)) s++;
  while (e > s && /\s/.test(body[e - 1]!)) e--;
  return e > s ? { start: s, end: e } : null;
}

/** The quote in its context for the result page: up to `radius` code points either side, with ellipses when cut. */
export function quoteContext(body: string, span: Span, radius = 20): { before: string; quote: string; after: string; cutBefore: boolean; cutAfter: boolean } {
  const beforeAll = Array.from(body.slice(0, span.start));
  const afterAll = Array.from(body.slice(span.end));
  return {
    before: beforeAll.slice(Math.max(0, beforeAll.length - radius)).join(''),
    quote: body.slice(span.start, span.end),
    after: afterAll.slice(0, radius).join(''),
    cutBefore: beforeAll.length > radius,
    cutAfter: afterAll.length > radius,
  };
}

/** A selection inside one reply of the ticket pane: that reply and the span of its body. */
export interface ReplySelection extends Span {
  replyId: string;
  quote: string;
}

/**
 * DOM glue: map a Range to a span of the reply body it lies in. Both ends must be inside the same
 * `[data-reply-body]` element (the element whose text is the body verbatim); otherwise null.
 */
export function selectionInReply(range: Range, bodyOf: (replyId: string) => string | undefined): ReplySelection | null {
  const holder = (n: Node): HTMLElement | null => (n instanceof HTMLElement ? n : n.parentElement)?.closest<HTMLElement>('[data-reply-body]') ?? null;
  const el = holder(range.startContainer);
  if (!el || el !== holder(range.endContainer)) return null;
  const replyId = el.dataset.replyBody!;
  const body = bodyOf(replyId);
  if (body === undefined) return null;
  const nodes: Text[] = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  const point = (container: Node, offset: number): TextPoint | null => {
    if (container.nodeType === Node.TEXT_NODE) return { node: nodes.indexOf(container as Text), offset };
    // An element boundary (e.g. a triple-click selects the whole element): the first text node at or after it.
    const child = container.childNodes[offset];
    if (!child) return nodes.length ? { node: nodes.length - 1, offset: nodes[nodes.length - 1]!.length } : null;
    const i = nodes.findIndex((t) => child === t || child.contains(t) || (child.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0);
    return i < 0 ? { node: nodes.length - 1, offset: nodes[nodes.length - 1]?.length ?? 0 } : { node: i, offset: 0 };
  };
  const a = point(range.startContainer, range.startOffset);
  const b = point(range.endContainer, range.endOffset);
  if (!a || !b) return null;
  const span = spanFromPoints(
    body,
    nodes.map((t) => t.data),
    a,
    b,
  );
  return span ? { replyId, ...span, quote: body.slice(span.start, span.end) } : null;
}
