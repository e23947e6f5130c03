#!/usr/bin/env bash
# Offline checks of the AWS deployment (infra/): run by ./scripts/test.sh after the Rust tests, or
# alone. Each step prints what it verified, or every mismatch it found; all steps run, and the
# script fails if any did.
#   (a) cfn-lint: no errors, no warnings
#   (b) wiring: every binary <-> one function resource <-> its manifest routes (HTTP + WebSocket)
#   (c) table: the template's DynamoDB table equals `chatdesk manifest`'s "table"
#   (d) permissions: each function's IAM policy equals infra/permissions.json
#   (e) the SAM-expanded template deployed to moto's CloudFormation (table, GSIs, roles), then the
#       deployed-table smoke test (tests/deployed_table_smoke.rs) against that table
#   (f) every function binary run through one whole chat: it uses exactly what
#       infra/permissions.json grants it
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
moto_pid=""
cleanup() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0; failed=0; skipped=0; failures=()
step() { printf '\n--- %s\n' "$*"; }
# run NAME COMMAND...: one check; its failure is counted, not fatal.
run() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); echo "  => FAILED: $name"; fi
}

python3 - <<'PY' || python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5' cfn-lint aws-sam-translator
import importlib.util, sys
sys.exit(1 if any(importlib.util.find_spec(m) is None for m in ("moto", "cfnlint", "samtranslator", "boto3")) else 0)
PY

# The same build command as ./scripts/test.sh, so after it this is a no-op. Selecting packages with
# -p instead would resolve features for those packages alone and rebuild shared dependencies a
# second time, doubling the target directory.
step "Build (cargo build --workspace --all-targets: the server and every function binary)"
cargo build -q --workspace --all-targets
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

step "Manifest (chatdesk manifest): the routes, functions and table the template must match"
if ! "$target_dir/debug/chatdesk" manifest > "$work/manifest.json"; then
  echo "could not get the manifest"; exit 1
fi
python3 - "$work/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
table = "present" if "table" in m else "NOT YET (checks (c), (e) and (f) will fail)"
print(f"  {len(m['http_routes'])} HTTP routes, {len(m['websocket_routes'])} WebSocket routes, "
      f"{len(m['functions'])} functions; table {table}")
PY

step "Each function's dependencies (cargo tree -p <function>): no embedded store, the engine only in kb and suggestions"
run "function dependencies" python3 infra/checks/check_function_deps.py

step "(a) cfn-lint infra/template.yaml (no rule is ignored: there is no infra/.cfnlintrc)"
lint() { (cd infra && cfn-lint template.yaml) && echo "  ok: no errors, no warnings"; }
run "cfn-lint" lint

step "(b) Template wiring against functions/ and the manifest"
run "wiring" python3 infra/checks/check_template.py wiring --manifest "$work/manifest.json"

step "(c) The template's table against the manifest's table"
run "table" python3 infra/checks/check_template.py table --manifest "$work/manifest.json"

step "(d) Each function's IAM policy against infra/permissions.json"
run "permissions" python3 infra/checks/check_template.py permissions --manifest "$work/manifest.json"

step "(e) samtranslator expansion deployed to moto's CloudFormation"
# The tests' single-threaded moto (tests/support/moto_serial.py: conditional writes and
# transactions are only serialisable one request at a time). It binds a port the OS picks and
# prints it first, so no other process can take the port between choosing and binding it.
python3 tests/support/moto_serial.py -H 127.0.0.1 -p 0 > "$work/moto.port" 2> "$work/moto.log" &
moto_pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(head -n 1 "$work/moto.port" 2>/dev/null || true)
  [ -n "$port" ] && break
  if ! kill -0 "$moto_pid" 2>/dev/null; then echo "moto did not start:"; cat "$work/moto.log"; break; fi
  sleep 0.1
done
endpoint="http://127.0.0.1:$port"
echo "  moto on $endpoint (pid $moto_pid)"
run "deploy to moto" python3 infra/checks/deploy_moto.py --endpoint "$endpoint" \
  --manifest "$work/manifest.json" --table-name-file "$work/table-name"

if [ -s "$work/table-name" ]; then
  table=$(cat "$work/table-name")
  step "(e) Smoke test against the deployed table ($table)"
  if [ -f tests/deployed_table_smoke.rs ]; then
    smoke() {
      AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
      CHATDESK_TEST_DYNAMODB_ENDPOINT="$endpoint" CHATDESK_TEST_TABLE="$table" \
        cargo test -q --workspace --test deployed_table_smoke
    }
    run "deployed table smoke test" smoke
  else
    echo "  SKIPPED: tests/deployed_table_smoke.rs does not exist yet; once it does, this step runs"
    echo "  cargo test --workspace --test deployed_table_smoke with CHATDESK_TEST_DYNAMODB_ENDPOINT=$endpoint"
    echo "  and CHATDESK_TEST_TABLE=<the table the stack created>."
    skipped=$((skipped + 1))
  fi
fi

step "(f) Every function binary through one whole chat, against infra/permissions.json"
run "functions exercised" python3 infra/checks/exercise_functions.py --bin-dir "$target_dir/debug" \
  --manifest "$work/manifest.json"

echo
if [ "$failed" -gt 0 ]; then echo "infra checks failed: ${failures[*]}"; fi
echo "infra: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
