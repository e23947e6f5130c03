// The customer's chat survives a reload of the page (and nothing longer): its id and token live
// in sessionStorage, which belongs to this tab only and is gone when the tab is closed.

const KEY = 'chatdesk.customer.chat';

export function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return s && s.chatId && s.token ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    // Private mode with storage disabled: the chat still works, a reload just starts over.
  }
}

export function clearSession() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* see saveSession */
  }
}
