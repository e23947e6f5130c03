#!/usr/bin/env bash
# Fuzzes the REST API from its served OpenAPI document with schemathesis: no 5xx, and every
# response must match the document. Bounded in examples and time. Needs target/debug/chatdesk
# (the test command builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/debug/chatdesk
[ -x "$bin" ] || cargo build -p chatdesk-server
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CHATDESK_DATA_DIR="$data" CHATDESK_ADDR="127.0.0.1:$port" CHATDESK_LOG=warn "$bin" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/api/health" > /dev/null && break; sleep 0.1; done

token=$(curl -sf -XPOST "$base/api/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"chatdesk-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Checks: not_a_server_error (no 5xx), response_schema_conformance, status_code_conformance,
# content_type_conformance, response_headers_conformance. Signed in as the administrator, so the
# fuzzer reaches past authentication into every route.
schemathesis run "$base/api/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --header "Authorization: Bearer $token" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" \
  --max-time "${SCHEMATHESIS_SECONDS:-90}" \
  --seed 4242 \
  --generation-deterministic \
  --request-timeout 10 \
  --warnings off

if grep -q "request failed" "$data/server.log"; then
  echo "the server logged internal errors during fuzzing:" >&2
  grep -B2 -A2 "request failed" "$data/server.log" >&2
  exit 1
fi
echo "schemathesis: no server errors, every response matched the OpenAPI document"
