// The agent's sign-in token. sessionStorage: a reload keeps the agent signed in, closing the tab
// signs them out, and two tabs can hold two different agents (handy for supervisors and tests).
// Both sign-ins keep their token here: chatdesk's own (password) and the identity provider's ID
// token; the latter also remembers the provider's logout address for signing out there too, and
// its refresh token (with where to redeem it), which renews the ID token before it expires.

const KEY = 'chatdesk.agent.token';
const LOGOUT_KEY = 'chatdesk.agent.logout';
const REFRESH_KEY = 'chatdesk.agent.refresh';

export function getToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/**
 * @param {string|null} token  null signs out (and forgets the provider's logout address and
 *   refresh token)
 * @param {{logoutUrl?: string|null, refresh?: Refresh|null}} [opts]  where signing out continues,
 *   and how the token is renewed, for the identity provider's sessions
 *
 * @typedef {{refresh_token: string, token_endpoint: string, client_id: string, provider_name: string,
 *   clock_offset_ms: number}} Refresh  clock_offset_ms: how far the issuer's clock is ahead of this one
 */
export function setToken(token, { logoutUrl = null, refresh = null } = {}) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
    if (token && logoutUrl) sessionStorage.setItem(LOGOUT_KEY, logoutUrl);
    else sessionStorage.removeItem(LOGOUT_KEY);
    if (token && refresh) sessionStorage.setItem(REFRESH_KEY, JSON.stringify(refresh));
    else sessionStorage.removeItem(REFRESH_KEY);
  } catch {
    /* storage disabled: the agent signs in again after a reload */
  }
}

/** The identity provider's logout address of the current session, if it came from there. */
export function getLogoutUrl() {
  try {
    return sessionStorage.getItem(LOGOUT_KEY);
  } catch {
    return null;
  }
}

/** How the current session's token is renewed, when it came from the identity provider with a refresh token. */
export function getRefresh() {
  let r = null;
  try {
    r = JSON.parse(sessionStorage.getItem(REFRESH_KEY) || 'null');
  } catch {
    return null;
  }
  const text = (v) => typeof v === 'string' && v !== '';
  return r && text(r.refresh_token) && text(r.token_endpoint) && text(r.client_id) ? r : null;
}

/**
 * Replaces the token with its renewal, keeping the rest of the session; a provider that rotates
 * refresh tokens also hands over the next one.
 * @param {{refreshToken?: string|null, clockOffsetMs?: number}} [opts]
 */
export function renewToken(token, { refreshToken = null, clockOffsetMs = 0 } = {}) {
  const refresh = getRefresh();
  if (!refresh) return;
  try {
    sessionStorage.setItem(KEY, token);
    const next = { ...refresh, clock_offset_ms: clockOffsetMs };
    if (refreshToken) next.refresh_token = refreshToken;
    sessionStorage.setItem(REFRESH_KEY, JSON.stringify(next));
  } catch {
    /* storage disabled: the agent signs in again after a reload */
  }
}
