// Keeps a sign-in at the identity provider going for a working day. Its ID token is the agent's
// bearer token and expires after an hour (Cognito's default); the refresh token that came with
// it is redeemed for a new one shortly before that, again and again, until the provider refuses
// the refresh token (it expired or was revoked): then the agent signs in again.
//
// Nothing else has to know: every REST call and every WebSocket (re)connect reads the current
// token from session.js when it starts, so requests in flight finish with the token they were
// sent with and an open WebSocket stays open (the server checks the token only at connect).
// Password sign-ins have no refresh token and are left alone (their tokens last 12 hours).

import { RenewalError, expiryOf, refreshSignIn } from './oidc.js';
import { getRefresh, getToken, renewToken } from './session.js';

/** Renew this long before the token expires (or halfway through, for a token shorter than twice this). */
const LEAD_MS = 5 * 60_000;
/** Never sooner than this from now, so a token that arrives (nearly) expired is not renewed in a tight loop. */
const MIN_DELAY_MS = 5_000;
/** Never later than this: timers overflow (and fire at once) beyond 2^31 ms, about 24.8 days. */
const MAX_DELAY_MS = 24 * 3600_000;
/** Backoff between attempts that failed for a reason that may pass (network, an issuer error). */
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 60_000;
/** A renewal that has failed this many times in a row ends the session once the token has expired. */
const TRIES_AFTER_EXPIRY = 3;

/** Milliseconds from `now` until a token expiring at `expiresAt` is due for renewal (≤ 0: now). */
export function renewalDelay(expiresAt, now) {
  const remaining = expiresAt - now;
  return remaining - Math.max(0, Math.min(LEAD_MS, remaining / 2));
}

export class Renewal {
  /** @param {{onEnded: (message: string) => void}} o  signs the agent out with the message */
  constructor({ onEnded }) {
    this.onEnded = onEnded;
    this.timer = null;
    /** When the scheduled renewal is due (this computer's clock), or null. */
    this.dueAt = null;
    this.running = null;
    this.wakeUp = null;
    this.listening = false;
    this.stopped = false;
  }

  /** The issuer's "now", by this computer's clock corrected by the offset seen at the last token. */
  _issuerNow() {
    const refresh = getRefresh();
    const offset = refresh && Number.isFinite(refresh.clock_offset_ms) ? refresh.clock_offset_ms : 0;
    return Date.now() + offset;
  }

  _expiry() {
    return expiryOf(getToken() || '');
  }

  /** Whether this tab's session renews at all and its token is due (or past due) now. */
  isDue() {
    if (!getRefresh()) return false;
    const exp = this._expiry();
    return exp !== null && renewalDelay(exp, this._issuerNow()) <= MIN_DELAY_MS;
  }

  /** Whether the token has expired (or is within seconds of it), so that requests with it fail. */
  isExpired(marginMs = 0) {
    const exp = this._expiry();
    return exp === null || exp - marginMs <= this._issuerNow();
  }

  /** Starts renewing, for a session from the identity provider with a refresh token. */
  start() {
    if (!getRefresh()) return;
    this.stopped = false;
    if (!this.listening) {
      this.listening = true;
      // A tab asleep past its renewal (a laptop lid closed over lunch) renews as soon as it is
      // seen again, rather than whenever the delayed timer gets round to it; a renewal waiting
      // out a failure retries at once when the network or the tab comes back.
      this._visible = () => { if (document.visibilityState === 'visible') this._nudge(); };
      this._online = () => this._nudge();
      document.addEventListener('visibilitychange', this._visible);
      window.addEventListener('online', this._online);
    }
    if (!this.running) this._schedule();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.dueAt = null;
    if (this.listening) {
      document.removeEventListener('visibilitychange', this._visible);
      window.removeEventListener('online', this._online);
      this.listening = false;
    }
    if (this.wakeUp) this.wakeUp();
  }

  _nudge() {
    if (this.stopped) return;
    if (this.wakeUp) this.wakeUp();
    else if (!this.running && this.dueAt !== null && Date.now() >= this.dueAt) this.renew();
  }

  _schedule() {
    clearTimeout(this.timer);
    this.dueAt = null;
    const exp = this._expiry();
    // A token without a readable expiry is left to the server: its 401 ends the session.
    if (this.stopped || exp === null || !getRefresh()) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, renewalDelay(exp, this._issuerNow())));
    this.dueAt = Date.now() + delay;
    this.timer = setTimeout(() => this.renew(), delay);
  }

  /**
   * Renews now (one renewal at a time; a second call joins the first). Resolves 'renewed',
   * 'ended' (the agent has been signed out) or 'stopped' (signed out meanwhile).
   */
  renew() {
    if (!this.running) this.running = this._run().finally(() => { this.running = null; });
    return this.running;
  }

  async _run() {
    clearTimeout(this.timer);
    this.dueAt = null;
    let failures = 0;
    for (;;) {
      const refresh = getRefresh();
      if (this.stopped || !refresh) return 'stopped';
      let error;
      try {
        const renewed = await refreshSignIn(refresh);
        const current = getRefresh();
        // Signed out, or signed in afresh, while the answer was on its way: it belongs to no one.
        if (this.stopped || !current || current.refresh_token !== refresh.refresh_token) return 'stopped';
        renewToken(renewed.token, { refreshToken: renewed.refreshToken, clockOffsetMs: renewed.clockOffsetMs });
        this._schedule();
        return 'renewed';
      } catch (e) {
        error = e instanceof RenewalError ? e : new RenewalError(`Could not renew your sign-in at ${refresh.provider_name}.`, { final: false });
      }
      if (this.stopped) return 'stopped';
      failures += 1;
      if (error.final) return this._end(error, refresh);
      // While the token is still good the agent keeps working and the renewal keeps trying;
      // once it has expired, a few more tries and then the agent is asked to sign in again.
      if (this.isExpired() && failures >= TRIES_AFTER_EXPIRY) return this._end(error, refresh);
      console.warn(`${error.message} Trying again.`);
      await this._wait(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1)));
    }
  }

  _wait(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  _end(error, refresh) {
    this.stop();
    const message = error.code === 'invalid_grant'
      ? `Your sign-in at ${refresh.provider_name} has expired; sign in again.`
      : `${error.message} Your sign-in has ended; sign in again.`;
    this.onEnded(message);
    return 'ended';
  }
}
