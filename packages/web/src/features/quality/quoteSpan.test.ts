import { describe, expect, it } from 'vitest';
import { normaliseSpan, quoteContext, spanFromPoints } from './quoteSpan';

// What the server does with the span (quality.commands.ts checkEvidence).
const serverQuote = (body: string, s: { start: number; end: number }) => body.slice(s.start, s.end);

describe('spanFromPoints', () => {
  const zh = '您好，感谢您的来电，我是客服赵雪。车库月卡可以在物业服务中心或小程序续费。';

  it('counts Chinese text in UTF-16 code units, the way the server slices the body', () => {
    const start = zh.indexOf('车库月卡');
    const span = spanFromPoints(zh, [zh], { node: 0, offset: start }, { node: 0, offset: start + 10 });
    expect(span).toEqual({ start: 17, end: 27 });
    expect(serverQuote(zh, span!)).toBe('车库月卡可以在物业服');
  });

  it('takes a backwards drag and trims surrounding whitespace', () => {
    const body = '第一行\n  请稍等  \n第三行';
    const span = spanFromPoints(body, [body], { node: 0, offset: 12 }, { node: 0, offset: 3 });
    expect(serverQuote(body, span!)).toBe('请稍等');
  });

  it('never splits an emoji (a surrogate pair) and counts it as two units', () => {
    const body = '好的😀马上处理👍谢谢';
    expect(body.length).toBe(12);
    // Points landing between the two halves of 😀 (index 3) and of 👍 (index 9) widen to the whole emoji.
    const span = spanFromPoints(body, [body], { node: 0, offset: 3 }, { node: 0, offset: 9 });
    expect(span).toEqual({ start: 2, end: 10 });
    expect(serverQuote(body, span!)).toBe('😀马上处理👍');
  });

  it('quotes the occurrence that was selected, not the first one with the same text', () => {
    const body = '请稍等。请稍等，我查一下。请稍等';
    const span = spanFromPoints(body, [body], { node: 0, offset: 4 }, { node: 0, offset: 7 });
    expect(span).toEqual({ start: 4, end: 7 });
    expect(body.indexOf('请稍等')).toBe(0);
  });

  it('adds up several text nodes (a body rendered in pieces) into one offset', () => {
    const segs = ['您好😀', '请稍等，', '请稍等'];
    const body = segs.join('');
    const span = spanFromPoints(body, segs, { node: 2, offset: 0 }, { node: 2, offset: 3 });
    expect(span).toEqual({ start: 8, end: 11 });
    expect(serverQuote(body, span!)).toBe('请稍等');
  });

  it('refuses a rendering that is not the body, an empty or whitespace selection, and points out of range', () => {
    expect(spanFromPoints('abc', ['ab'], { node: 0, offset: 0 }, { node: 0, offset: 1 })).toBeNull();
    expect(spanFromPoints('a  b', ['a  b'], { node: 0, offset: 1 }, { node: 0, offset: 3 })).toBeNull();
    expect(spanFromPoints('abc', ['abc'], { node: 0, offset: 2 }, { node: 0, offset: 2 })).toBeNull();
    expect(spanFromPoints('abc', ['abc'], { node: 1, offset: 0 }, { node: 0, offset: 2 })).toBeNull();
    expect(spanFromPoints('abc', ['abc'], { node: 0, offset: 0 }, { node: 0, offset: 4 })).toBeNull();
  });
});

describe('normaliseSpan', () => {
  it('clamps to the body so the server never sees a span outside it', () => {
    expect(normaliseSpan('你好', -3, 99)).toEqual({ start: 0, end: 2 });
  });
});

describe('quoteContext', () => {
  it('shows the quote with its context and ellipses where the context was cut, by code points', () => {
    const body = '😀😀😀开头部分。请稍等，我查一下。结尾部分👍👍';
    const start = body.indexOf('请稍等');
    const c = quoteContext(body, { start, end: start + 3 }, 4);
    expect(c).toEqual({ before: '开头部分。'.slice(1), quote: '请稍等', after: '，我查一', cutBefore: true, cutAfter: true });
    const whole = quoteContext(body, { start: 0, end: body.length });
    expect(whole).toMatchObject({ before: '', after: '', cutBefore: false, cutAfter: false, quote: body });
  });
});
