/**
 * The one outbound HTTP client: every webhook, scheduled report, channel adapter and feed goes through `outbound()`.
 *
 * Promises (docs/security.md "Outbound requests"):
 * - only http(s) URLs without credentials;
 * - the host is resolved (all addresses) and EVERY address must be global unicast — private, loopback, link-local,
 *   unique-local, multicast, unspecified, broadcast, reserved, carrier-grade NAT, and every IPv6 form that embeds an
 *   IPv4 address (IPv4-mapped / -compatible, NAT64 64:ff9b::/96, 6to4, Teredo) are refused — unless the address or the
 *   host name is on the allow list (`CHIDU_OUTBOUND_ALLOW`);
 * - the connection goes to the address that was vetted (a `lookup` that returns it), so DNS rebinding between the
 *   check and the connect cannot switch the target; no connection reuse (one socket per request);
 * - redirects are not followed unless asked (`maxRedirects`); each hop is vetted again;
 * - connect and total time limits, and a response size limit.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export interface OutboundSettings {
  /** Parsed CHIDU_OUTBOUND_ALLOW. */
  allow: AllowList;
  connectTimeoutMs: number;
  timeoutMs: number;
  maxResponseBytes: number;
  resolve: Resolver;
}

export interface AllowList {
  nets: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  hosts: string[];
  suffixes: string[];
}

/** A target refused by policy (not a network failure): API-triggered sends answer 422 `outbound_refused`. */
export class OutboundRefusedError extends Error {
  /** `invalid`: not an http(s) URL / has credentials; `address`: the policy refuses where it points. */
  constructor(
    readonly url: string,
    reason: string,
    readonly kind: 'invalid' | 'address' = 'address',
  ) {
    super(reason);
    this.name = 'OutboundRefusedError';
  }
}
/** The request was allowed but failed: timeout, size limit, network error, too many redirects. */
export class OutboundError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'too_large' | 'network' | 'redirects',
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

// ───────────────────────────── allow list ─────────────────────────────

const HOST_RE = /^(\*\.)?(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * `10.0.0.5,internal.example.com,*.corp.example,192.168.0.0/16,fd00::/8` → an allow list.
 * Throws an Error naming the bad entry (config load turns it into one clear line).
 */
export function parseAllowList(raw: string | undefined): AllowList {
  const out: AllowList = { nets: [], hosts: [], suffixes: [] };
  for (const part of (raw ?? '').split(',')) {
    const e = part.trim().toLowerCase();
    if (!e) continue;
    const slash = e.indexOf('/');
    const addr = slash >= 0 ? e.slice(0, slash) : e;
    if (isIP(addr)) {
      if (slash >= 0) {
        const bitsText = e.slice(slash + 1);
        const bits = Number(bitsText);
        const max = isIP(addr) === 4 ? 32 : 128;
        if (!/^\d{1,3}$/.test(bitsText) || bits > max) throw new Error(`entry "${part.trim()}" has a bad prefix length`);
        out.nets.push([ipaddr.parse(addr), bits]);
      } else {
        out.nets.push([ipaddr.parse(addr), isIP(addr) === 4 ? 32 : 128]);
      }
      continue;
    }
    if (slash >= 0 || !HOST_RE.test(e.replace(/\.$/, '')) || /^[\d.]+$/.test(e) || /^0x/.test(e)) {
      throw new Error(`entry "${part.trim()}" is not an IP address, a CIDR range or a host name`);
    }
    const h = e.replace(/\.$/, '');
    if (h.startsWith('*.')) out.suffixes.push(h.slice(1));
    else out.hosts.push(h);
  }
  return out;
}

function hostAllowed(allow: AllowList, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allow.hosts.includes(h) || allow.suffixes.some((s) => h.endsWith(s) && h.length > s.length);
}

function addressAllowed(allow: AllowList, addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return allow.nets.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

// ───────────────────────────── classification ─────────────────────────────

const GLOBAL_V6: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/**
 * Why an address may not be contacted, or null when it is a public unicast address. Anything ipaddr.js does not
 * classify as `unicast` is refused — which covers every IPv6 form embedding an IPv4 address — and IPv6 must also lie
 * in global unicast space 2000::/3 (refuses the deprecated IPv4-compatible ::a.b.c.d and unassigned space).
 */
export function forbiddenAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const a = ipaddr.parse(address);
  const range = a.range();
  if (range !== 'unicast') return `${range} address`;
  if (a.kind() === 'ipv6' && !(a as ipaddr.IPv6).match(GLOBAL_V6)) return 'reserved address';
  return null;
}

// ───────────────────────────── settings ─────────────────────────────

const defaultResolver: Resolver = async (host) => dnsLookup(host, { all: true, verbatim: true });

export const DEFAULT_OUTBOUND: OutboundSettings = {
  allow: { nets: [], hosts: [], suffixes: [] },
  connectTimeoutMs: 5000,
  timeoutMs: 10_000,
  maxResponseBytes: 1024 * 1024,
  resolve: defaultResolver,
};

let settings: OutboundSettings = DEFAULT_OUTBOUND;

/** Set by buildApp from the configuration (CHIDU_OUTBOUND_*); tests may also inject a resolver. */
export function configureOutbound(s: Partial<OutboundSettings>): void {
  settings = { ...DEFAULT_OUTBOUND, ...s };
}
export function outboundSettings(): OutboundSettings {
  return settings;
}

// ───────────────────────────── vetting ─────────────────────────────

export interface VettedTarget {
  url: URL;
  host: string;
  address: string;
  family: 4 | 6;
}

/** Parse, resolve and classify a URL; throws OutboundRefusedError. */
export async function vetUrl(raw: string | URL, s: OutboundSettings = settings): Promise<VettedTarget> {
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : raw;
  } catch {
    throw new OutboundRefusedError(String(raw), 'must be an absolute http(s) URL', 'invalid');
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OutboundRefusedError(shown, 'must be an http(s) URL', 'invalid');
  if (url.username || url.password) throw new OutboundRefusedError(shown, 'must not contain credentials', 'invalid');
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const byName = !isIP(host) && hostAllowed(s.allow, host);
  let addrs: { address: string; family: number }[];
  if (isIP(host)) addrs = [{ address: host, family: isIP(host) }];
  else {
    try {
      addrs = await s.resolve(host);
    } catch {
      throw new OutboundRefusedError(shown, `host ${host} does not resolve`);
    }
    if (addrs.length === 0) throw new OutboundRefusedError(shown, `host ${host} does not resolve`);
  }
  for (const a of addrs) {
    if (!ipaddr.isValid(a.address)) throw new OutboundRefusedError(shown, `host ${host} resolved to an invalid address`);
    if (byName) continue;
    const why = forbiddenAddress(a.address);
    if (why && !addressAllowed(s.allow, ipaddr.parse(a.address))) {
      throw new OutboundRefusedError(
        shown,
        `must not point to a private or local address (${isIP(host) ? host : `${host} → ${a.address}`}: ${why}); add it to CHIDU_OUTBOUND_ALLOW if intended`,
      );
    }
  }
  const first = addrs[0]!;
  return { url, host, address: first.address, family: isIP(first.address) === 6 ? 6 : 4 };
}

/** The refusal a URL would get, or null. For validating settings (webhook URLs, report targets). */
export async function checkOutboundUrl(raw: string): Promise<OutboundRefusedError | null> {
  try {
    await vetUrl(raw);
    return null;
  } catch (err) {
    if (err instanceof OutboundRefusedError) return err;
    throw err;
  }
}

/** A URL as shown back by the API: scheme and host only (webhook paths and queries carry keys / tokens). */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname !== '/' || u.search || u.hash ? '/…' : '/'}`;
  } catch {
    return '…';
  }
}

// ───────────────────────────── the request ─────────────────────────────

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'HEAD';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Redirects to follow (each hop vetted again); default 0 = a 3xx is returned as is. */
  maxRedirects?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  settings?: OutboundSettings;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  url: string;
  text(): string;
}

/** Send one request through the policy. Throws OutboundRefusedError (policy) or OutboundError (timeout, size, network). */
export async function outbound(raw: string, req: OutboundRequest = {}): Promise<OutboundResponse> {
  const s = req.settings ?? settings;
  const deadline = Date.now() + (req.timeoutMs ?? s.timeoutMs);
  let url = raw;
  let method = req.method ?? 'GET';
  let body = req.body;
  let headers = req.headers ?? {};
  const maxRedirects = req.maxRedirects ?? 0;
  let origin: string | null = null;
  for (let hop = 0; ; hop++) {
    const target = await vetUrl(url, s);
    origin ??= target.url.origin;
    // Credentials stay with the origin they were given for.
    if (target.url.origin !== origin)
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)));
    const res = await once(target, {
      method,
      headers,
      body,
      deadline,
      connectTimeoutMs: req.connectTimeoutMs ?? s.connectTimeoutMs,
      maxBytes: req.maxResponseBytes ?? s.maxResponseBytes,
    });
    const loc = res.headers.location;
    if (maxRedirects > 0 && res.status >= 300 && res.status < 400 && res.status !== 304 && typeof loc === 'string') {
      if (hop >= maxRedirects) throw new OutboundError(`more than ${maxRedirects} redirects`, 'redirects');
      url = new URL(loc, target.url).toString();
      if (res.status === 301 || res.status === 302 || res.status === 303) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
      }
      continue;
    }
    return res;
  }
}

function once(
  t: VettedTarget,
  o: { method: string; headers: Record<string, string>; body: string | Buffer | undefined; deadline: number; connectTimeoutMs: number; maxBytes: number },
): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const remaining = o.deadline - Date.now();
    if (remaining <= 0) {
      reject(new OutboundError('timed out', 'timeout'));
      return;
    }
    // Connect to the vetted address, whatever a second DNS answer would say now.
    const pinned: LookupFunction = (_h, opts, cb) => {
      if ((opts as { all?: boolean }).all)
        (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: t.address, family: t.family }]);
      else cb(null, t.address, t.family);
    };
    const mod = t.url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'Chidu-outbound/1', ...o.headers };
    if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      clearTimeout(total);
      clearTimeout(connect);
      req.destroy();
      reject(err);
    };
    const req = mod.request(
      {
        protocol: t.url.protocol,
        hostname: t.host,
        port: t.url.port || undefined,
        path: `${t.url.pathname}${t.url.search}`,
        method: o.method,
        headers,
        lookup: pinned,
        agent: false,
        ...(t.url.protocol === 'https:' && !isIP(t.host) ? { servername: t.host } : {}),
      },
      (res) => {
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > o.maxBytes) {
          fail(new OutboundError(`response larger than ${o.maxBytes} bytes`, 'too_large'));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > o.maxBytes) {
            fail(new OutboundError(`response larger than ${o.maxBytes} bytes`, 'too_large'));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => fail(new OutboundError(e.message, 'network')));
        res.on('end', () => {
          if (done) return;
          done = true;
          clearTimeout(total);
          clearTimeout(connect);
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, url: t.url.toString(), text: () => buf.toString('utf8') });
        });
      },
    );
    const total = setTimeout(() => fail(new OutboundError(`no complete answer within ${Math.round(remaining)} ms`, 'timeout')), remaining);
    const connect = setTimeout(
      () => fail(new OutboundError(`could not connect within ${o.connectTimeoutMs} ms`, 'timeout')),
      Math.min(o.connectTimeoutMs, remaining),
    );
    req.on('socket', (sock) => {
      const ok = () => clearTimeout(connect);
      if (t.url.protocol === 'https:') sock.once('secureConnect', ok);
      else sock.once('connect', ok);
    });
    req.on('error', (e) => fail(e instanceof OutboundError ? e : new OutboundError(e.message, 'network')));
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}
