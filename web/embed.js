/*
 * chatdesk website widget. Add one tag to any page:
 *
 *   <script src="https://help.example.com/embed.js" data-group="support" async></script>
 *
 * and a floating "Chat with us" button opens the live chat in a panel on the page (or in a popup
 * window with data-mode="popup"). Options, all optional, as data- attributes of the tag:
 *   data-group      group (department) id the chats go to
 *   data-name, data-email, data-question   prefill the customer's form
 *   data-label      the button's text while someone can chat (default "Chat with us")
 *   data-label-offline  its text while nobody can (default "Leave us a message")
 *   data-color      the button's colour (CSS colour, default #1f6feb)
 *   data-position   "right" (default) or "left"
 *   data-mode       "panel" (default) or "popup"
 *
 * Whether anyone can chat now comes from a hidden frame of the chat server (chat/status.html),
 * which reads the group's availability on its own origin and posts it here: the API grants no
 * other website CORS access, and needs none for this.
 *
 * A classic script on purpose (not a module): it must run on any website, old or new. It adds
 * three elements and one message listener, and styles them through the CSSOM, which websites with
 * a strict Content-Security-Policy still allow.
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.__chatdeskWidget) return;
  window.__chatdeskWidget = true;

  var data = script.dataset;
  var chatUrl = new URL('chat/', script.src);
  var chatOrigin = chatUrl.origin;
  var params = new URLSearchParams();
  ['group', 'name', 'email', 'question'].forEach(function (k) {
    if (data[k]) params.set(k, data[k]);
  });
  var mode = data.mode === 'popup' ? 'popup' : 'panel';
  var side = data.position === 'left' ? 'left' : 'right';
  var colour = data.color || '#1f6feb';

  function style(el, props) {
    for (var k in props) el.style[k] = props[k];
    return el;
  }

  var button = style(document.createElement('button'), {
    position: 'fixed', bottom: '20px', zIndex: '2147483000', padding: '12px 18px',
    borderRadius: '24px', border: '0', background: colour, color: '#fff', cursor: 'pointer',
    font: '600 15px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    boxShadow: '0 6px 20px rgba(0,0,0,0.25)',
  });
  button.style[side] = '20px';
  button.type = 'button';
  var onlineLabel = data.label || 'Chat with us';
  var offlineLabel = data.labelOffline || 'Leave us a message';
  button.textContent = onlineLabel;
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-expanded', 'false');
  button.className = 'chatdesk-launcher';

  var panel = null;

  function url(embedded) {
    var p = new URLSearchParams(params);
    if (embedded) p.set('embed', '1');
    var qs = p.toString();
    return chatUrl.href + (qs ? '?' + qs : '');
  }

  function openPanel() {
    if (!panel) {
      panel = style(document.createElement('div'), {
        position: 'fixed', bottom: '84px', zIndex: '2147483000', width: '380px', height: '600px',
        maxWidth: 'calc(100vw - 24px)', maxHeight: 'calc(100vh - 108px)', borderRadius: '12px',
        overflow: 'hidden', boxShadow: '0 12px 40px rgba(0,0,0,0.3)', background: '#fff',
      });
      panel.style[side] = '20px';
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-label', 'Live chat');
      panel.className = 'chatdesk-panel';
      var frame = style(document.createElement('iframe'), { width: '100%', height: '100%', border: '0' });
      frame.title = 'Live chat';
      frame.src = url(true);
      panel.appendChild(frame);
      document.body.appendChild(panel);
      if (window.innerWidth < 480) {
        // Phones: the chat takes the whole screen.
        style(panel, { top: '0', left: '0', right: '0', bottom: '0', width: '100vw', height: '100vh', maxWidth: 'none', maxHeight: 'none', borderRadius: '0' });
      }
    }
    panel.style.display = 'block';
    button.setAttribute('aria-expanded', 'true');
    if (window.innerWidth < 480) button.style.display = 'none';
  }

  function closePanel() {
    if (panel) panel.style.display = 'none';
    button.style.display = '';
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }

  button.addEventListener('click', function () {
    if (mode === 'popup') {
      var w = window.open(url(false), 'chatdesk-chat', 'width=420,height=680,resizable=yes,scrollbars=yes');
      if (w) {
        w.focus();
        return;
      }
      // Popup blocked: fall back to the panel.
    }
    if (panel && panel.style.display !== 'none') closePanel();
    else openPanel();
  });

  // The chat page's close button (inside the iframe) asks us to close the panel; the status
  // frame says whether anyone can chat now.
  window.addEventListener('message', function (e) {
    if (e.origin !== chatOrigin || !e.data) return;
    if (e.data.type === 'chatdesk:close') closePanel();
    if (e.data.type === 'chatdesk:availability') {
      button.textContent = e.data.offer === 'chat' ? onlineLabel : offlineLabel;
      button.setAttribute('data-offer', String(e.data.offer));
    }
  });

  function mount() {
    document.body.appendChild(button);
    var status = style(document.createElement('iframe'), {
      position: 'absolute', width: '0', height: '0', border: '0', visibility: 'hidden',
    });
    status.title = 'Chat availability';
    status.setAttribute('aria-hidden', 'true');
    status.tabIndex = -1;
    status.className = 'chatdesk-status';
    status.src = new URL('chat/status.html', script.src).href + (data.group ? '?group=' + encodeURIComponent(data.group) : '');
    document.body.appendChild(status);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
