// The website widget (web/embed.js) on somebody else's page, and the link builder.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, startBrowser } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

test('embed.js adds a "Chat with us" button that opens the prefilled chat in a panel', async () => {
  const page = await browser.newPage(DESKTOP, 'shop');
  // A website on another origin, with the one-line snippet.
  await page.route('http://shop.example/**', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><title>Shop</title></head><body><h1>Our shop</h1>
      <script src="${BASE}/embed.js" data-group="support" data-name="Ivy" data-label="Need help?" async></script>
      </body></html>`,
  }));
  await page.goto('http://shop.example/');
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
