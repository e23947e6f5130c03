// Hostile text from customers and agents shows as text on both sides and never runs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, PHONE, startBrowser, signIn, openView, row } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '<img src=x onerror="window.__xss=1">';

test('markup in names and messages is shown literally and never executed', async () => {
  const name = `${IMG} ${Math.random().toString(36).slice(2, 6)}`;
  const carol = await browser.newPage(DESKTOP, 'carol');
  await signIn(carol, 'carol');
  await openView(carol, 'queue');

  const customer = await browser.newPage(PHONE, 'customer');
  await customer.goto(`${BASE}/chat/?group=billing&name=${encodeURIComponent(name)}&question=${encodeURIComponent(SCRIPT)}`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position');

  // The hostile name arrives in the agent's queue as text.
  const r = row(carol, name);
  await r.waitFor();
  assert.equal(await r.locator('.user-name').textContent(), name);
  assert.equal(await carol.locator('#chat-table img').count(), 0);
  await r.locator('input[type="checkbox"]').check();
  await carol.click('#tb-pull');
  await carol.waitForSelector('#cv-message');

  await customer.locator('#message').fill(`${SCRIPT} and ${IMG}`);
  await customer.keyboard.press('Enter');
  await carol.locator('#cv-message').fill(`Agent says ${IMG}${SCRIPT}`);
  await carol.keyboard.press('Enter');

  const onAgent = carol.locator('.msg.from-customer .body', { hasText: 'window.__xss=1</script> and <img' });
  await onAgent.waitFor();
  assert.equal(await onAgent.textContent(), `${SCRIPT} and ${IMG}`);
  const onCustomer = customer.locator('.msg.from-agent .body', { hasText: 'Agent says' });
  await onCustomer.waitFor();
  assert.equal(await onCustomer.textContent(), `Agent says ${IMG}${SCRIPT}`);
  assert.equal(await carol.textContent('.cv-name'), name);
  assert.match(await carol.textContent('.cv-question'), /<script>window.__xss=1<\/script>/);

  for (const page of [carol, customer]) {
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('.transcript img, .transcript script, .cv-header img').count(), 0);
  }
  await carol.click('#cv-end');
  await carol.locator('dialog[open] button[value="ok"]').click();
  await customer.waitForSelector('#ended:not([hidden])');
  assert.equal(await customer.evaluate(() => window.__xss), undefined);
  browser.assertNoErrors();
});
