// Signing in at the identity provider (the mock OpenID Connect issuer that run.sh starts, shaped
// like Cognito's hosted UI): the console's button, the authorization code flow with PKCE, the ID
// token as the agent's token, a reload, signing out through the provider's logout; and the
// refusals: a forged `state` (the code is never redeemed), a sign-in this tab never started, a
// person the provider knows but chatdesk does not, and the provider's own error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DESKTOP, rest, row, startBrowser, uniqueName, waitLive } from './helpers.mjs';

const ISSUER = process.env.CHATDESK_OIDC_MOCK_URL;
const CLIENT_ID = process.env.CHATDESK_OIDC_CLIENT_ID;
// Against a server started by hand there is no mock issuer to sign in at.
const skip = ISSUER && CLIENT_ID ? false : 'needs the mock issuer that run.sh starts (CHATDESK_OIDC_MOCK_URL)';

const CONSOLE = `${BASE}/console/`;
const atConsole = (u) => u.origin === BASE && u.pathname === '/console/';

async function issuerStats() {
  const res = await fetch(`${ISSUER}/test/stats`);
  assert.equal(res.status, 200);
  return res.json();
}

/** Opens the sign-in screen and follows the provider's button to its sign-in page. */
async function toIssuer(page) {
  await page.goto(CONSOLE);
  const button = page.locator('#login-sso-button');
  await button.waitFor({ state: 'visible' });
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(`${ISSUER}/oauth2/authorize?`)),
    button.click(),
  ]);
  return new URL(page.url());
}

/** At the provider's page: enter a username and continue back to the console. */
async function continueAs(page, username) {
  await page.fill('#username', username);
  await Promise.all([page.waitForURL(atConsole), page.click('#continue')]);
}

function storedToken(page) {
  return page.evaluate(() => sessionStorage.getItem('chatdesk.agent.token'));
}

function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function loginError(page) {
  await page.waitForSelector('#login-view:not([hidden]) #login-error:not([hidden])');
  return page.textContent('#login-error');
}

test('the identity provider signs Alice in; a reload keeps her; sign out goes through its logout', { skip }, async () => {
  const config = await (await fetch(`${BASE}/api/auth/config`)).json();
  assert.equal(config.password_sign_in, true);
  assert.ok(config.oidc, 'run.sh configures the server with the mock issuer');
  assert.equal(config.oidc.provider_name, 'Test SSO');
  assert.equal(config.oidc.client_id, CLIENT_ID);

  // A chat of Alice's, to find in her My Active list.
  const name = uniqueName('Sso');
  const aliceToken = await rest.login('alice');
  const started = await rest.startChat('support', name, 'Signed in through the identity provider?');
  const pulled = await rest.action(aliceToken, 'pull', { chat_ids: [started.chat.id] });
  assert.equal(pulled.succeeded, 1, JSON.stringify(pulled));

  const browser = await startBrowser();
  try {
    const page = await browser.newPage(DESKTOP, 'alice-sso');
    await page.goto(CONSOLE);
    await page.locator('#login-sso-button').waitFor({ state: 'visible' });
    assert.equal((await page.textContent('#login-sso-button')).trim(), 'Sign in with Test SSO');
    // Password sign-in stays.
    for (const sel of ['#login-username', '#login-password', '#login-submit']) assert.equal(await page.isVisible(sel), true, sel);

    const before = await issuerStats();
    const authorize = await toIssuer(page);
    const q = authorize.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), CLIENT_ID);
    assert.equal(q.get('redirect_uri'), CONSOLE);
    assert.ok(q.get('scope').split(' ').includes('openid'), q.get('scope'));
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    assert.match(q.get('state'), /^[A-Za-z0-9_-]{43,}$/);

    await continueAs(page, 'alice');
    await page.waitForSelector('#nav .nav-link');
    await waitLive(page);
    // The code and state are gone from the address bar; the default view is her My Active.
    const landed = new URL(page.url());
    assert.equal(landed.search, '');
    assert.doesNotMatch(page.url(), /code=|state=/);
    assert.equal(landed.hash, '#/my_active');
    assert.equal(await page.textContent('#view-title'), 'My Active');
    assert.equal(await page.textContent('#me-name .me-display'), 'Alice');
    await row(page, name).waitFor();

    // Her token is the provider's ID token (not its access token), and the PKCE secrets are gone.
    const token = await storedToken(page);
    const claims = claimsOf(token);
    assert.equal(claims.token_use, 'id');
    assert.equal(claims['cognito:username'], 'alice');
    assert.equal(claims.aud, CLIENT_ID);
    assert.equal(claims.iss, ISSUER);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('chatdesk.oidc.pending')), null);
    const after = await issuerStats();
    assert.equal(after.token_requests - before.token_requests, 1, 'one code redeemed');
    assert.equal(after.tokens_issued - before.tokens_issued, 1);

    // A reload keeps her signed in without going back to the provider.
    await page.reload();
    await page.waitForSelector('#nav .nav-link');
    await waitLive(page);
    assert.equal(await page.textContent('#me-name .me-display'), 'Alice');
    await row(page, name).waitFor();
    assert.equal((await issuerStats()).token_requests, after.token_requests);

    // Sign out: the token is dropped, the provider's logout ends its session and sends her back.
    await Promise.all([
      page.waitForURL(atConsole),
      page.click('#sign-out'),
    ]);
    await page.waitForSelector('#login-view:not([hidden])');
    await page.locator('#login-sso-button').waitFor({ state: 'visible' });
    assert.equal(await page.isVisible('#app-view'), false);
    assert.equal(await storedToken(page), null);
    assert.equal((await issuerStats()).logouts - before.logouts, 1, 'signed out at the provider too');
    assert.equal(new URL(page.url()).search, '');

    browser.assertNoErrors();
  } finally {
    await browser.close();
    await rest.action(aliceToken, 'end', { chat_ids: [started.chat.id] });
  }
});

test('a callback with a forged state, or one this tab never started, is refused without redeeming the code', { skip }, async () => {
  const browser = await startBrowser();
  try {
    const page = await browser.newPage(DESKTOP, 'forged');
    const before = await issuerStats();
    await toIssuer(page);
    // The provider hands back a real code, but with a state the console never sent (what an
    // attacker who slips their own code into an agent's browser would produce).
    await page.evaluate(() => { document.querySelector('input[name="state"]').value = 'forged-state-0123456789abcdefghijklmnopqrstuvwxyz'; });
    await continueAs(page, 'alice');
    assert.match(await loginError(page), /does not belong to the sign-in started here \(state mismatch\)/);
    assert.equal(await page.isVisible('#app-view'), false);
    assert.equal(await storedToken(page), null);
    assert.equal(new URL(page.url()).search, '', 'code and state are cleared from the address bar');
    let now = await issuerStats();
    assert.equal(now.codes_issued - before.codes_issued, 1, 'the provider did issue a code');
    assert.equal(now.token_requests, before.token_requests, 'the console never redeemed it');

    // A callback in a tab that started no sign-in: nothing is sent either.
    const other = await browser.newPage(DESKTOP, 'unsolicited');
    await other.goto(`${CONSOLE}?code=some-code&state=some-state`);
    assert.match(await loginError(other), /not started from this browser tab/);
    assert.equal(await storedToken(other), null);
    assert.equal(new URL(other.url()).search, '');
    now = await issuerStats();
    assert.equal(now.token_requests, before.token_requests);

    // Password sign-in still works on that screen.
    await other.fill('#login-username', 'alice');
    await other.fill('#login-password', 'chatdesk-demo');
    await other.click('#login-submit');
    await other.waitForSelector('#nav .nav-link');
    assert.equal(await other.textContent('#me-name .me-display'), 'Alice');

    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('someone the provider knows but chatdesk does not gets a clear refusal', { skip }, async () => {
  const browser = await startBrowser();
  try {
    const page = await browser.newPage(DESKTOP, 'mallory');
    const before = await issuerStats();
    await toIssuer(page);
    await continueAs(page, 'mallory');
    const text = await loginError(page);
    assert.match(text, /Signed in as mallory at the identity provider, but no chatdesk agent has that username; ask an administrator\./);
    assert.equal(await page.isVisible('#app-view'), false);
    assert.equal(await storedToken(page), null, 'the refused token is not kept');
    await page.locator('#login-sso-button').waitFor({ state: 'visible' });
    assert.equal((await issuerStats()).token_requests - before.token_requests, 1);
    // A reload stays on the sign-in screen.
    await page.reload();
    await page.waitForSelector('#login-view:not([hidden])');
    assert.equal(await page.isVisible('#app-view'), false);

    // The server's 401 for /api/me is logged by the browser; that is the expected outcome.
    const unexpected = browser.problems.filter((p) => !(p.startsWith('mallory:') && /401/.test(p)));
    assert.deepEqual(unexpected, []);
  } finally {
    await browser.close();
  }
});

test("the provider's own error is shown, as text", { skip }, async () => {
  const browser = await startBrowser();
  try {
    const page = await browser.newPage(DESKTOP, 'cancel');
    const before = await issuerStats();
    await toIssuer(page);
    await Promise.all([page.waitForURL(atConsole), page.click('#cancel')]);
    assert.match(await loginError(page), /The identity provider did not sign you in: The user cancelled the sign-in\. \(access_denied\)/);
    assert.equal(new URL(page.url()).search, '');
    assert.equal(await storedToken(page), null);

    // Whatever the provider writes is text on the page, never markup.
    const hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await page.goto(`${CONSOLE}?error=server_error&error_description=${encodeURIComponent(hostile)}`);
    const text = await loginError(page);
    assert.ok(text.includes(hostile), text);
    assert.equal(await page.locator('#login-error img, #login-error b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal((await issuerStats()).token_requests, before.token_requests);

    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});
