// The agent's sign-in token. sessionStorage: a reload keeps the agent signed in, closing the tab
// signs them out, and two tabs can hold two different agents (handy for supervisors and tests).
// Both sign-ins keep their token here: chatdesk's own (password) and the identity provider's ID
// token; the latter also remembers the provider's logout address for signing out there too.

const KEY = 'chatdesk.agent.token';
const LOGOUT_KEY = 'chatdesk.agent.logout';

export function getToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/**
 * @param {string|null} token  null signs out (and forgets the provider's logout address)
 * @param {{logoutUrl?: string|null}} [opts]  where signing out continues, for the identity
 *   provider's sessions
 */
export function setToken(token, { logoutUrl = null } = {}) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
    if (token && logoutUrl) sessionStorage.setItem(LOGOUT_KEY, logoutUrl);
    else sessionStorage.removeItem(LOGOUT_KEY);
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
