// Loaded by the website widget (web/embed.js) in a hidden frame: tells the page embedding it
// whether anyone can chat now, so its button says "Chat with us" or "Leave us a message" before
// the customer opens it. A frame of the chat server's own origin reads GET /api/groups without
// any CORS grant; what it posts is public (the group's offer), so any parent may receive it.
//   ?group=ID  the widget's group; without it, open when any group offers a chat.

import { loadGroups } from './api.js';
import { availabilityOf } from './availability.js';

async function report() {
  const group = new URLSearchParams(location.search).get('group') || '';
  const groups = await loadGroups();
  let offer = 'chat';
  if (group) {
    const a = availabilityOf(groups, group);
    if (a) offer = a.offer;
  } else if (groups.length && groups.every((g) => g.availability && g.availability.offer !== 'chat')) {
    offer = groups.some((g) => g.availability.offer === 'choose') ? 'choose' : 'message';
  }
  window.parent.postMessage({ type: 'chatdesk:availability', offer }, '*');
}

report();
