// The website widget (web/embed.js) on somebody else's page, and the link builder.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, startBrowser } from './helpers.mjs';

let browser;
// The host page is served by the test itself (no address space), and Chromium's Local Network
// Access checks would refuse it the chat server's loopback address: off for this file only.
before(async () => { browser = await startBrowser({ extraArgs: ['--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights'] }); });
after(async () => { await browser.close(); });

test('embed.js adds a "Chat with us" button that opens the prefilled chat in a panel', async () => {
  const page = await browser.newPage(DESKTOP, 'shop');
  // A website on another origin, with the one-line snippet. (A loopback name, because Chromium
  // blocks public sites from loading scripts off loopback addresses: Private Network Access.)
  const shop = new URL(BASE);
  shop.hostname = shop.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  shop.pathname = '/shop-under-test/';
  await page.route(`${shop.href}**`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><title>Shop</title></head><body><h1>Our shop</h1>
      <script src="${BASE}/embed.js" data-group="support" data-name="Ivy" data-label="Need help?" async></script>
      </body></html>`,
  }));
  await page.goto(shop.href);
  const launcher = page.locator('button.chatdesk-launcher');
  await launcher.waitFor();
  assert.equal(await launcher.textContent(), 'Need help?');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');

  await launcher.click();
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  const frame = page.frameLocator('.chatdesk-panel iframe');
  await frame.locator('#step-form:not([hidden])').waitFor();
  assert.equal(await frame.locator('#name').inputValue(), 'Ivy');
  assert.match(await frame.locator('#group-fixed').textContent(), /Support/);

  // The close button inside the chat closes the panel on the host page.
  await frame.locator('#close-embed').click();
  await page.waitForFunction(() => document.querySelector('.chatdesk-panel').style.display === 'none');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  browser.assertNoErrors();
});

test('the link builder builds a customised link and the widget snippet', async () => {
  const page = await browser.newPage(DESKTOP, 'builder');
  await page.goto(`${BASE}/chat/link-builder.html`);
  await page.waitForSelector('body[data-ready]');
  await page.fill('#b-group', 'billing');
  await page.fill('#b-name', 'Zoë "Z" <Lee>');
  await page.fill('#b-question', 'Invoice & refund?');
  await page.selectOption('#b-mode', 'popup');
  const link = await page.inputValue('#out-link');
  const url = new URL(link);
  assert.equal(url.pathname, '/chat/');
  assert.equal(url.searchParams.get('group'), 'billing');
  assert.equal(url.searchParams.get('name'), 'Zoë "Z" <Lee>');
  assert.equal(url.searchParams.get('question'), 'Invoice & refund?');
  const snippet = await page.inputValue('#out-snippet');
  assert.equal(snippet, `<script src="${BASE}/embed.js" data-group="billing" data-name="Zoë &quot;Z&quot; &lt;Lee&gt;" data-question="Invoice &amp; refund?" data-mode="popup" async></script>`);

  // The link opens the chat page prefilled.
  const chat = await browser.newPage(DESKTOP, 'from-link');
  await chat.goto(link);
  assert.equal(await chat.inputValue('#name'), 'Zoë "Z" <Lee>');
  assert.equal(await chat.inputValue('#question'), 'Invoice & refund?');
  assert.match(await chat.textContent('#group-fixed'), /Billing/);
  browser.assertNoErrors();
});

test('without a group in the link the customer chooses a department, and the form says what is missing', async () => {
  const page = await browser.newPage({ width: 390, height: 844 }, 'plain-link');
  await page.goto(`${BASE}/chat/`);
  await page.waitForSelector('#step-form:not([hidden])');
  assert.equal(await page.isVisible('#group'), true);
  const options = await page.$$eval('#group option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(options.sort(), ['billing', 'sales', 'support']);
  await page.click('#form-submit');
  assert.match(await page.textContent('#form-error'), /choose a department/i);
  await page.selectOption('#group', 'sales');
  await page.click('#form-submit');
  assert.match(await page.textContent('#form-error'), /your name/i);
  assert.equal(await page.getAttribute('#name', 'aria-invalid'), 'true');
  await page.fill('#name', 'Rae');
  await page.fill('#question', 'Do you ship abroad?');
  await page.click('#form-submit');
  await page.waitForSelector('#step-suggestions:not([hidden])');
  // "Change my question" goes back with everything kept.
  await page.click('#edit-question');
  assert.equal(await page.inputValue('#question'), 'Do you ship abroad?');
  assert.equal(await page.inputValue('#group'), 'sales');
  browser.assertNoErrors();
});
