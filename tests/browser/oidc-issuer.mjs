// A small OpenID Connect issuer for the browser tests, shaped like a Cognito user pool's hosted UI:
// the authorization code flow with PKCE (S256) for one public client, RS256 ID tokens whose keys
// are published as a JWKS, refresh tokens (the refresh_token grant answers a new ID token and,
// like Cognito without rotation, no new refresh token), and Cognito's /logout. It is strict where
// a real issuer is strict (client id, redirect and logout URIs, single-use codes, the PKCE
// verifier, unknown or revoked refresh tokens), so a console that gets the flow wrong fails here
// as it would in the cloud.
//
//   node oidc-issuer.mjs --client-id ID --redirect-uri URL [--logout-uri URL] [--port-file FILE]
//
// Listens on 127.0.0.1 on a free port, prints `OIDC_ISSUER_URL=http://127.0.0.1:PORT` and, with
// --port-file, writes the port there once it listens. For the tests only:
//
//   GET  /test/stats                   how often each endpoint and grant was used, so a test can
//                                      tell that the console did (or did not) redeem a code or
//                                      renew its token
//   POST /test/revoke-refresh-tokens   revokes every refresh token issued so far (as an
//                                      administrator's global sign-out would): answers {revoked}
//
// The sign-in page has an optional "ID token lifetime" field (seconds, default an hour): the ID
// tokens of that sign-in, and of every renewal with its refresh token, last that long, so a test
// sees a renewal within seconds.

import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'redirect-uri': { type: 'string' },
    'logout-uri': { type: 'string' },
    'port-file': { type: 'string' },
  },
});
const CLIENT_ID = opts['client-id'];
const REDIRECT_URI = opts['redirect-uri'];
const LOGOUT_URI = opts['logout-uri'] || REDIRECT_URI;
if (!CLIENT_ID || !REDIRECT_URI) {
  console.error('usage: node oidc-issuer.mjs --client-id ID --redirect-uri URL [--logout-uri URL] [--port-file FILE]');
  process.exit(2);
}
// The only origin that may read token responses (CORS): the console's.
const CONSOLE_ORIGIN = new URL(REDIRECT_URI).origin;

const CODE_TTL_MS = 5 * 60_000; // Cognito's authorization codes live 5 minutes
const TOKEN_TTL_S = 3600;
const MAX_TOKEN_TTL_S = 86_400; // Cognito's longest ID token lifetime

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = `test-${randomBytes(6).toString('hex')}`;
const JWKS = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] };

/** code -> {clientId, redirectUri, challenge, username, scope, ttl, expires, used} */
const codes = new Map();
/** refresh token -> {clientId, username, scope, ttl, authTime, revoked} */
const refreshTokens = new Map();
const stats = {
  authorize: 0,
  codes_issued: 0,
  token_requests: 0, // every POST to /oauth2/token, whatever its grant
  tokens_issued: 0, // ID tokens issued for an authorization code
  refresh_tokens_issued: 0,
  refresh_grants: 0, // grant_type=refresh_token requests
  refreshes: 0, // ID tokens issued for a refresh token
  refreshes_refused: 0,
  refresh_tokens_revoked: 0,
  logouts: 0,
};
let issuer = ''; // set once listening

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function jwt(claims) {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }));
  const body = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), privateKey);
  return `${head}.${body}.${b64url(signature)}`;
}

/** A stable `sub` per username, as a user pool keeps one per user. */
function subOf(username) {
  const h = createHash('sha256').update(`sub:${username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// ---- responses ------------------------------------------------------------------------------------

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** The OAuth 2.0 error shape (RFC 6749 §5.2), as Cognito answers it. */
function oauthError(res, error, description, headers = {}) {
  json(res, 400, { error, error_description: description }, headers);
}

function redirect(res, location) {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

function withQuery(base, params) {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.searchParams.set(k, v);
  return u.toString();
}

function corsHeaders(req) {
  return req.headers.origin === CONSOLE_ORIGIN
    ? { 'access-control-allow-origin': CONSOLE_ORIGIN, vary: 'Origin' }
    : { vary: 'Origin' };
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// ---- /oauth2/authorize ------------------------------------------------------------------------------

/** Checks an authorization request's parameters; answers the error or null. */
function checkAuthorizeParams(p) {
  if (p.get('client_id') !== CLIENT_ID) return ['invalid_client', 'unknown client_id'];
  if (p.get('redirect_uri') !== REDIRECT_URI) return ['invalid_request', 'redirect_uri is not registered for this client'];
  if (p.get('response_type') !== 'code') return ['unsupported_response_type', 'response_type must be code'];
  if (!(p.get('scope') || '').split(' ').includes('openid')) return ['invalid_scope', 'scope must include openid'];
  if (p.get('code_challenge_method') !== 'S256') return ['invalid_request', 'code_challenge_method must be S256'];
  if (!/^[A-Za-z0-9_-]{43}$/.test(p.get('code_challenge') || '')) return ['invalid_request', 'code_challenge must be a base64url SHA-256 digest'];
  if (!p.get('state')) return ['invalid_request', 'state is required'];
  return null;
}

const FORWARDED = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method'];

function signInPage(p) {
  const hidden = FORWARDED.map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(p.get(k) || '')}">`).join('\n      ');
  const prefill = p.get('login_hint') || p.get('username') || '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Test SSO sign-in</title></head>
<body>
  <h1>Test SSO</h1>
  <form method="post" action="/oauth2/authorize">
      ${hidden}
      <label for="username">Username</label>
      <input id="username" name="username" value="${escapeHtml(prefill)}" autocomplete="off">
      <label for="ttl">ID token lifetime (seconds)</label>
      <input id="ttl" name="ttl" inputmode="numeric" placeholder="${TOKEN_TTL_S}" autocomplete="off">
      <button type="submit" id="continue" name="decision" value="continue">Continue</button>
      <button type="submit" id="cancel" name="decision" value="cancel">Cancel</button>
  </form>
</body>
</html>`;
}

async function authorize(req, res, url) {
  stats.authorize += 1;
  if (req.method === 'GET') {
    const problem = checkAuthorizeParams(url.searchParams);
    if (problem) return oauthError(res, ...problem);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(signInPage(url.searchParams));
    return;
  }
  if (req.method !== 'POST') return oauthError(res, 'invalid_request', 'GET or POST only');
  const form = new URLSearchParams(await readBody(req));
  // The form's hidden fields travel through the browser: check them again.
  const problem = checkAuthorizeParams(form);
  if (problem) return oauthError(res, ...problem);
  const state = form.get('state');
  if (form.get('decision') === 'cancel') {
    return redirect(res, withQuery(REDIRECT_URI, { error: 'access_denied', error_description: 'The user cancelled the sign-in.', state }));
  }
  const username = (form.get('username') || '').trim();
  if (!/^[A-Za-z0-9_.@-]{1,128}$/.test(username)) return oauthError(res, 'invalid_request', 'enter a username');
  const ttlText = (form.get('ttl') || '').trim();
  const ttl = ttlText === '' ? TOKEN_TTL_S : Number(ttlText);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_S) return oauthError(res, 'invalid_request', `the ID token lifetime must be 1-${MAX_TOKEN_TTL_S} seconds`);
  const code = b64url(randomBytes(24));
  codes.set(code, {
    clientId: CLIENT_ID,
    redirectUri: form.get('redirect_uri'),
    challenge: form.get('code_challenge'),
    scope: form.get('scope'),
    username,
    ttl,
    expires: Date.now() + CODE_TTL_MS,
    used: false,
  });
  stats.codes_issued += 1;
  redirect(res, withQuery(REDIRECT_URI, { code, state }));
}

// ---- /oauth2/token ----------------------------------------------------------------------------------

async function token(req, res) {
  const cors = corsHeaders(req);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' });
    res.end();
    return;
  }
  stats.token_requests += 1;
  if (req.method !== 'POST') return oauthError(res, 'invalid_request', 'POST only', cors);
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] || '')) {
    return oauthError(res, 'invalid_request', 'the body must be application/x-www-form-urlencoded', cors);
  }
  const form = new URLSearchParams(await readBody(req));
  const grant = form.get('grant_type');
  if (grant === 'refresh_token') return refreshGrant(res, form, cors);
  if (grant !== 'authorization_code') return oauthError(res, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token', cors);
  if (form.get('client_id') !== CLIENT_ID) return oauthError(res, 'invalid_client', 'unknown client_id', cors);
  const entry = codes.get(form.get('code') || '');
  if (!entry || entry.used || entry.expires < Date.now()) return oauthError(res, 'invalid_grant', 'the code is unknown, expired or already used', cors);
  // A code is burnt by its first redemption, successful or not.
  entry.used = true;
  if (form.get('redirect_uri') !== entry.redirectUri) return oauthError(res, 'invalid_grant', 'redirect_uri differs from the authorization request', cors);
  const verifier = form.get('code_verifier') || '';
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return oauthError(res, 'invalid_request', 'code_verifier is missing or malformed', cors);
  if (b64url(createHash('sha256').update(verifier).digest()) !== entry.challenge) {
    return oauthError(res, 'invalid_grant', 'code_verifier does not match the code_challenge', cors);
  }
  const authTime = Math.floor(Date.now() / 1000);
  const refreshToken = b64url(randomBytes(32));
  refreshTokens.set(refreshToken, { clientId: CLIENT_ID, username: entry.username, scope: entry.scope, ttl: entry.ttl, authTime, revoked: false });
  stats.tokens_issued += 1;
  stats.refresh_tokens_issued += 1;
  json(res, 200, { ...tokensFor(refreshTokens.get(refreshToken)), refresh_token: refreshToken }, { ...cors, pragma: 'no-cache' });
}

/** grant_type=refresh_token: a new ID token (and access token) for a refresh token this issuer gave out. */
function refreshGrant(res, form, cors) {
  stats.refresh_grants += 1;
  const refuse = (error, description) => {
    stats.refreshes_refused += 1;
    oauthError(res, error, description, cors);
  };
  if (form.get('client_id') !== CLIENT_ID) return refuse('invalid_client', 'unknown client_id');
  const entry = refreshTokens.get(form.get('refresh_token') || '');
  if (!entry || entry.clientId !== form.get('client_id')) return refuse('invalid_grant', 'Invalid Refresh Token');
  if (entry.revoked) return refuse('invalid_grant', 'Refresh Token has been revoked');
  stats.refreshes += 1;
  json(res, 200, tokensFor(entry), { ...cors, pragma: 'no-cache' });
}

/** The token response of a sign-in (without its refresh token): fresh `iat`, `exp` and `jti`. */
function tokensFor(entry) {
  const now = Math.floor(Date.now() / 1000);
  const sub = subOf(entry.username);
  const idToken = jwt({
    sub,
    aud: CLIENT_ID,
    iss: issuer,
    iat: now,
    auth_time: entry.authTime,
    exp: now + entry.ttl,
    token_use: 'id',
    'cognito:username': entry.username,
    email: `${entry.username}@example.test`,
    email_verified: true,
    jti: randomUUID(),
  });
  // Like Cognito's: no `aud`, token_use "access"; chatdesk must refuse it as an agent token.
  const accessToken = jwt({
    sub,
    client_id: CLIENT_ID,
    iss: issuer,
    iat: now,
    exp: now + entry.ttl,
    token_use: 'access',
    scope: entry.scope,
    username: entry.username,
    jti: randomUUID(),
  });
  return { id_token: idToken, access_token: accessToken, token_type: 'Bearer', expires_in: entry.ttl };
}

// ---- test controls --------------------------------------------------------------------------------

function revokeRefreshTokens(req, res) {
  if (req.method !== 'POST') return oauthError(res, 'invalid_request', 'POST only');
  let revoked = 0;
  for (const entry of refreshTokens.values()) {
    if (entry.revoked) continue;
    entry.revoked = true;
    revoked += 1;
  }
  stats.refresh_tokens_revoked += revoked;
  json(res, 200, { revoked });
}

// ---- /logout ------------------------------------------------------------------------------------

function logout(req, res, url) {
  const p = url.searchParams;
  if (p.get('client_id') !== CLIENT_ID) return oauthError(res, 'invalid_client', 'unknown client_id');
  if (p.get('logout_uri') !== LOGOUT_URI) return oauthError(res, 'invalid_request', 'logout_uri is not registered for this client');
  stats.logouts += 1;
  redirect(res, LOGOUT_URI);
}

// ---- server -------------------------------------------------------------------------------------

const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer || 'http://127.0.0.1');
  try {
    switch (url.pathname) {
      case '/.well-known/jwks.json':
        return json(res, 200, JWKS, { 'cache-control': 'max-age=300' });
      case '/.well-known/openid-configuration':
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/oauth2/authorize`,
          token_endpoint: `${issuer}/oauth2/token`,
          end_session_endpoint: `${issuer}/logout`,
          jwks_uri: `${issuer}/.well-known/jwks.json`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['none'],
        });
      case '/oauth2/authorize':
        return await authorize(req, res, url);
      case '/oauth2/token':
        return await token(req, res);
      case '/logout':
        return logout(req, res, url);
      case '/test/stats':
        return json(res, 200, stats);
      case '/test/revoke-refresh-tokens':
        return revokeRefreshTokens(req, res);
      case '/favicon.ico':
        res.writeHead(204);
        return res.end();
      default:
        return json(res, 404, { error: 'not_found', error_description: `no such endpoint: ${url.pathname}` });
    }
  } catch (err) {
    json(res, 400, { error: 'invalid_request', error_description: err.message });
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}`;
  if (opts['port-file']) {
    // Written whole, then renamed: whoever waits for the file never reads half of it.
    writeFileSync(`${opts['port-file']}.tmp`, `${port}\n`);
    renameSync(`${opts['port-file']}.tmp`, opts['port-file']);
  }
  console.log(`OIDC_ISSUER_URL=${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
