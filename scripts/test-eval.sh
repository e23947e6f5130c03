#!/usr/bin/env bash
# Suggestion quality on the shipped FAQ collections: prints MAP, MRR, P@3 and NDCG@3 for every
# ranking (BM25, embeddings, fusions) and fails when the production ranking's MAP falls below the
# figure reached when it was chosen, less 0.02 (shared/suggest/README.md). The same floors are
# asserted by shared/suggest/tests/eval.rs; this prints the figures into the test log.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/suggest-eval
[ -x "$bin" ] || cargo build -p chatdesk-suggest --bin suggest-eval
status=0
for pair in hosting:0.933 shop:0.917 saas:0.916; do
  name=${pair%%:*}
  floor=${pair##*:}
  echo "--- $name (fused MAP must stay >= $floor)"
  "$bin" --collection "tests/data/faq/$name.json" --method all
  "$bin" --collection "tests/data/faq/$name.json" --method fused --min-map "$floor" > /dev/null || status=1
done
exit $status
