// Business hours as customers see them before typing: a group closed right now (a holiday today)
// shows its offline notice and no way to start a chat, on the chat page and on the website
// widget's button; a group that lets the customer choose offers both; and when its manager
// changes the hours in the console's Group Settings, the page shows the chat form on reload.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, rest, startBrowser, signIn, screenshot } from './helpers.mjs';

let browser;
// The widget's host page is served by the test itself: as in widgets.test.mjs, Chromium's Local
// Network Access checks would refuse it the chat server's loopback address.
before(async () => { browser = await startBrowser({ extraArgs: ['--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights'] }); });
after(async () => { await browser.close(); });

const DAY_MS = 86_400_000;
const ALL_DAY = [{ start: '00:00', end: '24:00' }];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Today and tomorrow in UTC: a holiday on both is closed now even across midnight. */
function todayAndTomorrow() {
  const now = Date.now();
  return [now, now + DAY_MS].map((t) => new Date(t).toISOString().slice(0, 10));
}

async function putSettings(token, group, extra) {
  const current = await rest.get(token, `/api/groups/${group}/settings`);
  return rest.put(token, `/api/groups/${group}/settings`, {
    distribution: current.distribution,
    hand_off: current.hand_off,
    ...extra,
  });
}

async function widgetOn(page, group) {
  const shop = new URL(BASE);
  shop.hostname = shop.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  shop.pathname = '/shop-with-hours/';
  await page.route(`${shop.href}**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><title>Shop</title></head><body><h1>Our shop</h1>
      <script src="${BASE}/embed.js" data-group="${group}" async></script></body></html>`,
  }));
  await page.goto(shop.href);
  return page.locator('button.chatdesk-launcher');
}

test('a closed group shows its notice and no chat start; a manager reopens it in the console', async () => {
  const admin = await rest.login('admin');
  const manager = await rest.login('manager');
  const desk = await browser.newPage(DESKTOP, 'manager-console');
  try {
    // The manager is at work (console open, available): only the hours can close Billing.
    await signIn(desk, 'manager');
    await fetch(`${BASE}/api/me`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}` },
      body: JSON.stringify({ available: true }),
    });
    const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, ALL_DAY]));
    await putSettings(admin, 'billing', {
      business_hours: { time_zone: 'UTC', weekly, holidays: todayAndTomorrow() },
      offline: { when_closed_or_unstaffed: 'message_only', queue_wait_limit_secs: null },
    });

    // The chat page: the notice and "Leave a message", no question form, no "Start a chat".
    const customer = await browser.newPage(DESKTOP, 'customer');
    await customer.goto(`${BASE}/chat/?group=billing`);
    await customer.waitForSelector('#group-availability:not([hidden])');
    assert.match(await customer.textContent('#offline-notice'), /Leave us a message/);
    assert.equal(await customer.isVisible('#choose-chat'), false);
    assert.equal(await customer.isVisible('#chat-fields'), false);
    assert.equal(await customer.isVisible('#form-submit'), false);
    assert.equal(await customer.isVisible('#next-open'), true, 'it opens after the holidays');
    await screenshot(customer, 'chat-closed.png');
    await customer.click('#choose-message');
    await customer.waitForSelector('#leave-message:not([hidden])');
    assert.equal(await customer.isVisible('#lm-email'), true);
    assert.equal(await customer.isVisible('#lm-submit'), true);

    // The widget's button says so before the customer opens it.
    const shop = await browser.newPage(DESKTOP, 'shop');
    let launcher = await widgetOn(shop, 'billing');
    await shop.waitForSelector('button.chatdesk-launcher[data-offer="message"]');
    assert.equal(await launcher.textContent(), 'Leave us a message');

    // Letting the customer choose: both buttons; "Start a chat" opens the question form.
    await putSettings(admin, 'billing', { offline: { when_closed_or_unstaffed: 'choose_wait_or_message', queue_wait_limit_secs: null } });
    await customer.goto(`${BASE}/chat/?group=billing`);
    await customer.waitForSelector('#group-availability:not([hidden])');
    assert.equal(await customer.isVisible('#choose-chat'), true);
    assert.equal(await customer.isVisible('#choose-message'), true);
    await customer.click('#choose-chat');
    await customer.waitForSelector('#chat-fields:not([hidden])');
    assert.equal(await customer.isVisible('#group-availability'), false);

    // The manager removes the holidays in Group Settings; the page shows the form on reload.
    await desk.goto(`${BASE}/console/#/settings/billing`);
    await desk.waitForSelector('#settings-form:not([aria-busy])');
    await desk.waitForFunction(() => document.querySelector('#gs-holidays').value !== '');
    assert.equal(await desk.isChecked('#gs-hours-on'), true);
    assert.equal(await desk.inputValue('#gs-time-zone'), 'UTC');
    assert.equal(await desk.inputValue('#gs-hours-monday'), '00:00-24:00');
    // A malformed day is named next to the hours, and nothing is sent.
    await desk.fill('#gs-hours-tuesday', '9 to 5');
    await desk.click('#settings-save');
    assert.match(await desk.textContent('#gs-weekly-error'), /tuesday/);
    await desk.fill('#gs-hours-tuesday', '00:00-24:00');
    await desk.fill('#gs-holidays', '');
    await desk.click('#settings-save');
    await desk.waitForSelector('#settings-status >> text=Saved.');
    const saved = await rest.get(manager, '/api/groups/billing/settings');
    assert.deepEqual(saved.business_hours.holidays, []);

    await customer.goto(`${BASE}/chat/?group=billing`);
    await customer.waitForSelector('#step-form:not([hidden])');
    assert.equal(await customer.isVisible('#chat-fields'), true);
    assert.equal(await customer.isVisible('#group-availability'), false);
    launcher = await widgetOn(shop, 'billing');
    await shop.waitForSelector('button.chatdesk-launcher[data-offer="chat"]');
    assert.equal(await launcher.textContent(), 'Chat with us');
    browser.assertNoErrors();
  } finally {
    await putSettings(admin, 'billing', {
      business_hours: null,
      offline: { when_closed_or_unstaffed: 'choose_wait_or_message', queue_wait_limit_secs: null },
    });
  }
});
