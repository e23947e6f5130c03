// Signing in at the deployment's OpenID Connect issuer (in the cloud, the Cognito user pool's
// hosted UI): the OAuth 2.0 authorization code flow with PKCE (S256) as a public client, so no
// client secret ever reaches the browser. The issuer's ID token becomes the agent's bearer token;
// the server verifies it (signature, issuer, audience, expiry) and maps its username to an agent.
//
// Between leaving for the issuer and coming back, `state` and the PKCE verifier wait in
// sessionStorage: only this tab, only this origin, and gone when the tab closes.
//
// ID tokens are short-lived (Cognito's last an hour); the refresh token that comes with them is
// kept in the same tab-scoped storage and redeemed for a new ID token before the old one expires
// (renewal.js schedules it, refreshSignIn below asks the issuer).

import { createHttp } from '../lib/http.js';

const PENDING_KEY = 'chatdesk.oidc.pending';
/** How long a started sign-in may take at the issuer before its callback is refused. */
const PENDING_MAX_AGE_MS = 15 * 60_000;
/** Parameters the issuer adds to the console's address on the way back. */
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'];

export class SignInError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Where the issuer sends the agent back to: the console itself, without query or hash. */
export function redirectUri() {
  return `${location.origin}/console/`;
}

// The configuration is public and read before anyone is signed in: never send a token with it,
// and a 401 here must not end a session.
const publicHttp = createHttp({ getToken: () => null });

let configPromise = null;

/**
 * The issuer's browser sign-in settings from GET /api/auth/config, or null when this deployment
 * has none (or the server predates the route, or answers something unusable): then the console
 * offers password sign-in only, exactly as without the feature.
 */
export function loadSignInConfig() {
  if (!configPromise) {
    configPromise = publicHttp.get('/api/auth/config').then(validConfig, () => null);
  }
  return configPromise;
}

function validConfig(data) {
  const o = data && data.oidc;
  if (!o || typeof o !== 'object') return null;
  const text = (v) => typeof v === 'string' && v.trim() !== '';
  if (!text(o.client_id) || !text(o.authorization_endpoint) || !text(o.token_endpoint)) return null;
  if (!safeEndpoint(o.authorization_endpoint) || !safeEndpoint(o.token_endpoint)) return null;
  const endSession = text(o.end_session_endpoint) && safeEndpoint(o.end_session_endpoint) ? o.end_session_endpoint : null;
  return {
    provider_name: text(o.provider_name) ? o.provider_name.trim() : 'single sign-on',
    client_id: o.client_id,
    authorization_endpoint: o.authorization_endpoint,
    token_endpoint: o.token_endpoint,
    end_session_endpoint: endSession,
    scope: text(o.scope) ? o.scope : 'openid',
  };
}

/** HTTPS, or plain HTTP on this machine only: codes and tokens never cross a network in clear. */
function safeEndpoint(value) {
  let u;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

// ---- leaving for the issuer ---------------------------------------------------------------------

function randomString(bytes) {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return base64url(buf);
}

function base64url(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function challengeOf(verifier) {
  if (!(globalThis.crypto && crypto.subtle)) {
    throw new SignInError('Signing in with the identity provider needs the console to be opened over HTTPS.');
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Sends the browser to the issuer's sign-in page. Only returns by throwing. */
export async function startSignIn(config) {
  const state = randomString(32);
  // 32 random bytes: a 43-character verifier, the shortest RFC 7636 allows and plenty of entropy.
  const verifier = randomString(32);
  const challenge = await challengeOf(verifier);
  const pending = {
    state,
    verifier,
    redirect_uri: redirectUri(),
    client_id: config.client_id,
    token_endpoint: config.token_endpoint,
    end_session_endpoint: config.end_session_endpoint,
    provider_name: config.provider_name,
    // Back to the view the agent was looking at (the issuer drops the hash).
    hash: location.hash,
    created: Date.now(),
  };
  try {
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  } catch {
    throw new SignInError('This browser does not let the console keep data for this tab (session storage), which signing in with the identity provider needs.');
  }
  const url = new URL(config.authorization_endpoint);
  const params = {
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: pending.redirect_uri,
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  location.assign(url.toString());
}

// ---- coming back --------------------------------------------------------------------------------

/** The issuer's answer in the address bar: {code, state} or {error, description}, else null. */
export function readCallback() {
  const p = new URLSearchParams(location.search);
  if (p.has('error')) return { error: p.get('error'), description: p.get('error_description') || '', state: p.get('state') };
  if (p.has('code') || p.has('state')) return { code: p.get('code') || '', state: p.get('state') || '' };
  return null;
}

/** Takes the issuer's parameters out of the address bar, so a reload or a bookmark never replays them. */
export function clearCallback(hash) {
  const u = new URL(location.href);
  for (const k of CALLBACK_PARAMS) u.searchParams.delete(k);
  const search = u.searchParams.toString();
  history.replaceState(null, '', `${u.pathname}${search ? `?${search}` : ''}${hash !== undefined ? hash : u.hash}`);
}

function takePending() {
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null');
    sessionStorage.removeItem(PENDING_KEY);
  } catch {
    pending = null;
  }
  return pending && typeof pending === 'object' ? pending : null;
}

/**
 * Finishes a sign-in from the issuer's callback: checks `state` against the one this tab sent,
 * redeems the code with the PKCE verifier, and answers {token, refresh, username, logoutUrl, hash}
 * (`refresh` is null when the issuer gave no refresh token: the session then ends with the ID token).
 * Nothing is sent anywhere unless the callback belongs to a sign-in started in this tab.
 */
export async function finishSignIn(callback) {
  const pending = takePending();
  if (callback.error) {
    const what = callback.description ? `${callback.description} (${callback.error})` : callback.error;
    throw new SignInError(`The identity provider did not sign you in: ${what}`);
  }
  if (!pending || !pending.verifier || !pending.state) {
    throw new SignInError('This sign-in was not started from this browser tab (or has already been used), so it was not completed. Please sign in again.');
  }
  if (!callback.state || callback.state !== pending.state) {
    throw new SignInError('The identity provider’s answer does not belong to the sign-in started here (state mismatch), so it was ignored. Please sign in again.');
  }
  if (!callback.code) throw new SignInError('The identity provider answered without an authorization code. Please sign in again.');
  if (Date.now() - pending.created > PENDING_MAX_AGE_MS) {
    throw new SignInError('The sign-in took too long and has expired. Please sign in again.');
  }

  // A deployment whose Content-Security-Policy does not list the token endpoint under
  // connect-src fails here for every agent; say so, rather than blaming their connection.
  let blockedByPolicy = false;
  const onViolation = (e) => {
    if (/^connect-src/.test(e.effectiveDirective || e.violatedDirective || '')) blockedByPolicy = true;
  };
  document.addEventListener('securitypolicyviolation', onViolation);
  let reply;
  try {
    reply = await postToTokenEndpoint(pending.token_endpoint, {
      grant_type: 'authorization_code',
      client_id: pending.client_id,
      code: callback.code,
      redirect_uri: pending.redirect_uri,
      code_verifier: pending.verifier,
    });
  } catch {
    // The violation event is dispatched as a task of its own: give it the chance to arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (blockedByPolicy) {
      throw new SignInError(`The console is not allowed to contact the identity provider (${new URL(pending.token_endpoint).origin}): its Content-Security-Policy must list that origin under connect-src. Ask an administrator.`);
    }
    throw new SignInError('Could not reach the identity provider to complete the sign-in. Check your connection and try again.');
  } finally {
    document.removeEventListener('securitypolicyviolation', onViolation);
  }
  const { res, data } = reply;
  if (!res.ok) {
    const code = data && typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
    const text = data && typeof data.error_description === 'string' && data.error_description ? `${data.error_description} (${code})` : code;
    throw new SignInError(`The identity provider refused to complete the sign-in: ${text}`);
  }
  const token = data && typeof data.id_token === 'string' ? data.id_token : '';
  if (!token) throw new SignInError('The identity provider answered without an ID token. Ask an administrator to check that its scope includes “openid”.');
  const refresh = typeof data.refresh_token === 'string' && data.refresh_token
    ? {
      refresh_token: data.refresh_token,
      token_endpoint: pending.token_endpoint,
      client_id: pending.client_id,
      provider_name: typeof pending.provider_name === 'string' && pending.provider_name ? pending.provider_name : 'the identity provider',
      clock_offset_ms: clockOffsetOf(token),
    }
    : null;
  return {
    token,
    refresh,
    username: usernameOf(token),
    logoutUrl: logoutUrlOf(pending),
    hash: typeof pending.hash === 'string' ? pending.hash : '',
  };
}

/** Cognito's logout: it ends the issuer's own session too, then comes back to the console. */
function logoutUrlOf(pending) {
  if (!pending.end_session_endpoint) return null;
  const u = new URL(pending.end_session_endpoint);
  u.searchParams.set('client_id', pending.client_id);
  u.searchParams.set('logout_uri', pending.redirect_uri);
  return u.toString();
}

// ---- renewing -----------------------------------------------------------------------------------

export class RenewalError extends Error {
  /** @param {boolean} final  true when asking again cannot help (the refresh token is refused) */
  constructor(message, { final, code = null }) {
    super(message);
    this.name = 'RenewalError';
    this.final = final;
    this.code = code;
  }
}

/**
 * Redeems the session's refresh token (session.js `getRefresh()`) for a new ID token: answers
 * {token, refreshToken, clockOffsetMs} (refreshToken null when the issuer keeps the old one, as
 * Cognito does unless rotation is on), or throws a RenewalError.
 */
export async function refreshSignIn(refresh) {
  let reply;
  try {
    reply = await postToTokenEndpoint(refresh.token_endpoint, {
      grant_type: 'refresh_token',
      client_id: refresh.client_id,
      refresh_token: refresh.refresh_token,
    });
  } catch {
    throw new RenewalError(`Could not reach ${refresh.provider_name} to renew your sign-in.`, { final: false });
  }
  const { res, data } = reply;
  if (!res.ok) {
    const code = data && typeof data.error === 'string' ? data.error : null;
    // A refused grant (expired, revoked, or a client the issuer no longer knows) stays refused;
    // an overloaded or failing issuer may answer next time.
    const final = (res.status === 400 || res.status === 401) && code !== null && code !== 'slow_down' && code !== 'temporarily_unavailable';
    throw new RenewalError(`${refresh.provider_name} refused to renew your sign-in (${code || `HTTP ${res.status}`}).`, { final, code });
  }
  const token = data && typeof data.id_token === 'string' ? data.id_token : '';
  if (!token || expiryOf(token) === null) {
    throw new RenewalError(`${refresh.provider_name} answered the renewal without a usable ID token.`, { final: true, code: 'no_id_token' });
  }
  return {
    token,
    refreshToken: typeof data.refresh_token === 'string' && data.refresh_token ? data.refresh_token : null,
    clockOffsetMs: clockOffsetOf(token),
  };
}

// ---- the token endpoint -------------------------------------------------------------------------

/**
 * POSTs a form to the issuer's token endpoint: {res, data}, data being the JSON answer or null.
 * Rejects only when no answer arrived (network, or a Content-Security-Policy refusal).
 */
async function postToTokenEndpoint(endpoint, form) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form),
    credentials: 'omit',
    cache: 'no-store',
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null; // not JSON: the status alone tells
  }
  return { res, data };
}

// ---- reading tokens -----------------------------------------------------------------------------

/** The token's claims, read without verifying it (the server does that), or null. */
function claimsOf(idToken) {
  try {
    const part = idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part + '='.repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null; // not a JWT we can read
  }
}

/**
 * The name the issuer knows the agent by, for messages only (the server decides who it is). Read
 * from the token without verifying it, which is fine for showing it back to the same person.
 */
export function usernameOf(idToken) {
  const claims = claimsOf(idToken);
  if (!claims) return null;
  for (const k of ['cognito:username', 'preferred_username', 'username', 'email', 'sub']) {
    if (typeof claims[k] === 'string' && claims[k]) return claims[k];
  }
  return null;
}

/** When the token expires (its `exp`), in milliseconds since the epoch by the issuer's clock, or null. */
export function expiryOf(idToken) {
  const claims = claimsOf(idToken);
  return claims && Number.isFinite(claims.exp) ? claims.exp * 1000 : null;
}

/**
 * How far the issuer's clock is ahead of this computer's, from a token just received (its `iat`
 * is "now" at the issuer). A laptop whose clock is some minutes off would otherwise renew after
 * the token has already expired, or renew over and over.
 */
function clockOffsetOf(idToken) {
  const claims = claimsOf(idToken);
  return claims && Number.isFinite(claims.iat) ? claims.iat * 1000 - Date.now() : 0;
}
