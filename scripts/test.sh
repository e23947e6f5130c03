#!/usr/bin/env bash
# Runs every test of the project on a fresh machine, installing what the tests need first.
# Usage: ./scripts/test.sh            (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

step "Test tools (moto, cfn-lint, aws-sam-translator, schemathesis)"
python3 - <<'PY' || python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5' cfn-lint aws-sam-translator 'schemathesis>=3.30'
import importlib.util, shutil, sys
missing = [m for m in ("moto", "cfnlint", "samtranslator", "schemathesis") if importlib.util.find_spec(m) is None]
if missing or shutil.which("moto_server") is None:
    print("installing:", ", ".join(missing) or "moto_server")
    sys.exit(1)
print("all present")
PY

if [ -x scripts/fetch-model.sh ]; then
  step "Sentence-embedding model (cached under .cache/)"
  scripts/fetch-model.sh
fi

step "Build (one workspace build: libraries, server, functions, tests)"
cargo build --workspace --all-targets

step "Rust tests (unit, store contract on SQLite and DynamoDB/moto, API, WebSocket flows)"
cargo test --workspace --no-fail-fast -- --test-threads 4

for extra in scripts/test-*.sh; do
  [ -e "$extra" ] || continue
  step "$(basename "$extra")"
  bash "$extra"
done

step "All tests passed in $(( $(date +%s) - started )) s"
