#!/usr/bin/env bash
# Browser tests of the console and the customer chat page in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash tests/browser/run.sh
