// The agent's sign-in token. sessionStorage: a reload keeps the agent signed in, closing the tab
// signs them out, and two tabs can hold two different agents (handy for supervisors and tests).

const KEY = 'chatdesk.agent.token';

export function getToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the agent signs in again after a reload */
  }
}
