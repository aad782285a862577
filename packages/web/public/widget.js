/*
 * Chidu web chat widget loader. Paste on the pages of a site the channel allows:
 *   <script src="https://<chidu>/widget.js" data-channel="<channel id>" async></script>
 * Adds a launcher button (bottom right) that opens the chat in an iframe served by Chidu (/widget/<channel id>);
 * full screen on phones. Optional: data-lang="en" (default: the page's <html lang>, else zh-CN).
 * No dependencies; nothing is read from or written to the host page beyond these two elements.
 */
(function () {
  'use strict';
  var script = document.currentScript || document.querySelector('script[data-channel][src*="widget.js"]');
  if (!script || window.__chiduWidget) return;
  window.__chiduWidget = true;
  var channel = script.getAttribute('data-channel');
  var origin = new URL(script.src, location.href).origin;
  var lang = (script.getAttribute('data-lang') || document.documentElement.lang || 'zh-CN').toLowerCase().indexOf('en') === 0 ? 'en' : 'zh-CN';
  var label = lang === 'en' ? 'Chat with us' : '在线客服';
  var open = false;
  var frame = null;

  var btn = document.createElement('button');
  btn.type = 'button';
  btn.setAttribute('aria-label', label);
  btn.setAttribute('data-testid', 'chidu-widget-launcher');
  btn.innerHTML =
    '<svg width="22" height="22" viewBox="0 0 24 24" fill="none" aria-hidden="true"><path d="M4 5h16v11H8l-4 4V5z" stroke="#fff" stroke-width="2" stroke-linejoin="round"/></svg><span></span>';
  btn.lastChild.textContent = label;
  btn.style.cssText =
    'position:fixed;right:16px;bottom:16px;z-index:2147483000;display:flex;align-items:center;gap:6px;border:0;border-radius:24px;' +
    'padding:12px 18px;background:#2b6cc4;color:#fff;font:15px/1 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;' +
    'box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer';

  function layout() {
    if (!frame) return;
    var phone = window.innerWidth < 600;
    frame.style.cssText = phone
      ? 'position:fixed;inset:0;width:100%;height:100%;border:0;z-index:2147483001;background:#fff'
      : 'position:fixed;right:16px;bottom:80px;width:380px;height:600px;max-height:calc(100vh - 100px);border:0;border-radius:12px;' +
        'box-shadow:0 8px 30px rgba(0,0,0,.25);z-index:2147483001;background:#fff';
    frame.style.display = open ? 'block' : 'none';
  }
  function toggle(show) {
    open = show;
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.title = label;
      frame.setAttribute('data-testid', 'chidu-widget-frame');
      frame.setAttribute('allow', 'clipboard-write');
      frame.src = origin + '/widget/' + encodeURIComponent(channel) + '?lang=' + lang;
      document.body.appendChild(frame);
    }
    layout();
    btn.style.display = open && window.innerWidth < 600 ? 'none' : 'flex';
  }
  btn.onclick = function () {
    toggle(!open);
  };
  window.addEventListener('message', function (e) {
    if (e.origin === origin && e.data && e.data.type === 'chidu-widget:close') toggle(false);
  });
  window.addEventListener('resize', layout);
  function mount() {
    document.body.appendChild(btn);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
