import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines } from '../src/modules/kb/diff';
import { renderScript, addressOf } from '../src/modules/kb/placeholders';
import { htmlToText, sanitizeHtml } from '../src/modules/kb/sanitize';

/** Pure parts of the knowledge module: sanitiser (property-tested), diff, placeholders. */
const ALLOWED = new Set([
  'p',
  'br',
  'hr',
  'h2',
  'h3',
  'h4',
  'strong',
  'em',
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
const pieces = [
  '<',
  '>',
  '"',
  "'",
  '=',
  '/',
  ' ',
  '&',
  '#',
  ';',
  'script',
  'SCRIPT',
  'img',
  'a',
  'p',
  'href',
  'src',
  'onerror',
  'onclick',
  'javascript:',
  'jav&#x09;ascript:',
  'data:',
  'style',
  'iframe',
  'svg',
  '<!--',
  '-->',
  'alert(1)',
  '漏水',
  'x',
  '\t',
  '\n',
];
const soup = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((xs) => xs.join(''));

describe('sanitizeHtml', () => {
  it('never lets a tag outside the allow-list, an event handler or a script URL through (random tag soup)', () => {
    fc.assert(
      fc.property(soup, (input) => {
        const out = sanitizeHtml(input);
        for (const m of out.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
          expect(ALLOWED.has(m[1]!.toLowerCase())).toBe(true);
          expect(m[2]).not.toMatch(/\son\w+=/i);
          for (const a of m[2]!.matchAll(/(href|src)="([^"]*)"/g)) expect(a[2]).toMatch(/^(https?:\/\/|mailto:|tel:|\/(?!\/)|#)/i);
        }
        expect(out).not.toMatch(/<script|<iframe|<svg|<style/i);
        // idempotent: sanitising sanitised output changes nothing
        expect(sanitizeHtml(out)).toBe(out);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the safe subset and the text', () => {
    expect(sanitizeHtml('<p class="x" onclick="y">楼上<b>漏水</b></p>')).toBe('<p>楼上<strong>漏水</strong></p>');
    expect(sanitizeHtml('<a href="https://a.cn/x?a=1&b=2" onmouseover="z">链接</a>')).toBe(
      '<a href="https://a.cn/x?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">链接</a>',
    );
    expect(sanitizeHtml('<a href="JaVaScRiPt:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(sanitizeHtml('<img src="data:image/svg+xml,<svg onload=alert(1)>">')).toBe('<img>');
    expect(htmlToText('<ol><li>关阀</li><li>报修&amp;登记</li></ol>')).toBe('关阀\n报修&登记');
  });
});

describe('diffLines', () => {
  it('reconstructs both sides', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', '漏水', ''), { maxLength: 12 }),
        fc.array(fc.constantFrom('a', 'b', 'c', '漏水', ''), { maxLength: 12 }),
        (x, y) => {
          const d = diffLines(x.join('\n'), y.join('\n'));
          expect(
            d
              .filter((l) => l.op !== 'add')
              .map((l) => l.text)
              .join('\n'),
          ).toBe(x.join('\n'));
          expect(
            d
              .filter((l) => l.op !== 'del')
              .map((l) => l.text)
              .join('\n'),
          ).toBe(y.join('\n'));
        },
      ),
    );
  });
});

describe('placeholders', () => {
  it('fills known values and reports the rest', () => {
    const r = renderScript('{客户称呼}您好，工单{工单号}，预计{预计时间}到达', { 客户称呼: addressOf('李秀英（5栋502业主）'), 工单号: 'GD1', 预计时间: null });
    expect(r.text).toBe('李秀英您好，工单GD1，预计{预计时间}到达');
    expect(r.missing).toEqual(['预计时间']);
    expect(addressOf('客户139****0001')).toBeNull();
  });
});
