/** The one outbound HTTP client (src/lib/outbound.ts): address policy, allow list, pinning, redirects, limits. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import {
  DEFAULT_OUTBOUND,
  forbiddenAddress,
  outbound,
  OutboundError,
  OutboundRefusedError,
  parseAllowList,
  vetUrl,
  type OutboundSettings,
  type Resolver,
} from '../src/lib/outbound';

const stub =
  (map: Record<string, string[]>): Resolver =>
  (host) => {
    const a = map[host];
    if (!a) return Promise.reject(new Error('ENOTFOUND'));
    return Promise.resolve(a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
const policy = (allow = '', more: Partial<OutboundSettings> = {}): OutboundSettings => ({ ...DEFAULT_OUTBOUND, allow: parseAllowList(allow), ...more });
const refused = async (url: string, s: OutboundSettings = policy()) => {
  try {
    await vetUrl(url, s);
    return false;
  } catch (err) {
    if (err instanceof OutboundRefusedError) return true;
    throw err;
  }
};

describe('address policy: every loopback / private / embedded form is refused', () => {
  const forbidden = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f000001/',
    'http://0x7f.0.0.1/',
    'http://127.1/',
    'http://127.0.0.1:3000/api/v1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[0:0:0:0:0:ffff:7f00:1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[64:ff9b:1::a00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
    'http://[::ffff:10.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::a00:1]/',
    'http://10.0.0.1/',
    'http://10.255.255.255/',
    'http://172.16.0.1/',
    'http://172.31.255.254/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://100.127.255.254/',
    'http://0.0.0.0/',
    'http://0/',
    'http://0.1.2.3/',
    'http://255.255.255.255/',
    'http://224.0.0.1/',
    'http://239.255.255.250/',
    'http://240.0.0.1/',
    'http://192.0.2.1/',
    'http://198.18.0.1/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://[febf::1]/',
    'http://[ff02::1]/',
    'http://[::]/',
    'http://[fec0::1]/',
    'http://[100::1]/',
    'https://[2001:db8::1]/',
  ];
  it.each(forbidden)('%s', async (url) => {
    expect(await refused(url)).toBe(true);
  });

  it('public unicast addresses pass the classification', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2400:3200::1']) expect(forbiddenAddress(a), a).toBeNull();
  });

  it('non-http(s) URLs and URLs with credentials are refused as invalid', async () => {
    for (const u of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'http://user:pw@example.com/', 'not a url']) {
      await expect(vetUrl(u, policy())).rejects.toMatchObject({ kind: 'invalid' });
    }
  });

  it('host names are resolved and every address checked (localhost; a stub resolving to loopback; mixed answers)', async () => {
    expect(await refused('http://localhost:3000/')).toBe(true);
    const s = policy('', {
      resolve: stub({
        'evil.test': ['127.0.0.1'],
        'mixed.test': ['93.184.216.34', '10.0.0.7'],
        'v6.test': ['::ffff:127.0.0.1'],
        'good.test': ['93.184.216.34'],
      }),
    });
    expect(await refused('http://evil.test/', s)).toBe(true);
    expect(await refused('http://mixed.test/', s)).toBe(true);
    expect(await refused('http://v6.test/', s)).toBe(true);
    expect(await refused('http://nxdomain.test/', s)).toBe(true);
    expect(await vetUrl('http://good.test/', s)).toMatchObject({ address: '93.184.216.34', host: 'good.test' });
  });
});

describe('allow list (CHIDU_OUTBOUND_ALLOW) permits exactly what it lists', () => {
  it('single addresses, CIDR ranges, host names and *.suffixes', async () => {
    const s = policy('127.0.0.1, 192.168.0.0/16, internal.example.com, *.corp.example, fd00::/8', {
      resolve: stub({ 'internal.example.com': ['10.0.0.5'], 'other.example.com': ['10.0.0.5'], 'a.corp.example': ['10.1.1.1'], 'corp.example': ['10.1.1.1'] }),
    });
    expect(await refused('http://127.0.0.1:8080/', s)).toBe(false);
    expect(await refused('http://127.0.0.2/', s)).toBe(true);
    expect(await refused('http://[::ffff:127.0.0.1]/', s)).toBe(true); // the mapped form is another address
    expect(await refused('http://[::1]/', s)).toBe(true);
    expect(await refused('http://192.168.44.5/', s)).toBe(false);
    expect(await refused('http://192.169.0.1/', s)).toBe(false); // public anyway
    expect(await refused('http://10.0.0.5/', s)).toBe(true);
    expect(await refused('http://internal.example.com/', s)).toBe(false);
    expect(await refused('http://INTERNAL.example.com./', s)).toBe(false);
    expect(await refused('http://other.example.com/', s)).toBe(true);
    expect(await refused('http://a.corp.example/', s)).toBe(false);
    expect(await refused('http://corp.example/', s)).toBe(true);
    expect(await refused('http://[fd00::1]/', s)).toBe(false);
    expect(await refused('http://[fc00::1]/', s)).toBe(true);
    expect(await refused('http://169.254.169.254/', s)).toBe(true);
  });

  it('is validated at config load: one clear line naming the variable', () => {
    for (const bad of ['10.0.0.0/33', 'not a host', '0x7f.1', '127.1', 'http://x.example', '::1/200']) {
      expect(() => loadConfig({}, { CHIDU_OUTBOUND_ALLOW: bad })).toThrow(ConfigError);
      expect(() => loadConfig({}, { CHIDU_OUTBOUND_ALLOW: bad })).toThrow(/CHIDU_OUTBOUND_ALLOW/);
    }
    expect(loadConfig({}, { CHIDU_OUTBOUND_ALLOW: '10.0.0.5,internal.example.com,192.168.0.0/16' }).CHIDU_OUTBOUND_ALLOW).toBe(
      '10.0.0.5,internal.example.com,192.168.0.0/16',
    );
    expect(() => loadConfig({}, { CHIDU_WEBHOOK_ALLOW_PRIVATE: '1' })).toThrow(/CHIDU_OUTBOUND_ALLOW/);
  });
});

describe('requests against a loopback server on the allow list', () => {
  let srv: Server;
  let port = 0;
  const hits: { url: string; host: string | undefined; method: string }[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('fine'),
    '/to-ok': (_q, r) => r.writeHead(302, { location: '/ok' }).end(),
    '/to-mapped': (_q, r) => r.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${port}/secret` }).end(),
    '/to-localhost': (_q, r) => r.writeHead(307, { location: `http://localhost:${port}/secret` }).end(),
    '/to-metadata': (_q, r) => r.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/loop': (_q, r) => r.writeHead(302, { location: '/loop' }).end(),
    '/secret': (_q, r) => r.writeHead(200).end('secret'),
    '/huge': (_q, r) => {
      r.writeHead(200, { 'content-length': String(3 * 1024 * 1024) });
      r.end(Buffer.alloc(3 * 1024 * 1024));
    },
    '/huge-chunked': (_q, r) => {
      r.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      let n = 0;
      const push = () => {
        while (n++ < 64) {
          if (!r.write(chunk)) {
            r.once('drain', push);
            return;
          }
        }
        r.end();
      };
      push();
    },
    '/slow': () => {
      /* never answers */
    },
    '/trickle': (_q, r) => {
      r.writeHead(200);
      const iv = setInterval(() => {
        if (r.destroyed) clearInterval(iv);
        else r.write('.');
      }, 50);
    },
  };
  beforeAll(async () => {
    srv = createServer((req, res) => {
      hits.push({ url: req.url ?? '', host: req.headers.host, method: req.method ?? '' });
      req.resume();
      (routes[(req.url ?? '').split('?')[0]!] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    port = (srv.address() as { port: number }).port;
  });
  afterAll(() => {
    srv.closeAllConnections();
    srv.close();
  });

  const allowed = (more: Partial<OutboundSettings> = {}) => policy('127.0.0.1', more);

  it('refuses loopback without the allow list (the server sees nothing)', async () => {
    const n = hits.length;
    await expect(outbound(`http://127.0.0.1:${port}/ok`, { settings: policy() })).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(outbound(`http://[::ffff:127.0.0.1]:${port}/ok`, { settings: policy() })).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(hits.length).toBe(n);
  });

  it('connects to the vetted address: one DNS answer, no second lookup (no rebinding), Host header kept', async () => {
    let calls = 0;
    const resolve: Resolver = () => {
      calls++;
      return Promise.resolve(calls === 1 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }]);
    };
    const s = policy('pinned.test', { resolve });
    const res = await outbound(`http://pinned.test:${port}/ok`, { settings: s });
    expect(res.status).toBe(200);
    expect(res.text()).toBe('fine');
    expect(calls).toBe(1);
    expect(hits.at(-1)).toMatchObject({ url: '/ok', host: `pinned.test:${port}` });
  });

  it('redirects: returned as is by default; followed on request with every hop vetted; capped', async () => {
    expect((await outbound(`http://127.0.0.1:${port}/to-ok`, { settings: allowed() })).status).toBe(302);
    const ok = await outbound(`http://127.0.0.1:${port}/to-ok`, { settings: allowed(), maxRedirects: 3 });
    expect(ok.status).toBe(200);
    expect(ok.text()).toBe('fine');
    const n = hits.filter((h) => h.url === '/secret').length;
    for (const from of ['/to-mapped', '/to-metadata']) {
      await expect(outbound(`http://127.0.0.1:${port}${from}`, { settings: allowed(), maxRedirects: 3 }), from).rejects.toBeInstanceOf(OutboundRefusedError);
    }
    expect(hits.filter((h) => h.url === '/secret').length).toBe(n);
    await expect(outbound(`http://127.0.0.1:${port}/loop`, { settings: allowed(), maxRedirects: 3 })).rejects.toMatchObject({ kind: 'redirects' });
  });

  it('response size limit (declared and streamed)', async () => {
    await expect(outbound(`http://127.0.0.1:${port}/huge`, { settings: allowed() })).rejects.toMatchObject({ kind: 'too_large' });
    await expect(outbound(`http://127.0.0.1:${port}/huge-chunked`, { settings: allowed() })).rejects.toMatchObject({ kind: 'too_large' });
    const big = await outbound(`http://127.0.0.1:${port}/huge`, { settings: allowed({ maxResponseBytes: 4 * 1024 * 1024 }) });
    expect(big.body.length).toBe(3 * 1024 * 1024);
  });

  it('total time limit (a server that never answers, one that trickles)', async () => {
    const t0 = Date.now();
    await expect(outbound(`http://127.0.0.1:${port}/slow`, { settings: allowed({ timeoutMs: 300 }) })).rejects.toMatchObject({ kind: 'timeout' });
    await expect(outbound(`http://127.0.0.1:${port}/trickle`, { settings: allowed(), timeoutMs: 300 })).rejects.toBeInstanceOf(OutboundError);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('POSTs a body', async () => {
    const res = await outbound(`http://127.0.0.1:${port}/ok`, {
      settings: allowed(),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(hits.at(-1)).toMatchObject({ method: 'POST' });
  });
});
