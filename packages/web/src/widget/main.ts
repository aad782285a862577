/**
 * The web chat widget page (/widget/<channel id>), shown in an iframe by /widget.js on the channel's allowed sites.
 * No framework (it loads on every page of a customer's site). The visitor token lives in this iframe's localStorage;
 * the WebSocket resumes from the last seq it has and resends unacknowledged messages with their client ids (the server
 * stores each once). zh-CN by default (`?lang=en` from the host page's <html lang>).
 * 验证手机号: a one-time code (the portal's code path; demo mode shows it) binds the visitor to the customer who owns the
 * phone; a customer portal session of this browser does it at once (以门户账号登录, tried automatically). When the
 * channel requires it, the composer and the 留言 form wait until the visitor is verified.
 */
import zh from '../i18n/extra/widget.zh-CN.json';
import en from '../i18n/extra/widget.en.json';
import './widget.css';

type Strings = typeof zh.widget;
interface Ev {
  seq: number;
  kind: 'message' | 'survey';
  author: 'visitor' | 'agent' | 'system';
  body: string;
  attachment: { id: string; url: string } | null;
  clientId: string | null;
  data: Record<string, unknown>;
  at: string;
}
interface Config {
  name: string;
  greeting: string | null;
  offlineMessage: string | null;
  online: boolean;
  nextOpen: string | null;
  requireIdentity: boolean;
}
interface Identity {
  verified: boolean;
  via: 'phone' | 'portal' | null;
  phone: string | null;
}
interface Pending {
  clientId: string;
  body: string;
  attachmentId?: string;
  preview?: string;
  failed?: boolean;
}

const channelId = location.pathname.split('/').filter(Boolean)[1] ?? '';
const params = new URLSearchParams(location.search);
const lang = (params.get('lang') ?? '').toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
const S: Strings = lang === 'en' ? en.widget : zh.widget;
document.documentElement.lang = lang;
const fmt = (key: keyof Strings, vars: Record<string, string> = {}) => S[key].replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? '');
const timeFmt = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateTimeFmt = new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const base = `/api/v1/public/webchat/${channelId}`;
const storeKey = `chidu-webchat:${channelId}`;

let token = localStorage.getItem(storeKey) ?? '';
let cursor = 0;
let ws: WebSocket | null = null;
let retry = 0;
let typingTimer: number | undefined;
let lastTypingSent = 0;
const seen = new Set<number>();
const pending = new Map<string, Pending>();
const blobs = new Map<string, string>();

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

// ───── layout ─────
const root = document.getElementById('wc-root')!;
const header = el('div', 'wc-header');
const title = el('div', 'wc-title', S.title);
const status = el('div', 'wc-status', S.connecting);
const titles = el('div', 'wc-titles');
titles.append(title, status);
const closeBtn = el('button', 'wc-close', '×');
closeBtn.setAttribute('aria-label', S.close);
closeBtn.dataset.testid = 'widget-close';
closeBtn.onclick = () => parent.postMessage({ type: 'chidu-widget:close' }, '*');
header.append(titles, closeBtn);
const list = el('div', 'wc-list');
list.dataset.testid = 'widget-messages';
const typingLine = el('div', 'wc-typing', S.typing);
typingLine.hidden = true;
typingLine.dataset.testid = 'widget-typing';
const composer = el('form', 'wc-composer');
const input = el('textarea', 'wc-input');
input.placeholder = S.placeholder;
input.rows = 1;
input.dataset.testid = 'widget-input';
const photoBtn = el('label', 'wc-photo');
photoBtn.title = S.photo;
photoBtn.setAttribute('aria-label', S.photo);
const file = el('input');
file.type = 'file';
file.accept = 'image/*';
file.dataset.testid = 'widget-photo';
const icon = el('span', 'wc-photo-icon');
icon.innerHTML =
  '<svg width="24" height="24" viewBox="0 0 24 24" fill="none" aria-hidden="true"><path d="M4 8h3l2-3h6l2 3h3v11H4V8z" stroke="#4b5563" stroke-width="1.8" stroke-linejoin="round"/><circle cx="12" cy="13" r="3.5" stroke="#4b5563" stroke-width="1.8"/></svg>';
photoBtn.append(icon, file);
const sendBtn = el('button', 'wc-send', S.send);
sendBtn.type = 'submit';
sendBtn.dataset.testid = 'widget-send';
composer.append(photoBtn, input, sendBtn);
const notice = el('div', 'wc-notice');
notice.hidden = true;
const identityBar = el('div', 'wc-identity');
identityBar.dataset.testid = 'widget-identity';
root.append(header, identityBar, list, typingLine, notice, composer, el('div', 'wc-powered', S.poweredBy));

function showNotice(text: string) {
  notice.textContent = text;
  notice.hidden = false;
  window.setTimeout(() => (notice.hidden = true), 4000);
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { 'x-visitor-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : null,
  });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  return (await res.json()) as T;
}

/** The CSRF cookie of a Chidu session in this browser (readable by design; the session cookie itself is HttpOnly). */
const csrfCookie = () =>
  document.cookie
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith('chidu_csrf='))
    ?.slice('chidu_csrf='.length) ?? '';

/** A photo of the conversation: fetched with the visitor token (it is served to this visitor only) → blob URL. */
async function photoUrl(a: { id: string; url: string }): Promise<string> {
  const known = blobs.get(a.id);
  if (known) return known;
  const res = await fetch(a.url, { headers: { 'x-visitor-token': token } });
  const url = URL.createObjectURL(await res.blob());
  blobs.set(a.id, url);
  return url;
}

function bubble(who: 'visitor' | 'agent' | 'system', at: string | null, testid: string): { row: HTMLElement; body: HTMLElement } {
  const row = el('div', `wc-row wc-${who}`);
  row.dataset.testid = testid;
  const body = el('div', 'wc-bubble');
  row.append(body);
  if (at) row.append(el('div', 'wc-time', timeFmt.format(new Date(at))));
  return { row, body };
}

function scrollDown() {
  list.scrollTop = list.scrollHeight;
}

function render(e: Ev) {
  if (seen.has(e.seq)) return;
  seen.add(e.seq);
  cursor = Math.max(cursor, e.seq);
  if (e.clientId && pending.has(e.clientId)) {
    document.querySelector(`[data-pending="${CSS.escape(e.clientId)}"]`)?.remove();
    pending.delete(e.clientId);
  }
  if (e.kind === 'survey') {
    const card = el('div', 'wc-survey');
    card.dataset.testid = 'widget-survey';
    const link = el('a', 'wc-survey-btn', S.surveyOpen);
    link.href = typeof e.data.url === 'string' ? e.data.url : '#';
    link.target = '_blank';
    link.rel = 'noopener';
    link.dataset.testid = 'widget-survey-link';
    card.append(el('div', 'wc-survey-title', S.surveyTitle), el('div', 'wc-survey-hint', S.surveyHint), link);
    list.append(card);
    scrollDown();
    return;
  }
  const { row, body } = bubble(e.author, e.at, e.author === 'agent' ? 'widget-agent-message' : 'widget-visitor-message');
  if (e.author === 'agent') row.prepend(el('div', 'wc-name', typeof e.data.name === 'string' ? e.data.name : S.agent));
  if (e.body) body.append(el('div', 'wc-text', e.body));
  else body.classList.add('wc-bubble-photo');
  if (e.attachment) {
    const img = el('img', 'wc-img');
    img.alt = S.photoAlt;
    img.dataset.testid = 'widget-photo-img';
    void photoUrl(e.attachment).then((u) => {
      img.src = u;
      img.onload = scrollDown;
    });
    body.append(img);
  }
  if (e.author === 'agent') typingLine.hidden = true;
  list.append(row);
  scrollDown();
}

function renderPending(p: Pending) {
  const { row, body } = bubble('visitor', null, 'widget-visitor-pending');
  row.dataset.pending = p.clientId;
  row.classList.add('wc-pending');
  if (p.body) body.append(el('div', 'wc-text', p.body));
  if (p.preview) {
    const img = el('img', 'wc-img');
    img.src = p.preview;
    img.alt = S.photoAlt;
    body.append(img);
  }
  list.append(row);
  scrollDown();
}

function markFailed(clientId: string, why: string) {
  const p = pending.get(clientId);
  if (!p) return;
  p.failed = true;
  const row = document.querySelector<HTMLElement>(`[data-pending="${CSS.escape(clientId)}"]`);
  if (row && !row.querySelector('.wc-failed')) {
    const again = el('button', 'wc-failed', S.failed);
    again.onclick = () => {
      p.failed = false;
      again.remove();
      transmit(p);
    };
    row.append(again);
  }
  showNotice(why);
}

function transmit(p: Pending) {
  if (ws && ws.readyState === WebSocket.OPEN)
    ws.send(JSON.stringify({ type: 'message', clientId: p.clientId, body: p.body, ...(p.attachmentId ? { attachmentId: p.attachmentId } : {}) }));
}

function send(p: Pending) {
  pending.set(p.clientId, p);
  renderPending(p);
  transmit(p);
}

// ───── socket with reconnect and resume ─────
function connect() {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${proto}://${location.host}${base}/ws?token=${encodeURIComponent(token)}&after=${cursor}`);
  ws = socket;
  socket.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { type: string; event?: Ev; clientId?: string; code?: string };
    if (msg.type === 'event' && msg.event) render(msg.event);
    else if (msg.type === 'ready') {
      retry = 0;
      status.textContent = onlineText;
      root.classList.remove('wc-down');
      for (const p of pending.values()) if (!p.failed) transmit(p); // unacknowledged: resent, stored once
    } else if (msg.type === 'typing') {
      typingLine.hidden = false;
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(() => (typingLine.hidden = true), 6000);
    } else if (msg.type === 'error' && msg.clientId) {
      if (msg.code === 'forbidden') {
        // The channel requires a verified phone: ask for it; the message can be resent after.
        markFailed(msg.clientId, S.verifyRequired);
        openVerify();
      } else markFailed(msg.clientId, msg.code === 'rate_limited' ? S.tooMany : S.failed);
    }
  };
  socket.onclose = () => {
    if (ws !== socket) return;
    ws = null;
    status.textContent = S.reconnecting;
    root.classList.add('wc-down');
    const wait = Math.min(15_000, 1000 * 2 ** retry++);
    window.setTimeout(connect, wait);
  };
}

let onlineText = S.online;
let config: Config | null = null;
let identity: Identity = { verified: false, via: null, phone: null };
let verifyBox: HTMLElement | null = null;
let offlineShown = false;

async function start() {
  const cfg = await api<Config>('GET', '/config');
  config = cfg;
  title.textContent = cfg.name;
  onlineText = cfg.online ? S.online : S.offline;
  status.textContent = S.connecting;
  const session = await api<{ token: string; identity: Identity }>('POST', '/session');
  token = session.token;
  localStorage.setItem(storeKey, token);
  identity = session.identity;
  const greet = bubble('agent', null, 'widget-greeting');
  greet.body.append(el('div', 'wc-text', cfg.greeting ?? S.greeting));
  list.append(greet.row);
  const history = await api<{ items: Ev[] }>('GET', '/messages?after=0&limit=500');
  history.items.forEach(render);
  // A portal session in this browser identifies the visitor at once (silently nothing when there is none).
  if (!identity.verified && csrfCookie()) await portalLogin(true);
  showIdentity();
  if (cfg.requireIdentity && !identity.verified) openVerify();
  else if (!cfg.online) showOffline();
  connect();
}

function showOffline() {
  if (!config || config.online || offlineShown) return;
  offlineShown = true;
  offlineForm(config);
}

/** The strip under the header: 已验证 138****0000, or the actions 验证手机号 / 以门户账号登录. */
function showIdentity() {
  identityBar.replaceChildren();
  const locked = Boolean(config?.requireIdentity && !identity.verified);
  composer.classList.toggle('wc-locked', locked);
  if (identity.verified) {
    const text = fmt(identity.via === 'portal' ? 'verifiedPortal' : 'verified', { phone: identity.phone ?? '' });
    const badge = el('span', 'wc-verified', `✓ ${text}`);
    badge.dataset.testid = 'widget-verified';
    identityBar.append(badge);
    return;
  }
  const verify = el('button', 'wc-link', S.verify);
  verify.type = 'button';
  verify.dataset.testid = 'widget-verify';
  verify.onclick = () => openVerify();
  identityBar.append(verify);
  if (csrfCookie()) {
    const portal = el('button', 'wc-link', S.portalLogin);
    portal.type = 'button';
    portal.dataset.testid = 'widget-portal-login';
    portal.onclick = () => void portalLogin(false);
    identityBar.append(portal);
  }
}

function verified(out: Identity) {
  identity = out;
  verifyBox?.remove();
  verifyBox = null;
  showIdentity();
  showNotice(S.verifyDone);
  showOffline();
}

async function portalLogin(quiet: boolean) {
  try {
    const res = await fetch(`${base}/identify/portal`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-visitor-token': token, 'x-csrf-token': csrfCookie() },
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    verified((await res.json()) as Identity);
  } catch {
    if (!quiet) showNotice(S.portalFailed);
  }
}

/** 验证手机号: phone → 获取验证码 (demo mode shows the code) → code → 确认. */
function openVerify() {
  if (identity.verified) return;
  if (verifyBox) {
    verifyBox.querySelector('input')?.focus();
    return;
  }
  const box = el('form', 'wc-verify');
  box.dataset.testid = 'widget-verify-form';
  box.noValidate = true;
  const required = Boolean(config?.requireIdentity);
  box.append(el('div', 'wc-offline-title', S.verifyTitle), el('div', 'wc-offline-hint', required ? S.verifyRequired : S.verifyHint));
  const field = (label: string, node: HTMLInputElement, id: string) => {
    const l = el('label', 'wc-field');
    l.append(el('span', '', label), node);
    node.name = id;
    node.dataset.testid = `widget-verify-${id}`;
    return l;
  };
  const phone = el('input');
  phone.inputMode = 'numeric';
  phone.autocomplete = 'tel';
  phone.maxLength = 11;
  const code = el('input');
  code.inputMode = 'numeric';
  code.autocomplete = 'one-time-code';
  code.maxLength = 6;
  const getCode = el('button', 'wc-send', S.getCode);
  getCode.type = 'button';
  getCode.dataset.testid = 'widget-verify-get-code';
  const row1 = el('div', 'wc-verify-row');
  row1.append(field(S.phone, phone, 'phone'), getCode);
  const codeRow = el('div', 'wc-verify-row');
  codeRow.append(field(S.code, code, 'code'));
  codeRow.hidden = true;
  const info = el('div', 'wc-offline-hint');
  info.hidden = true;
  const demo = el('div', 'wc-demo-code');
  demo.hidden = true;
  demo.dataset.testid = 'widget-demo-code';
  const error = el('div', 'wc-error');
  error.hidden = true;
  error.dataset.testid = 'widget-verify-error';
  const actions = el('div', 'wc-verify-row');
  const confirm = el('button', 'wc-send', S.confirm);
  confirm.type = 'submit';
  confirm.disabled = true;
  confirm.dataset.testid = 'widget-verify-confirm';
  actions.append(confirm);
  if (!required) {
    const cancel = el('button', 'wc-link', S.cancel);
    cancel.type = 'button';
    cancel.onclick = () => {
      box.remove();
      verifyBox = null;
    };
    actions.append(cancel);
  }
  box.append(row1, codeRow, info, demo, error, actions);
  const fail = (text: string) => {
    error.textContent = text;
    error.hidden = false;
  };
  let countdown: number | undefined;
  getCode.onclick = () => {
    error.hidden = true;
    const p = phone.value.trim();
    if (!/^1[3-9]\d{9}$/.test(p)) return fail(S.phoneRule);
    getCode.disabled = true;
    api<{ sent: boolean; expiresInSeconds: number; demoCode?: string }>('POST', '/identify/code', { phone: p })
      .then((out) => {
        codeRow.hidden = false;
        confirm.disabled = false;
        info.textContent = S.codeSent;
        info.hidden = false;
        if (out.demoCode) {
          demo.textContent = fmt('demoCode', { code: out.demoCode });
          demo.hidden = false;
        }
        code.focus();
        let left = 60;
        window.clearInterval(countdown);
        countdown = window.setInterval(() => {
          left -= 1;
          getCode.textContent = left > 0 ? fmt('resend', { s: String(left) }) : S.getCode;
          if (left <= 0) {
            window.clearInterval(countdown);
            getCode.disabled = false;
          }
        }, 1000);
      })
      .catch((e: { status?: number }) => {
        getCode.disabled = false;
        fail(e.status === 429 ? S.codeTooOften : e.status === 400 ? S.phoneRule : S.failed);
      });
  };
  box.onsubmit = (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const c = code.value.trim();
    if (!/^\d{6}$/.test(c)) return fail(S.codeRule);
    confirm.disabled = true;
    api<Identity>('POST', '/identify/verify', { phone: phone.value.trim(), code: c })
      .then((out) => {
        window.clearInterval(countdown);
        verified(out);
      })
      .catch((e: { status?: number }) => {
        confirm.disabled = false;
        fail(e.status === 429 ? S.codeTooMany : e.status === 401 ? S.codeWrong : e.status === 400 ? S.codeRule : S.failed);
      });
  };
  verifyBox = box;
  list.append(box);
  scrollDown();
  phone.focus();
}

function offlineForm(cfg: Config) {
  const box = el('form', 'wc-offline');
  box.dataset.testid = 'widget-offline';
  box.append(el('div', 'wc-offline-title', S.offlineTitle), el('div', 'wc-offline-hint', cfg.offlineMessage ?? S.offlineHint));
  const field = (label: string, node: HTMLInputElement | HTMLTextAreaElement, id: string) => {
    const l = el('label', 'wc-field');
    l.append(el('span', '', label), node);
    node.name = id;
    node.required = true;
    node.dataset.testid = `widget-offline-${id}`;
    box.append(l);
  };
  const name = el('input');
  const phone = el('input');
  phone.inputMode = 'numeric';
  phone.pattern = '1[3-9][0-9]{9}';
  phone.title = S.phoneRule;
  const message = el('textarea');
  field(S.name, name, 'name');
  field(S.phone, phone, 'phone');
  field(S.message, message, 'message');
  const submit = el('button', 'wc-send', S.submit);
  submit.type = 'submit';
  submit.dataset.testid = 'widget-offline-submit';
  box.append(submit);
  box.onsubmit = (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    api<{ event: Ev; expectReplyAfter: string | null }>('POST', '/offline', {
      clientId: newId(),
      name: name.value.trim(),
      phone: phone.value.trim(),
      message: message.value.trim(),
    })
      .then((out) => {
        render(out.event);
        box.replaceChildren(
          el('div', 'wc-offline-title', S.left),
          el('div', 'wc-offline-hint', out.expectReplyAfter ? fmt('expect', { time: dateTimeFmt.format(new Date(out.expectReplyAfter)) }) : S.expectSoon),
        );
        box.dataset.testid = 'widget-offline-done';
      })
      .catch((e: { status?: number }) => {
        submit.disabled = false;
        showNotice(e.status === 400 ? S.phoneRule : S.failed);
      });
  };
  list.append(box);
  scrollDown();
}

composer.onsubmit = (ev) => {
  ev.preventDefault();
  const body = input.value.trim();
  if (!body) return;
  input.value = '';
  send({ clientId: newId(), body });
};
input.onkeydown = (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    composer.requestSubmit();
  }
};
input.oninput = () => {
  if (Date.now() - lastTypingSent > 2000 && ws?.readyState === WebSocket.OPEN) {
    lastTypingSent = Date.now();
    ws.send('{"type":"typing"}');
  }
};
file.onchange = async () => {
  const f = file.files?.[0];
  file.value = '';
  if (!f) return;
  const form = new FormData();
  form.append('file', f, f.name);
  const res = await fetch(`${base}/uploads`, { method: 'POST', headers: { 'x-visitor-token': token }, body: form });
  if (!res.ok) return showNotice(S.photoRefused);
  const up = (await res.json()) as { id: string };
  send({ clientId: newId(), body: '', attachmentId: up.id, preview: URL.createObjectURL(f) });
};

void start().catch(() => {
  status.textContent = S.reconnecting;
  window.setTimeout(() => location.reload(), 5000);
});
