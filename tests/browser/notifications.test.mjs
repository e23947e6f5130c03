// Notifications (issue 15): the console tells an agent of a new chat in their queue, of a chat
// given to them and of a customer's message in a chat that is not on screen — as a desktop
// notification (permission granted here), in the tab title and beside My Active — and not of a
// message in the chat they are looking at. What it tells of is the agent's setting.
//
// The page's Notification is wrapped to record each notification the console shows (the real one
// is still created).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, openView, rest, row, signIn, startBrowser, uniqueName } from './helpers.mjs';

let browser;
before(async () => {
  browser = await startBrowser();
  await browser.context.grantPermissions(['notifications'], { origin: BASE });
});
after(async () => { await browser.close(); });

function recordNotifications(page) {
  return page.addInitScript(() => {
    const Real = window.Notification;
    window.shownNotifications = [];
    window.Notification = class extends Real {
      constructor(title, options = {}) {
        super(title, options);
        window.shownNotifications.push({ title, body: options.body || '', tag: options.tag || '' });
      }
    };
  });
}

const shown = (page) => page.evaluate(() => window.shownNotifications);

async function waitForNotification(page, tag) {
  await page.waitForFunction((t) => window.shownNotifications.some((n) => n.tag === t), tag);
  return (await shown(page)).find((n) => n.tag === tag);
}

test('an agent hears of new chats, chats given to them and unread messages, not of the chat on screen', async () => {
  const carol = await rest.login('carol');
  const alice = await rest.login('alice');
  const names = { open: uniqueName('Onscreen'), waiting: uniqueName('Newcomer'), given: uniqueName('Given'), quiet: uniqueName('Quiet') };
  const mine = [];
  try {
    // A chat of Carol's, started and pulled before her console opens.
    const open = await rest.startChat('support', names.open, 'My printer jams');
    await rest.action(carol, 'pull', { chat_ids: [open.chat.id] });
    mine.push(open);

    const page = await browser.newPage(DESKTOP, 'carol');
    await recordNotifications(page);
    await signIn(page, 'carol');
    await page.evaluate((id) => { location.hash = `#/chat/${id}`; }, open.chat.id);
    await page.waitForSelector('.transcript');

    // A message in the chat on screen: read as it arrives, no notification.
    await rest.send(open.token, open.chat.id, 'Still jamming, page 3');
    await page.locator('.transcript', { hasText: 'Still jamming, page 3' }).waitFor();

    // A new chat waits in Support: a notification naming the customer and the question.
    const waiting = await rest.startChat('support', names.waiting, 'Can I change my plan?');
    mine.push(waiting);
    const queued = await waitForNotification(page, `queued-${waiting.chat.id}`);
    assert.match(queued.title, /New chat waiting in Support/);
    assert.match(queued.body, new RegExp(`${names.waiting}: Can I change my plan\\?`));

    // Alice hands Carol a chat: it was given to her.
    const given = await rest.startChat('support', names.given, 'Refund please');
    mine.push(given);
    await rest.action(alice, 'pull', { chat_ids: [given.chat.id] });
    await rest.action(alice, 'transfer', { chat_ids: [given.chat.id], to: { kind: 'agent', agent_id: 'carol' } });
    const assigned = await waitForNotification(page, `assigned-${given.chat.id}`);
    assert.match(assigned.title, new RegExp(`${names.given}'s chat was given to you`));

    // Its customer writes while Carol still looks at the first chat: unread, and told.
    await rest.send(given.token, given.chat.id, 'Hello? Anyone?');
    const message = await waitForNotification(page, `message-${given.chat.id}`);
    assert.match(message.title, new RegExp(`New message from ${names.given}`));
    await page.waitForFunction(() => document.querySelector('#unread-count').textContent === '1');
    assert.match(await page.title(), /^\(1 unread/);
    assert.equal(await page.getAttribute('#unread-count', 'aria-label'), '1 unread');

    // Nothing was ever shown for the chat on screen.
    assert.deepEqual((await shown(page)).filter((n) => n.tag === `message-${open.chat.id}`), []);

    // Opening the chat reads it: the counts go.
    await page.evaluate((id) => { location.hash = `#/chat/${id}`; }, given.chat.id);
    await page.locator('.transcript', { hasText: 'Hello? Anyone?' }).waitFor();
    await page.waitForFunction(() => document.querySelector('#unread-count').hidden);
    assert.doesNotMatch(await page.title(), /unread/);

    // Carol turns new-chat notifications off (the bell): the next waiting chat is not announced,
    // and the setting is hers on the server.
    await page.click('#notify-settings');
    await page.uncheck('#notify-new_chats');
    await page.click('.notify-dialog button[value="save"]');
    await page.waitForSelector('.notify-dialog', { state: 'detached' });
    const prefs = await rest.get(carol, '/api/preferences');
    assert.equal(prefs.notifications.new_chats, false);
    assert.equal(prefs.notifications.messages, true);
    const quiet = await rest.startChat('support', names.quiet, 'Just browsing');
    mine.push(quiet);
    // A message to Carol's first chat shows the console is listening by the time it would have told.
    await page.evaluate((id) => { location.hash = `#/chat/${id}`; }, open.chat.id);
    await page.locator('.transcript', { hasText: 'Still jamming' }).waitFor();
    await rest.send(given.token, given.chat.id, 'Are you there?');
    await page.waitForFunction((t) => window.shownNotifications.filter((n) => n.tag === t).length === 2, `message-${given.chat.id}`);
    await page.waitForFunction(() => document.querySelector('#unread-count').textContent === '1');
    assert.deepEqual((await shown(page)).filter((n) => n.tag === `queued-${quiet.chat.id}`), []);
    // In My Active the chat with the unread message stands out.
    await openView(page, 'my_active');
    await row(page, names.given).and(page.locator('.unread')).waitFor();
    assert.equal(await row(page, names.open).evaluate((tr) => tr.classList.contains('unread')), false);

    // Back on: the settings are restored for the tests that follow.
    await rest.put(carol, '/api/preferences', { ...prefs, notifications: { ...prefs.notifications, new_chats: true } });
    browser.assertNoErrors();
  } finally {
    for (const c of mine) {
      await rest.post(c.token, `/api/chats/${c.chat.id}/end`, {}).catch(() => {});
    }
  }
});
