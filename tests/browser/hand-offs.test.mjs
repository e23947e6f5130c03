// Presence and hand-offs in the console: the header's presence switch (available <-> away, kept
// across a reload, the same as the server says); the Group Settings pane for managers (a save
// that the navigation pane follows, a value the server refuses shown next to its field, nothing
// for agents); and a chat that nobody answers, handed off by the group's short timers from Bob
// to the administrator and then back to the queue at the hand-off limit — told in the console's
// transcript, on the customer's page in their words, as a badge in the list, and as an alert
// to the group's administrator that opens the chat.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, rest, startBrowser, signIn, openView, row, screenshot, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

async function patchMe(token, body) {
  const res = await fetch(`${BASE}/api/me`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

/** A group's settings as PUT wants them (to put back what a test changed). */
async function settingsOf(token, group) {
  const s = await rest.get(token, `/api/groups/${group}/settings`);
  return { distribution: s.distribution, hand_off: s.hand_off };
}

test('the presence switch moves between available and away, as the server sees it', async () => {
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  const token = await rest.login('alice');
  const presence = alice.locator('#availability');
  await alice.waitForSelector('#availability[data-presence="available"]');
  assert.equal(await presence.getAttribute('aria-pressed'), 'true');
  assert.match(await presence.textContent(), /Available/);

  try {
    await presence.click();
    await alice.waitForSelector('#availability[data-presence="away"]');
    assert.equal(await presence.getAttribute('aria-pressed'), 'false');
    assert.match(await presence.textContent(), /Away/);
    await alice.waitForSelector('.toast >> text=You are away');
    assert.equal((await rest.get(token, '/api/me')).presence, 'away');

    // A reload keeps it: the server holds it, not the page.
    await alice.reload();
    await alice.waitForSelector('#conn-status.live');
    await alice.waitForSelector('#availability[data-presence="away"]');

    await presence.click();
    await alice.waitForSelector('#availability[data-presence="available"]');
    assert.equal((await rest.get(token, '/api/me')).presence, 'available');
  } finally {
    await patchMe(token, { available: true });
  }
  await alice.close();
  browser.assertNoErrors();
});

test('managers edit a group\'s distribution and hand-off timers; a refused value is shown at its field', async () => {
  const token = await rest.login('manager');
  const original = await settingsOf(token, 'billing');
  const manager = await browser.newPage(DESKTOP, 'manager');
  try {
    await signIn(manager, 'manager');
    await manager.click('#nav-settings');
    await manager.waitForSelector('#settings-form:not([aria-busy])');
    // Only the manager's own groups are offered.
    const groups = await manager.$$eval('#gs-group option', (os) => os.map((o) => o.value));
    assert.deepEqual(groups.sort(), ['billing', 'support']);
    await manager.selectOption('#gs-group', 'billing');
    await manager.waitForFunction(() => location.hash === '#/settings/billing');
    await manager.waitForSelector('#settings-form:not([aria-busy])');
    assert.equal(await manager.inputValue('#gs-no_first_response_secs'), String(original.hand_off.no_first_response_secs));

    // Each timer reads in words beside its seconds; 0 turns it off.
    await manager.fill('#gs-no_follow_up_secs', '150');
    assert.equal(await manager.textContent('#gs-no_follow_up_secs-reading'), '= 2 min 30 s');
    await manager.fill('#gs-agent_disconnected_secs', '0');
    assert.equal(await manager.textContent('#gs-agent_disconnected_secs-reading'), '= off');
    await manager.check('#gs-distribution-round_robin');
    await manager.fill('#gs-max_hand_offs', '4');
    await manager.click('#settings-save');
    await manager.waitForSelector('#settings-status >> text=Saved.');
    const saved = await rest.get(token, '/api/groups/billing/settings');
    assert.equal(saved.distribution, 'round_robin');
    assert.deepEqual(saved.hand_off, { ...original.hand_off, no_follow_up_secs: 150, agent_disconnected_secs: 0, max_hand_offs: 4 });
    // The navigation pane tags the group without a reload.
    await manager.waitForSelector('#nav .nav-group-toggle:has-text("Billing") .nav-tag >> text=turns');
    await screenshot(manager, 'console-group-settings.png');

    // Out of range: the server refuses, its words show next to the field, the rest stays typed.
    await manager.fill('#gs-max_hand_offs', '25');
    await manager.fill('#gs-no_first_response_secs', '45');
    await manager.click('#settings-save');
    const error = manager.locator('#gs-max_hand_offs-error');
    await error.waitFor();
    assert.match(await error.textContent(), /between 1 and 20/);
    assert.equal(await manager.getAttribute('#gs-max_hand_offs', 'aria-invalid'), 'true');
    assert.equal(await manager.inputValue('#gs-no_first_response_secs'), '45');
    assert.equal(await manager.isVisible('#settings-error'), false);
    assert.equal((await rest.get(token, '/api/groups/billing/settings')).hand_off.max_hand_offs, 4, 'nothing saved');
    // Typing in the field clears its mark.
    await manager.fill('#gs-max_hand_offs', '5');
    assert.equal(await error.isVisible(), false);
    assert.equal(await manager.getAttribute('#gs-max_hand_offs', 'aria-invalid'), null);
    // A number that is not whole never leaves the page.
    await manager.fill('#gs-no_follow_up_secs', '');
    await manager.click('#settings-save');
    await manager.locator('#gs-no_follow_up_secs-error >> text=Enter a whole number.').waitFor();
  } finally {
    await rest.put(token, '/api/groups/billing/settings', original);
  }

  // Agents get no entry, and the address tells them it is not for them.
  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  assert.equal(await alice.locator('#nav-settings').count(), 0);
  await alice.goto(`${BASE}/console/#/settings/support`);
  await alice.locator('#settings-refused').waitFor();
  assert.match(await alice.textContent('#settings-refused'), /Only managers and administrators/);

  await manager.close();
  await alice.close();
  // The 400 for the refused limit was the point of that step.
  const unexpected = browser.problems.filter((p) => !(p.startsWith('manager:') && /400/.test(p) && /\/settings/.test(p)));
  assert.deepEqual(unexpected, []);
  browser.problems.length = 0;
});

test('a chat nobody answers is handed off, then escalated: transcript, customer page, list badge, alert', async () => {
  const adminToken = await rest.login('admin');
  const original = await settingsOf(adminToken, 'sales');
  await patchMe(adminToken, { available: true });
  const name = uniqueName('Hugo <b>');
  try {
    // The administrator has a console open (so the first hand-off can reach them) on Sales.
    const admin = await browser.newPage(DESKTOP, 'admin');
    await signIn(admin, 'admin');
    await openView(admin, 'group/sales');

    const customer = await browser.newPage(PHONE, 'customer');
    await customer.goto(`${BASE}/chat/?group=sales&name=${encodeURIComponent(name)}&question=${encodeURIComponent('Which plan fits a team of five?')}`);
    await customer.click('#form-submit');
    await customer.waitForSelector('#step-suggestions:not([hidden])');
    await customer.click('#continue-chat');
    await customer.waitForSelector('#step-chat:not([hidden])');

    // Bob pulls it and then writes nothing.
    const bob = await browser.newPage(DESKTOP, 'bob');
    await signIn(bob, 'bob');
    const bobToken = await rest.login('bob');
    const queue = await rest.get(bobToken, '/api/chats?view=queue');
    const chat = queue.rows.find((r) => r.user === name);
    assert.ok(chat, 'the chat is in Bob\'s queue');
    await rest.action(bobToken, 'pull', { chat_ids: [chat.id] });
    // Then Sales (Bob and the administrator) hands chats out, with two seconds to greet a
    // customer and two hand-offs at most. (Set after the pull: an automatic group would have
    // given the waiting chat to either of them.)
    await rest.put(adminToken, '/api/groups/sales/settings', {
      distribution: 'automatic',
      hand_off: { no_first_response_secs: 2, no_follow_up_secs: 0, agent_disconnected_secs: 0, max_hand_offs: 2 },
    });
    await bob.goto(`${BASE}/console/#/chat/${chat.id}`);
    await bob.waitForSelector('.sys-assigned');

    // Two seconds later (the sweep runs every 250 ms) it goes to the administrator...
    const first = bob.locator('.transcript .sys-handed_off').first();
    await first.waitFor({ timeout: 15_000 });
    assert.match(await first.textContent(), /Handed off from Bob to Ada \(Admin\): no first response within the group's time\./);
    await customer.waitForSelector('.sys-handed_off >> text=Your chat has been passed to Ada (Admin).');
    await customer.waitForSelector('.agent-name >> text=Ada (Admin)');
    // Bob may no longer write in it.
    await bob.waitForSelector('.composer-note >> text=Ada (Admin) is handling this chat.');

    // ... who does not answer either: the second hand-off is the group's last, back to the queue.
    const alert = admin.locator('.toast-alert', { hasText: name });
    await alert.waitFor({ timeout: 15_000 });
    assert.match(await alert.textContent(), /handed off 2 times without an answer and now waits in the queue for a person/);
    const second = bob.locator('.transcript .sys-handed_off').nth(1);
    await second.waitFor();
    assert.match(await second.textContent(),
      /Handed off from Ada \(Admin\) back to the queue: no first response within the group's time; it reached the group's hand-off limit and is waiting for a person\./);
    await customer.waitForSelector('.sys-handed_off >> text=You are back in the queue; the next available agent will be with you.');
    await customer.waitForSelector('#chat-status >> text=Waiting for an agent.');

    // The Sales list marks the chat (its name, with its <b>, as text): two hand-offs, escalated.
    const badge = row(admin, name).locator('.hand-off-badge');
    await badge.waitFor();
    assert.equal(await badge.textContent(), '↷2!');
    assert.match(await badge.getAttribute('aria-label'), /Handed off 2 times\. Reached its group's hand-off limit/);
    assert.match(await row(admin, name).getAttribute('class'), /\bescalated\b/);
    await screenshot(admin, 'console-hand-off-alert.png');

    // The alert opens the chat, whose transcript tells the whole story.
    await alert.locator('.toast-action').click();
    await admin.waitForFunction((id) => location.hash === `#/chat/${id}`, chat.id);
    await admin.waitForSelector('.cv-facts .escalated-tag');
    assert.match(await admin.textContent('.cv-facts'), /Handed off 2 times/);
    assert.equal(await admin.locator('.transcript .sys-handed_off').count(), 2);
    assert.equal(await alert.count(), 0, 'the alert closed');
    await screenshot(admin, 'console-chat-hand-offs.png');
    await screenshot(customer, 'customer-hand-offs.png');
  } finally {
    await rest.put(adminToken, '/api/groups/sales/settings', original);
  }
  browser.assertNoErrors();
});
