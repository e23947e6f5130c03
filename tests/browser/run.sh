#!/usr/bin/env bash
# Browser tests of the console and the customer chat page.
#
#   bash tests/browser/run.sh            (from anywhere; builds target/debug/chatdesk if missing)
#
# Installs Debian's chromium when /usr/bin/chromium is missing, installs playwright-core from the
# lockfile, starts the local server on a free port with a fresh data directory, waits for
# /api/health, runs every *.test.mjs with node's test runner, and stops the server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing chromium (Debian package)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

echo "==> npm ci (tests/browser)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

bin="$root/target/debug/chatdesk"
if [ ! -x "$bin" ]; then
  echo "==> building chatdesk-server"
  (cd "$root" && cargo build -p chatdesk-server)
fi

port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
data="$(mktemp -d)"
log="$data/server.log"
CHATDESK_DATA_DIR="$data" CHATDESK_ADDR="127.0.0.1:$port" CHATDESK_LOG="${CHATDESK_LOG:-warn}" \
  CHATDESK_WEB_DIR="$root/web" "$bin" >"$log" 2>&1 &
server=$!

cleanup() {
  status=$?
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "==> server log (last 60 lines)"
    tail -n 60 "$log" || true
  fi
  rm -rf "$data"
  exit "$status"
}
trap cleanup EXIT INT TERM

url="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  if curl -fsS "$url/api/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server exited before answering /api/health" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "$url/api/health" >/dev/null

echo "==> browser tests against $url"
cd "$here"
CHATDESK_URL="$url" node --test --test-concurrency=1 --test-timeout=180000 ./*.test.mjs
