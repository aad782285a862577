import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, inspect, patternError, rule } from './index';

const codes = (text: string, extra: Partial<Parameters<typeof inspect>[1]> = {}) => inspect(DEFAULT_RULES, { text, ...extra }).map((h) => h.rule);

describe('inspection engine', () => {
  it('finds forbidden phrasing with UTF-16 offsets, an excerpt and the suggestion', () => {
    const text = '您好，这个我不知道，您问问别人吧。';
    const hits = inspect(DEFAULT_RULES, { text });
    const h = hits.find((x) => x.rule === 'forbidden.dont_know')!;
    expect(text.slice(h.start, h.end)).toBe('不知道');
    expect(h.suggestion).toContain('确认');
    expect(h.excerpt).toContain('不知道');
  });

  it('allows the exceptions a rule declares (能不能, 不能及时回复您)', () => {
    expect(codes('请问您明天上午能不能在家？')).not.toContain('forbidden.cannot');
    expect(codes('昨天不能及时回复您，非常抱歉。')).not.toContain('forbidden.cannot');
    expect(codes('这个退款不能办。')).toContain('forbidden.cannot');
  });

  it('matches whole jieba words only where the rule asks for it', () => {
    // 不可以 is not a word inside 不可以往 … but 不行 in 不行驶 (a verb phrase) must not fire
    const wordRule = rule({ code: 'w', kind: 'phrases', phrases: ['不行'], wholeWord: true });
    expect(inspect([wordRule], { text: '车辆不行驶时请熄火' })).toHaveLength(0);
    expect(inspect([wordRule], { text: '这样不行。' })).toHaveLength(1);
    const loose = { ...wordRule, wholeWord: false };
    expect(inspect([loose], { text: '车辆不行驶时请熄火' })).toHaveLength(1);
  });

  it('requires the opening in the first and the closing in the last public reply', () => {
    expect(codes('师傅明天上门。', { first: true })).toContain('required.opening');
    expect(codes('您好，师傅明天上门。', { first: true })).not.toContain('required.opening');
    expect(codes('师傅明天上门。', { first: false })).not.toContain('required.opening');
    const text = '您好，已处理完毕。';
    const h = inspect(DEFAULT_RULES, { text, last: true }).find((x) => x.rule === 'required.closing')!;
    expect(h).toBeDefined();
    expect(h.end).toBe(text.length);
    expect(codes('已处理完毕，祝您生活愉快！', { last: true })).not.toContain('required.closing');
    // notes and phone logs never reach the customer: no opening/closing required
    expect(codes('已电话联系业主', { first: true, last: true, audience: 'internal' })).toEqual([]);
  });

  it('asks for empathy on a complaint only', () => {
    expect(codes('您好，已安排保洁重新打扫。', { first: true, ticketType: 'complaint' })).toContain('empathy.complaint');
    expect(codes('您好，非常抱歉，已安排保洁重新打扫。', { first: true, ticketType: 'complaint' })).not.toContain('empathy.complaint');
    expect(codes('您好，已安排保洁重新打扫。', { first: true, ticketType: 'repair' })).not.toContain('empathy.complaint');
  });

  it('finds unmasked phone and id numbers sent to a customer, not masked or longer digit runs', () => {
    expect(codes('师傅电话13812345678，请保持畅通')).toContain('pii.phone');
    expect(codes('师傅电话138****5678')).not.toContain('pii.phone');
    expect(codes('订单号 2024138123456789')).not.toContain('pii.phone');
    expect(codes('您的身份证号110101199003071234已登记')).toContain('pii.id_card');
    expect(codes('13812345678', { audience: 'internal' })).not.toContain('pii.phone');
  });

  it('flags promises without a time and accepts those with one', () => {
    expect(codes('我们会尽快处理。')).toContain('promise.no_time');
    expect(codes('我们会尽快处理，今天下午5点前给您回复。')).not.toContain('promise.no_time');
    expect(codes('师傅会在30分钟内尽快赶到。')).not.toContain('promise.no_time');
    expect(codes('请稍等，我马上为您查询。')).not.toContain('promise.no_time');
  });

  it('takes a time said in the same sentence only, and not a time word inside an exception (dev2 cases)', () => {
    // an unrelated time in another sentence is no answer to the promise
    expect(codes('屋面需要蓄水试验24小时。我们会尽快安排维修。')).toContain('promise.no_time');
    expect(codes('回头我问问再告诉您。祝您周末愉快！')).toContain('promise.no_time');
    expect(codes('我们会尽早处理，祝您周末愉快！')).toContain('promise.no_time');
    // …while a time in the promise's own sentence still counts
    expect(codes('我们明天中午前马上给您回电。')).not.toContain('promise.no_time');
    expect(codes('师傅今天下午4点前尽快赶到。')).not.toContain('promise.no_time');
  });

  it('reads 没办法 in 我也没办法 as blame only, and a refusal inside a condition as none (dev2 cases)', () => {
    expect(codes('我也没办法，系统就是这么设置的。')).toEqual(['forbidden.blame']);
    expect(codes('我们也没办法，开发商就是这么交的房。')).toEqual(['forbidden.blame']);
    expect(codes('这个月的账单没办法改。')).toEqual(['forbidden.cannot']);
    expect(codes('如果没办法到场，可以委托家人代办。')).toEqual([]);
    expect(codes('若没办法上传照片，也可以直接描述问题。')).toEqual([]);
    expect(codes('如果这个时间不可以，请告诉我们。')).toEqual([]);
    // the condition ends with its clause: a refusal after it still counts
    expect(codes('如果您着急，这个也不能办。')).toContain('forbidden.cannot');
  });

  it('takes an opening in the first sentence only; 欢迎随时 / 欢迎再次 close a reply (dev2 cases)', () => {
    expect(codes('厨房插座已更换，通电测试正常。欢迎随时来电咨询。', { first: true, last: true })).toEqual(['required.opening']);
    expect(codes('欢迎致电幸福里物业，您的账单已生成。', { first: true })).not.toContain('required.opening');
    expect(codes('您好，访客预约已登记。欢迎您再次光临！', { first: true, last: true })).toEqual([]);
  });

  it('refuses patterns RE2 cannot run safely, and runs pathological ones in linear time', () => {
    expect(patternError('(a+')).not.toBeNull();
    expect(patternError('(?<=a)b')).not.toBeNull();
    expect(patternError('(\\w)\\1')).not.toBeNull();
    expect(patternError('尽快|马上')).toBeNull();
    const evil = rule({ code: 'evil', kind: 'regex', pattern: '(a+)+$' });
    const started = Date.now();
    inspect([evil], { text: `${'a'.repeat(5000)}!` });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps one hit per rule and overlapping span, sorted by position', () => {
    const hits = inspect(DEFAULT_RULES, { text: '这不归我管，你找别的部门，我不知道。' });
    expect(hits.map((h) => h.rule)).toEqual(['forbidden.not_my_job', 'forbidden.not_my_job', 'forbidden.dont_know']);
    expect(hits[0]!.start).toBeLessThan(hits[1]!.start);
  });
});
