// One WebSocket per tab (docs/websocket-protocol.md), kept open for as long as the page lives.
// Reconnects with exponential backoff and jitter; after every (re)connect the owner is told so it
// can `resume` its chats with the last seq it applied. Pings keep idle connections open (API
// Gateway closes them after 10 idle minutes) and detect dead ones that never report a close.

const PING_EVERY_MS = 25_000;
const DEAD_AFTER_MS = 60_000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15_000;

export function wsUrl(token) {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

export class Socket {
  /**
   * @param {object} o
   * @param {() => string} o.url             computed at each attempt (the token may change)
   * @param {(frame: object) => void} o.onFrame
   * @param {(status: 'connecting'|'open'|'closed') => void} [o.onStatus]
   * @param {() => void} [o.onOpen]        after each successful (re)connect
   * @param {(failures: number) => void} [o.onFailure]  consecutive failed attempts (to check the token)
   */
  constructor({ url, onFrame, onStatus, onOpen, onFailure }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onStatus = onStatus || (() => {});
    this.onOpen = onOpen || (() => {});
    this.onFailure = onFailure || (() => {});
    this.ws = null;
    this.stopped = true;
    this.failures = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
    this.status = 'closed';
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    // Reconnect at once when the network or the tab comes back, instead of waiting the backoff.
    this._online = () => this._kick();
    this._visible = () => { if (document.visibilityState === 'visible') this._kick(); };
    window.addEventListener('online', this._online);
    document.addEventListener('visibilitychange', this._visible);
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    window.removeEventListener('online', this._online);
    document.removeEventListener('visibilitychange', this._visible);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close(1000, 'bye');
    }
    this._setStatus('closed');
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a frame if the socket is open; returns whether it was handed to the socket. */
  send(frame) {
    if (!this.isOpen) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  _kick() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this._connect();
  }

  _setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }

  _connect() {
    if (this.stopped) return;
    this._setStatus('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this._scheduleRetry();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.failures = 0;
      this.lastHeard = Date.now();
      this._setStatus('open');
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this._heartbeat(), PING_EVERY_MS);
      this.onOpen();
    };
    ws.onmessage = (msg) => {
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return; // not ours to interpret; the protocol only sends JSON objects
      }
      if (frame && frame.type !== 'pong') this.onFrame(frame);
    };
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.ws === ws) this.ws = null;
      if (!opened) {
        this.failures += 1;
        this.onFailure(this.failures);
      }
      this._setStatus(this.stopped ? 'closed' : 'connecting');
      this._scheduleRetry();
    };
    ws.onerror = () => {
      // onclose follows and handles the retry; nothing to add here.
    };
  }

  _heartbeat() {
    if (!this.isOpen) return;
    if (Date.now() - this.lastHeard > DEAD_AFTER_MS) {
      // Half-open connection (laptop slept, NAT dropped it): force a reconnect.
      this.ws.close(4000, 'no answer to ping');
      return;
    }
    this.send({ action: 'ping' });
  }

  _scheduleRetry() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(this.failures, 6));
    // Full jitter keeps a thousand tabs from reconnecting in the same instant after a restart.
    const delay = this.failures === 0 ? BACKOFF_MIN_MS : Math.round(exp / 2 + Math.random() * (exp / 2));
    this.retryTimer = setTimeout(() => this._connect(), delay);
  }
}
