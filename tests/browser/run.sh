#!/usr/bin/env bash
# Browser tests of the console and the customer chat page.
#
#   bash tests/browser/run.sh            (from anywhere; builds target/debug/chatdesk if missing)
#   bash tests/browser/run.sh lists.test.mjs    (only the files named)
#
# Installs Debian's chromium when /usr/bin/chromium is missing, installs playwright-core from the
# lockfile, starts a mock OpenID Connect issuer (oidc-issuer.mjs) and the local server on free
# ports with a fresh data directory and the server's CHATDESK_OIDC_* settings pointing at the mock,
# waits for /api/health, runs every *.test.mjs with node's test runner, and stops both.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing chromium (Debian package)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
# lists.test.mjs writes values the API refuses straight into the server's database.
if ! command -v sqlite3 >/dev/null; then
  echo "==> installing sqlite3 (Debian package)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3
fi

echo "==> npm ci (tests/browser)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

bin="$root/target/debug/chatdesk"
if [ ! -x "$bin" ]; then
  echo "==> building chatdesk-server"
  (cd "$root" && cargo build -p chatdesk-server)
fi

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
url="http://127.0.0.1:$port"
data="$(mktemp -d)"
log="$data/server.log"
server=""
issuer_pid=""
smtp_pid=""

cleanup() {
  status=$?
  for pid in $server $issuer_pid $smtp_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    # Where the pages of each failed file ended up (helpers.mjs writes these at browser close).
    for file in $(grep -o "location: '[^']*\.test\.mjs" "$data/results.tap" 2>/dev/null | sed 's|.*/||' | sort -u); do
      echo "==> pages of $file at its end"
      tail -n 80 "$data/diagnostics-$file.log" 2>/dev/null || echo "(none written)"
    done
    echo "==> server log (last 60 lines)"
    tail -n 60 "$log" || true
    echo "==> mock issuer log (last 20 lines)"
    tail -n 20 "$data/issuer.log" 2>/dev/null || true
  fi
  rm -rf "$data"
  exit "$status"
}
trap cleanup EXIT INT TERM

# The mock issuer first: the server needs its address. It only accepts the console's address as
# redirect and logout URI, like a user pool's app client.
client_id="chatdesk-browser-tests"
node "$here/oidc-issuer.mjs" --client-id "$client_id" --redirect-uri "$url/console/" \
  --port-file "$data/issuer.port" >"$data/issuer.log" 2>&1 &
issuer_pid=$!
for _ in $(seq 1 100); do
  [ -s "$data/issuer.port" ] && break
  if ! kill -0 "$issuer_pid" 2>/dev/null; then
    echo "the mock OpenID Connect issuer exited before listening" >&2
    cat "$data/issuer.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ ! -s "$data/issuer.port" ]; then
  echo "the mock OpenID Connect issuer did not start listening" >&2
  exit 1
fi
issuer="http://127.0.0.1:$(cat "$data/issuer.port")"

# A mail server that keeps what it is sent (transcript.test.mjs reads it).
node "$here/smtp-sink.mjs" --dir "$data/mail" --port-file "$data/smtp.port" >"$data/smtp.log" 2>&1 &
smtp_pid=$!
for _ in $(seq 1 100); do
  [ -s "$data/smtp.port" ] && break
  sleep 0.1
done
if [ ! -s "$data/smtp.port" ]; then
  echo "the SMTP sink did not start listening" >&2
  exit 1
fi

CHATDESK_DATA_DIR="$data" CHATDESK_ADDR="127.0.0.1:$port" CHATDESK_LOG="${CHATDESK_LOG:-warn}" \
  CHATDESK_WEB_DIR="$root/web" \
  CHATDESK_SMTP_URL="smtp://127.0.0.1:$(cat "$data/smtp.port")" CHATDESK_MAIL_FROM="help@chatdesk.example" \
  CHATDESK_OIDC_ISSUER="$issuer" CHATDESK_OIDC_AUDIENCE="$client_id" \
  CHATDESK_OIDC_AUTHORIZE_URL="$issuer/oauth2/authorize" CHATDESK_OIDC_TOKEN_URL="$issuer/oauth2/token" \
  CHATDESK_OIDC_LOGOUT_URL="$issuer/logout" CHATDESK_OIDC_PROVIDER_NAME="Test SSO" \
  "$bin" >"$log" 2>&1 &
server=$!

for _ in $(seq 1 150); do
  if curl -fsS "$url/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server exited before answering /api/health" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "$url/api/health" >/dev/null

# Many tests act as an agent over REST alone, with no console open. The "agent disconnected"
# hand-off timer (on by default, 120 s) would move such an agent's chats once the suite has run
# for minutes since their last console closed, so which test it hits depends on timing. It is
# turned off for the demo groups here; hand-offs.test.mjs sets and checks the timers itself.
python3 - "$url" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
def call(method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.loads(res.read() or b"null")
token = call("POST", "/api/auth/login", body={"username": "admin", "password": "chatdesk-demo"})["token"]
for group in call("GET", "/api/groups"):
    settings = call("GET", f"/api/groups/{group['id']}/settings", token)
    hand_off = dict(settings["hand_off"], agent_disconnected_secs=0)
    call("PUT", f"/api/groups/{group['id']}/settings", token, {"distribution": settings["distribution"], "hand_off": hand_off})
PY

echo "==> browser tests against $url (identity provider: $issuer)"
cd "$here"
if [ "$#" -gt 0 ]; then files=("$@"); else files=(./*.test.mjs); fi
CHATDESK_URL="$url" CHATDESK_DATA_DIR="$data" CHATDESK_MAIL_DIR="$data/mail" CHATDESK_OIDC_MOCK_URL="$issuer" CHATDESK_OIDC_CLIENT_ID="$client_id" \
  node --test --test-concurrency=1 --test-timeout=180000 "${files[@]}" | tee "$data/results.tap"
