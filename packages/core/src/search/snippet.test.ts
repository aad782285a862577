import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSnippet, escapeHtml } from './snippet';

describe('buildSnippet', () => {
  it('wraps matches in <mark> and escapes everything else', () => {
    const s = buildSnippet('楼上漏水时<b>先关阀门</b> & 联系"管家"', ['漏水']);
    expect(s).toBe('楼上<mark>漏水</mark>时&lt;b&gt;先关阀门&lt;/b&gt; &amp; 联系&quot;管家&quot;');
  });

  it('cannot be used for HTML injection through article text', () => {
    const body = '维修说明<script>alert(1)</script><img src=x onerror=alert(2)>漏水处理';
    const s = buildSnippet(body, ['漏水', 'script', 'img']);
    expect(s).not.toMatch(/<(?!\/?mark>)/);
    expect(s).toContain('&lt;<mark>script</mark>&gt;');
  });

  it('highlights the original characters of traditional/full-width text', () => {
    const s = buildSnippet('請先關閉總閥，再聯繫樓上住戶處理滲水。', ['楼上', '渗水']);
    expect(s).toContain('<mark>樓上</mark>');
    expect(s).toContain('<mark>滲水</mark>');
  });

  it('chooses a window around the densest matches with ellipses', () => {
    const body = '前言。'.repeat(40) + '电梯困人时请按紧急呼叫按钮等待救援。' + '结尾。'.repeat(40);
    const s = buildSnippet(body, ['电梯', '困人', '救援'], { width: 40 });
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toContain('<mark>电梯</mark><mark>困人</mark>');
    expect(s.replace(/<\/?mark>/g, '').length).toBeLessThanOrEqual(40 + 2 + 25);
  });

  it('returns the start of the text when nothing matches', () => {
    expect(buildSnippet('物业费按季度缴纳。', ['停车'])).toBe('物业费按季度缴纳。');
  });

  it('property: never emits a tag other than <mark>/</mark>, whatever the text and terms', () => {
    const chars = fc.constantFrom('<', '>', '&', '"', "'", '漏', '水', 'a', 'b', ' ', '\n', '/', '=', '樓');
    const text = fc.array(chars, { maxLength: 200 }).map((xs) => xs.join(''));
    const terms = fc.array(
      fc.array(chars, { minLength: 1, maxLength: 3 }).map((xs) => xs.join('')),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(text, terms, (t, ts) => {
        const s = buildSnippet(t, ts, { width: 30 });
        const stripped = s.replace(/<\/?mark>/g, '');
        expect(stripped).not.toMatch(/[<>"']/);
        // unescaping gives back a contiguous piece of the (whitespace-collapsed) text
        const plain = stripped
          .replace(/^…|…$/g, '')
          .replace(/&lt;|&gt;|&quot;|&#39;|&amp;/g, (e) => ({ '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' })[e]!);
        expect(t.replace(/\s+/g, ' ')).toContain(plain.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 300 },
    );
  });

  it('escapeHtml escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
