import { describe, expect, it } from 'vitest';
import { aboveFloor, SCRIPT_FLOOR, SUGGESTION_FLOOR } from './relevance';
import { SearchIndex } from './search-index';

/** Issue #18: ticket text 阳台地漏反水…排水后… found 快递代收, 电梯困人, 首问负责制 on the single character 后. */
function index() {
  const ix = new SearchIndex();
  const add = (id: string, title: string, body: string, tags: string[] = []) => ix.add({ id, fields: { title, body, tags } });
  add('parcel', '快递可以放在物业代收吗？', '快递员送达后由前台签收，收件人凭取件码领取，超过7天后退回。');
  add('lift', '电梯困人应急救援流程', '接警后1分钟内安抚被困人员，救出后询问身体状况，事后回访。');
  add('first', '首问负责制', '第一个接到问题的员工负责到底，转交后仍要跟进结果。');
  add('drain', '阳台、厨房地漏反水处理流程', '业主反映阳台地漏反水、冒污水，洗衣机排水时更明显，派单疏通。', ['地漏', '反水']);
  add('park', '临时停车收费规则', '访客车辆进入小区按小时收费，首小时免费。', ['停车']);
  add('noise', '噪音扰民投诉处理', '夜间噪音先电话提醒，再上门劝导。');
  return ix;
}
const TICKET = '阳台地漏反水\n业主反映阳台地漏反水，洗衣机排水后就往外冒，阳台地面全湿了。';

describe('single common characters', () => {
  it('后 in ticket text matches nothing on its own', () => {
    const ids = index()
      .search(TICKET, { limit: 10 })
      .map((h) => h.id);
    expect(ids[0]).toBe('drain');
    for (const off of ['parcel', 'lift', 'first']) expect(ids).not.toContain(off);
  });

  it('a body-only single character does not qualify a document when the query has longer words', () => {
    const ids = index()
      .search('洗衣机排水后更严重', { limit: 10 })
      .map((h) => h.id);
    expect(ids).not.toContain('parcel');
    expect(ids).not.toContain('first');
  });

  it('a single character in the title still counts (停 车 → 临时停车), and a query of single characters keeps matching', () => {
    expect(
      index()
        .search('朋友开车来了停哪里', { limit: 5 })
        .map((h) => h.id),
    ).toContain('park');
    expect(
      index()
        .search('停 车', { limit: 5 })
        .map((h) => h.id),
    ).toContain('park');
  });
});

describe('coverage and the relevance floor', () => {
  it('coverage is 1 when a document matches every query word and counts words no document has', () => {
    const ix = index();
    expect(ix.search('地漏反水', { limit: 1 })[0]!.coverage).toBe(1);
    const partial = ix.search('地漏反水 咖啡机', { limit: 1 })[0]!;
    expect(partial.id).toBe('drain');
    expect(partial.coverage).toBeGreaterThan(0);
    expect(partial.coverage).toBeLessThan(1);
  });

  it('keeps hits above both floors, drops weak ones below a clear answer, and an empty list stays empty', () => {
    const hits = [
      { id: 'a', score: 20, coverage: 0.8 },
      { id: 'b', score: 9, coverage: 0.5 },
      { id: 'c', score: 5, coverage: 0.9 },
      { id: 'd', score: 15, coverage: 0.1 },
    ];
    expect(aboveFloor(hits, SUGGESTION_FLOOR).map((h) => h.id)).toEqual(['a', 'b']);
    expect(aboveFloor(hits, { minCoverage: 0.05, minShareOfBest: 0.3 }).map((h) => h.id)).toEqual(['a', 'b', 'd']);
    expect(aboveFloor([], SCRIPT_FLOOR)).toEqual([]);
  });
});
