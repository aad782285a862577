import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
});
afterAll(async () => {
  await t?.close();
});

function multipart(filename: string, data: Buffer, contentType = 'application/octet-stream') {
  const boundary = '----chidu' + Math.random().toString(16).slice(2);
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { payload: Buffer.concat([head, data, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(token: string, filename: string, data: Buffer, contentType?: string) {
  const m = multipart(filename, data, contentType);
  return t.app.inject({ method: 'POST', url: '/api/v1/attachments', payload: m.payload, headers: { ...m.headers, authorization: `Bearer ${token}` } });
}

describe('customer portal', () => {
  it('signs in by phone + one-time code; a wrong code and a reused code are refused', async () => {
    const sent = await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '13922220001' });
    expect(sent.statusCode).toBe(200);
    const code = sent.json().demoCode as string;
    expect(code).toMatch(/^\d{6}$/);
    expect((await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '13922220001' })).statusCode).toBe(429);
    const wrong = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13922220001', code: code === '000000' ? '111111' : '000000' });
    expect(wrong.json().code).toBe('otp_invalid');
    const ok = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13922220001', code });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().customer.name).toContain('139****0001');
    expect((await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13922220001', code })).statusCode).toBe(401);
    const bad = await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '12345' });
    expect(bad.json().errors[0].path).toBe('phone');
    // A customer token cannot reach staff endpoints.
    expect((await t.inject('GET', '/api/v1/staff', ok.json().token)).statusCode).toBe(403);
    expect((await t.inject('GET', '/api/v1/customers', ok.json().token)).statusCode).toBe(403);
  });

  it('names a customer created by their first sign-in in the language they use (#17)', async () => {
    const lang = { 'accept-language': 'en-GB,en;q=0.8' };
    const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '13922220017' }, lang)).json().demoCode as string;
    const ok = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13922220017', code }, lang);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().customer.name).toBe('Customer 139****0017');
    const me = await t.inject('GET', '/api/v1/portal/me', ok.json().token);
    expect(me.json()).toEqual({ id: ok.json().customer.id, name: 'Customer 139****0017', phone: '139****0017', tier: 'regular' });
  });

  it('submits a repair with a photo (thumbnail made, served as attachment with nosniff), sees the reply and confirms', async () => {
    const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '13922220002' })).json().demoCode;
    const { token } = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13922220002', code })).json();
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
    const up = await upload(token, '天花板漏水.png', png, 'image/png');
    expect(up.statusCode).toBe(201);
    expect(up.json()).toMatchObject({ mime: 'image/png', hasThumbnail: true, filename: '天花板漏水.png' });
    const created = await t.inject('POST', '/api/v1/portal/tickets', token, {
      type: 'repair',
      subject: '卫生间天花板漏水',
      description: '楼上漏水，天花板一直滴水',
      attachmentIds: [up.json().id],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().number).toMatch(/^GD/);
    const id = created.json().id;
    const file = await t.inject('GET', `/api/v1/attachments/${up.json().id}`, token);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment;/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.rawPayload.equals(png)).toBe(true);
    const thumb = await t.inject('GET', `/api/v1/attachments/${up.json().id}/thumbnail`, token);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(320);

    const agent = await t.as(['supervisor']);
    expect((await t.inject('GET', `/api/v1/attachments/${up.json().id}`, agent.token)).statusCode).toBe(200);
    const other = (
      await t.inject('POST', '/api/v1/portal/auth/verify', undefined, {
        phone: '13922220003',
        code: (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '13922220003' })).json().demoCode,
      })
    ).json().token;
    expect((await t.inject('GET', `/api/v1/attachments/${up.json().id}`, other)).statusCode).toBe(404);

    await t.inject('POST', `/api/v1/tickets/${id}/replies`, agent.token, { body: '已安排杨师傅今天下午上门', visibility: 'public' });
    await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已修复防水层' });
    const seen = (await t.inject('GET', `/api/v1/tickets/${id}`, token)).json();
    expect(seen.replies.map((r: { body: string }) => r.body)).toContain('已安排杨师傅今天下午上门');
    expect(seen.status).toBe('resolved');
    const confirm = await t.inject('POST', `/api/v1/portal/tickets/${id}/confirm`, token);
    expect(confirm.json().status).toBe('closed');
    const after = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json();
    expect(after.customerConfirmedAt).toBeTruthy();
    expect(after.timeline.map((e: { kind: string }) => e.kind)).toContain('ticket.customer_confirmed');
  });

  it('refuses disguised files, empty files and files over 10 MB', async () => {
    const agent = await t.as(['agent']);
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const disguised = await upload(agent.token, 'photo.jpg', html, 'image/jpeg');
    expect(disguised.statusCode).toBe(415);
    expect(disguised.json().errors[0].path).toBe('file');
    expect((await upload(agent.token, 'empty.png', Buffer.alloc(0))).statusCode).toBe(400);
    const big = Buffer.alloc(11 * 1024 * 1024, 1);
    big.write('%PDF-1.4', 0);
    expect((await upload(agent.token, 'big.pdf', big)).statusCode).toBe(413);
    const txt = await upload(agent.token, '说明.txt', Buffer.from('水管型号：DN20'));
    expect(txt.json().mime).toBe('text/plain');
  });
});
