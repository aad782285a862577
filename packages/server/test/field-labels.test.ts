import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_GRID } from '../src/modules/field/field.labels';
import { testApp, type TestApp } from './harness';

/** The QR label sheet as a PDF (#16 item 1): A4, the labels' Chinese text, and QR codes that decode to the signed codes. */
let t: TestApp;
let admin: string;
let agent: string;
const api = (m: 'GET' | 'POST', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let poppler = true;
try {
  execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
} catch {
  poppler = false;
}

async function site(name: string, parentId?: string) {
  const res = await api('POST', '/sites', admin, { name, ...(parentId ? { parentId } : {}) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => t?.close());

describe('GET /sites/{id}/labels.pdf', () => {
  it('prints one label per site and asset of the subtree, with the path in Chinese and QR codes of the signed codes', async () => {
    const root = await site('阳光花园');
    const b = await site('3栋', root);
    const u = await site('1单元', b);
    const room = await site('1201', u);
    await site('别的小区');
    const asset = await api('POST', '/assets', admin, { siteId: room, name: '燃气热水器', model: 'JSQ25-HT', serial: 'SN2031' });
    expect(asset.statusCode, asset.body).toBe(201);
    const expected = new Set<string>();
    for (const id of [root, b, u, room]) expected.add((await api('GET', `/sites/${id}/qr`, admin)).json().code as string);
    expected.add((await api('GET', `/assets/${asset.json().id}/qr`, admin)).json().code as string);

    expect((await api('GET', `/sites/${root}/labels.pdf`, agent)).statusCode).toBe(403);
    expect((await api('GET', `/sites/019aa000-0000-7000-8000-000000000009/labels.pdf`, admin)).statusCode).toBe(404);
    const res = await api('GET', `/sites/${root}/labels.pdf`, admin);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(String(res.headers['content-disposition'])).toContain('attachment');
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The HTML sheet still works.
    expect((await api('GET', `/sites/${root}/labels`, admin)).headers['content-type']).toContain('text/html');
    if (!poppler) return;

    const dir = mkdtempSync(join(tmpdir(), 'chidu-labels-'));
    try {
      writeFileSync(join(dir, 'l.pdf'), pdf);
      execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', join(dir, 'l.pdf'), join(dir, 'l.txt')]);
      const text = readFileSync(join(dir, 'l.txt'), 'utf8');
      for (const s of ['阳光花园 › 3栋 › 1单元 › 1201', '阳光花园 › 3栋', '站点码', '设备码', '燃气热水器', '型号 JSQ25-HT', '序列号 SN2031'])
        expect(text).toContain(s);
      expect(text).not.toContain('别的小区');
      expect(execFileSync('pdfinfo', [join(dir, 'l.pdf')]).toString()).toMatch(/Pages:\s+1\b[\s\S]*595\.2\d* x 841\.8\d* pts/);

      // Render the page and decode the QR code of each of the five labels: exactly the signed codes, one each.
      const dpi = 200;
      execFileSync('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', join(dir, 'l.pdf'), join(dir, 'p')]);
      const scale = dpi / 72;
      const g = LABEL_GRID;
      const decoded = new Set<string>();
      for (let k = 0; k < 5; k++) {
        const left = Math.round((g.margin + (k % g.cols) * g.cellWidth) * scale);
        const top = Math.round((g.margin + Math.floor(k / g.cols) * g.cellHeight) * scale);
        const { data, info } = await sharp(join(dir, 'p.png'))
          .extract({ left, top, width: Math.round(g.cellWidth * scale), height: Math.round((g.qr + 8) * scale) })
          .ensureAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        const qr = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height);
        expect(qr, `label ${k}`).not.toBeNull();
        decoded.add(qr!.data);
      }
      expect(decoded).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
