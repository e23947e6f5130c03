// Customer satisfaction: Alice ends a chat, the customer rates it 4 with a comment holding markup
// (text on both sides, never markup), a refusal shows the server's words, the thanks replace the
// form and survive a reload; Alice's transcript and header show the rating, and her Rating column
// (hidden at first, even for a saved layout that does not name it) draws ★★★★☆.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE, DESKTOP, PHONE, rest, startBrowser, signIn, openView, row, screenshot, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

const COMMENT = 'Quick and kind, <b>html</b> stays text';

test('the customer rates an ended chat once; the agent sees the rating in the transcript and the Rating column', async () => {
  const name = uniqueName('Rita');
  const aliceToken = await rest.login('alice');
  const layoutBefore = await rest.get(aliceToken, '/api/preferences');
  const alice = await browser.newPage(DESKTOP, 'alice');
  // A layout saved before the Rating column existed: the console still lists every column.
  await alice.route(/\/api\/preferences$/, async (route) => {
    if (route.request().method() !== 'GET') return route.fallback();
    const res = await route.fetch();
    const prefs = await res.json();
    prefs.columns = prefs.columns.filter((c) => c.column !== 'rating');
    return route.fulfill({ response: res, json: prefs });
  });
  await signIn(alice, 'alice');
  await openView(alice, 'queue');
  assert.equal(await alice.locator('#chat-table th[data-column="rating"]').count(), 0, 'Rating starts hidden');

  // The customer asks; Alice pulls the chat, answers and ends it.
  const customer = await browser.newPage(PHONE, 'customer');
  await customer.goto(`${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&question=${encodeURIComponent('How do I reset my password?')}`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position');
  assert.equal(await customer.isVisible('#rating-form'), false, 'no rating while the chat is open');

  const r = row(alice, name);
  await r.waitFor();
  await r.locator('input[type="checkbox"]').check();
  await alice.click('#tb-pull');
  await alice.waitForSelector('#cv-message');
  await alice.locator('#cv-message').fill('Use "Forgot password" on the sign-in page.');
  await alice.keyboard.press('Enter');
  await customer.waitForSelector('.msg.from-agent .body >> text=Forgot password');
  await alice.click('#cv-end');
  await alice.locator('dialog[open] button[value="ok"]').click();

  // The ended chat offers the rating: five labelled choices, an optional comment, Send.
  await customer.waitForSelector('#ended:not([hidden])');
  await customer.waitForSelector('#rating-form:not([hidden])');
  assert.equal(await customer.isVisible('#rating-thanks'), false);
  const radios = customer.getByRole('radio');
  assert.equal(await radios.count(), 5);
  assert.equal(await customer.getByRole('radio', { name: '1 Poor' }).count(), 1);
  assert.equal(await customer.getByRole('radio', { name: '5 Excellent' }).count(), 1);
  assert.equal(await customer.getAttribute('#rating-comment', 'maxlength'), '2000');

  // Send without a score: the page asks for one and sends nothing.
  await customer.click('#rating-send');
  await customer.waitForSelector('#rating-error:not([hidden])');
  assert.match(await customer.textContent('#rating-error'), /Choose a rating/);

  // A refusal shows the server's message and keeps the form (one refused answer, then the real server).
  await customer.route(/\/api\/chats\/[^/]+\/rating$/, (route) => route.fulfill({
    status: 503, json: { error: 'unavailable', message: 'Ratings are resting for a moment; please try again.' },
  }), { times: 1 });
  await customer.click('label[for="score-4"]');
  assert.equal(await customer.isChecked('#score-4'), true);
  await customer.fill('#rating-comment', COMMENT);
  await screenshot(customer, 'customer-rating-form.png');
  await customer.click('#rating-send');
  await customer.waitForSelector('#rating-error:not([hidden]) >> text=Ratings are resting for a moment; please try again.');
  assert.equal(await customer.isVisible('#rating-form'), true);
  assert.equal(await customer.inputValue('#rating-comment'), COMMENT, 'the comment is kept for another try');
  // That refusal was the test's own: the browser's note about it is expected.
  const unexpected = browser.problems.filter((p) => !(p.startsWith('customer:') && /503/.test(p) && /\/rating/.test(p)));
  assert.deepEqual(unexpected, []);
  browser.problems.length = 0;

  // Sent for real: the thanks with the score replace the form.
  await customer.click('#rating-send');
  await customer.waitForSelector('#rating-thanks:not([hidden])');
  assert.equal(await customer.textContent('#rating-thanks'), 'Thank you for rating this chat: 4 out of 5.');
  assert.equal(await customer.isVisible('#rating-form'), false);
  await customer.waitForSelector('.sys-rated >> text=You rated this chat 4 out of 5.');
  await screenshot(customer, 'customer-rating.png');

  // A reload keeps the thanks, never the form again.
  await customer.reload();
  await customer.waitForSelector('#rating-thanks:not([hidden])');
  assert.match(await customer.textContent('#rating-thanks'), /4 out of 5/);
  assert.equal(await customer.isVisible('#rating-form'), false);
  await customer.waitForSelector('.sys-rated');
  assert.equal(await customer.locator('.sys-rated').count(), 1);
  // The downloaded transcript says so too.
  const [download] = await Promise.all([customer.waitForEvent('download'), customer.click('#download')]);
  assert.match(readFileSync(await download.path(), 'utf8'), /-- You rated this chat 4 out of 5\./);

  // Alice's open chat shows the rating line live, the comment as text, and the stars in the header.
  const line = alice.locator('.transcript .sys-rated');
  await line.waitFor();
  assert.match(await line.textContent(), /The customer rated the chat 4 out of 5: Quick and kind, <b>html<\/b> stays text$/);
  assert.equal(await alice.locator('.transcript b').count(), 0, 'the comment is not markup');
  await alice.waitForSelector('.cv-rating .rating-stars');
  assert.equal(await alice.textContent('.cv-rating .rating-stars'), '★★★★☆');

  // The Rating column: hidden, listed in Visible Fields; turned on it draws the stars.
  await alice.click('.cv-header .back');
  await openView(alice, 'group/support/inactive');
  await row(alice, name).waitFor();
  await alice.click('#view-menu');
  await alice.click('.menu button[data-action="visible-fields"]');
  const dialog = alice.locator('dialog[open]');
  assert.equal(await dialog.locator('label[for="vf-rating"]').textContent(), 'Rating');
  assert.equal(await dialog.locator('#vf-rating').isChecked(), false);
  await dialog.locator('#vf-rating').check();
  await dialog.locator('button[value="ok"]').click();
  await dialog.waitFor({ state: 'detached' });
  await alice.waitForSelector('#chat-table th[data-column="rating"] >> text=Rating');
  const cell = row(alice, name).locator('td[data-column="rating"]');
  assert.equal(await cell.textContent(), '★★★★☆');
  assert.equal(await cell.getAttribute('title'), '4 out of 5');
  assert.equal(await cell.locator('[role="img"]').getAttribute('aria-label'), '4 out of 5');
  // Sortable like the other columns.
  await alice.click('#chat-table th[data-column="rating"] button.sort');
  await alice.waitForSelector('#chat-table th[data-column="rating"][aria-sort="ascending"]');
  await screenshot(alice, 'console-rating-column.png');

  // An unrated chat shows a muted dash.
  const unrated = alice.locator('#chat-table tbody td[data-column="rating"] .rating-none').first();
  if (await unrated.count()) assert.equal(await unrated.evaluate((el) => el.closest('td').title), 'Not rated');

  // Put Alice's layout back (Rating hidden, the usual sort) for the other tests.
  await alice.click('#view-menu');
  await alice.click('.menu button[data-action="visible-fields"]');
  await alice.locator('dialog[open] button[value="reset"]').click();
  await alice.locator('dialog[open] button[value="ok"]').click();
  await alice.waitForSelector('#chat-table th[data-column="rating"]', { state: 'detached' });
  await rest.put(aliceToken, '/api/preferences', layoutBefore);
  browser.assertNoErrors();
});
