// Attachments (issue 15): a customer attaches an image on the chat page; it is previewed on both
// sides, and the agent downloads it byte for byte. A file that is not what its name says (an HTML
// page named .png) is refused on the page with the server's words.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, DESKTOP, PHONE, openView, rest, row, signIn, startBrowser, uniqueName } from './helpers.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser.close(); });

/** A real 2x2 PNG (red, green, blue, white pixels). */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001249444154789c' +
  '63f8cfc0c000c20cff8100001fee05fb0bd9688b0000000049454e44ae426082', 'hex');

test('an image sent by the customer is previewed on both sides and downloads intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatdesk-files-'));
  const image = join(dir, 'printer-error.png');
  writeFileSync(image, PNG);
  const fake = join(dir, 'not-a-picture.png');
  writeFileSync(fake, '<html><script>alert(1)</script></html>');
  const name = uniqueName('Filer');

  const alice = await browser.newPage(DESKTOP, 'alice');
  await signIn(alice, 'alice');
  await openView(alice, 'queue');
  const customer = await browser.newPage(PHONE, 'customer');
  await customer.goto(`${BASE}/chat/?group=support&name=${encodeURIComponent(name)}&question=${encodeURIComponent('My printer shows an error')}`);
  await customer.click('#form-submit');
  await customer.click('#continue-chat');
  await customer.waitForSelector('.queue-position');

  const r = row(alice, name);
  await r.waitFor();
  await r.locator('input[type="checkbox"]').check();
  await alice.click('#tb-pull');
  await alice.waitForSelector('#cv-message');

  // The customer attaches the screenshot.
  await customer.setInputFiles('#file', image);
  const customerPreview = customer.locator('.msg .file-preview[alt="printer-error.png"]');
  await customerPreview.waitFor();
  await customer.waitForFunction(() => {
    const img = document.querySelector('.msg .file-preview');
    return img && img.complete && img.naturalWidth === 2;
  });

  // The agent sees it previewed (the image really loads) and downloads the same bytes.
  const agentPreview = alice.locator('.msg.from-customer .file-preview[alt="printer-error.png"]');
  await agentPreview.waitFor();
  await alice.waitForFunction(() => {
    const img = document.querySelector('.msg.from-customer .file-preview');
    return img && img.complete && img.naturalWidth === 2 && img.naturalHeight === 2;
  });
  const [download] = await Promise.all([
    alice.waitForEvent('download'),
    alice.locator('.msg.from-customer .file-download').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'printer-error.png');
  const saved = join(dir, 'downloaded.png');
  await download.saveAs(saved);
  assert.deepEqual(readFileSync(saved), PNG, 'downloaded byte for byte');

  // An HTML page named .png is refused, with the reason on the page; nothing reaches the agent.
  await customer.setInputFiles('#file', fake);
  await customer.waitForSelector('#chat-error:not([hidden])');
  assert.match(await customer.textContent('#chat-error'), /not-a-picture\.png was not sent/);
  assert.equal(await alice.locator('.msg .file-download').count(), 1);

  // Ended, so Alice's chat limit is free for the tests that follow.
  const chatId = decodeURIComponent(new URL(alice.url()).hash.split('/')[2]);
  await rest.action(await rest.login('alice'), 'end', { chat_ids: [chatId] });

  // The refused upload's 4xx is the one error the pages logged.
  const refused = (p) => p.startsWith('customer: ') && /Failed to load resource/.test(p) && /attachments/.test(p);
  browser.problems.splice(0, browser.problems.length, ...browser.problems.filter((p) => !refused(p)));
  browser.assertNoErrors();
});
