import writeExcelFile, { type SheetData } from 'write-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

/** Site import from an .xlsx workbook (#16 item 1): the same dry run and bad-row report as CSV. */
let t: TestApp;
let admin: string;
let agent: string;
const api = (m: 'GET' | 'POST', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

async function xlsx(rows: SheetData): Promise<string> {
  return (await writeExcelFile(rows).toBuffer()).toString('base64');
}

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => t?.close());

describe('POST /sites/import with xlsx', () => {
  it('dry-runs, names bad rows, then imports; existing paths are kept', async () => {
    const book = await xlsx([
      ['path', 'kind', 'address'],
      ['翠湖苑 / 5栋 / 1单元', 'unit', '杭州市西湖区文三路 5 号'],
      ['翠湖苑 / 5栋 / 1单元 / 101', 'room', null],
      [null, 'room', null],
      ['翠湖苑 / 6栋', 'castle', null],
      // A number cell is read as its text.
      ['翠湖苑 / 5栋 / 1单元 / 1201', 'room', 1201],
    ]);
    expect((await api('POST', '/sites/import', agent, { xlsx: book })).statusCode).toBe(403);
    const dry = await api('POST', '/sites/import', admin, { xlsx: book });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, rows: 5, created: 5, existing: 0 });
    expect(dry.json().errors).toEqual([
      { row: 4, message: 'path is empty' },
      { row: 5, message: expect.stringContaining('unknown kind "castle"') },
    ]);
    const names = async () => ((await api('GET', '/sites', admin)).json().items as { path: string[] }[]).map((x) => x.path.join('/'));
    expect((await names()).some((p) => p.startsWith('翠湖苑'))).toBe(false);

    const real = await api('POST', '/sites/import', admin, { xlsx: book, dryRun: false });
    expect(real.json()).toMatchObject({ dryRun: false, created: 5 });
    const paths = await names();
    for (const p of ['翠湖苑', '翠湖苑/5栋', '翠湖苑/5栋/1单元', '翠湖苑/5栋/1单元/101', '翠湖苑/5栋/1单元/1201']) expect(paths).toContain(p);
    expect(paths).not.toContain('翠湖苑/6栋');
    const unit = ((await api('GET', '/sites', admin)).json().items as { path: string[]; kind: string; address: string | null }[]).find(
      (x) => x.path.join('/') === '翠湖苑/5栋/1单元',
    );
    expect(unit).toMatchObject({ kind: 'unit', address: '杭州市西湖区文三路 5 号' });
    const room = ((await api('GET', '/sites', admin)).json().items as { path: string[]; address: string | null }[]).find(
      (x) => x.path.join('/') === '翠湖苑/5栋/1单元/1201',
    );
    expect(room?.address).toBe('1201');
    const again = await api('POST', '/sites/import', admin, { xlsx: book, dryRun: false });
    expect(again.json()).toMatchObject({ created: 0, existing: 3 });
  });

  it('refuses a file that is not an .xlsx, a missing header, and csv with xlsx together, naming the field', async () => {
    const notXlsx = await api('POST', '/sites/import', admin, { xlsx: Buffer.from('path,kind\n翠湖苑,site\n').toString('base64') });
    expect(notXlsx.statusCode).toBe(400);
    expect(notXlsx.json().errors[0].path).toBe('xlsx');
    const both = await api('POST', '/sites/import', admin, { csv: 'path\nA', xlsx: await xlsx([['path'], ['A']]) });
    expect(both.statusCode).toBe(400);
    expect(both.json().errors[0].path).toBe('csv');
    expect((await api('POST', '/sites/import', admin, { dryRun: true })).statusCode).toBe(400);
    const noHeader = await api('POST', '/sites/import', admin, {
      xlsx: await xlsx([
        ['名称', '类型'],
        ['A', 'site'],
      ]),
    });
    expect(noHeader.json().errors).toEqual([{ row: 1, message: expect.stringContaining('path') }]);
  });
});
