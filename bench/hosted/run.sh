#!/usr/bin/env bash
# Measures the lab's hosted path on the real SpamAssassin test split against bench/hosted/fake_openai.py:
# wall time of the hosted-zero-shot evaluation stage at max_concurrency 1 and 8, with a fixed per-call latency.
# Usage: bench/hosted/run.sh [latency_ms=200] [items=400]   (run from the repository root, after ./lever builds)
set -euo pipefail
latency=${1:-200}
items=${2:-400}
root=$(pwd)
ws=$(mktemp -d /tmp/lever-hosted-bench.XXXXXX)
port=18765
python3 "$root/bench/hosted/fake_openai.py" $port "$latency" &
server=$!
trap 'kill $server; rm -rf "$ws"' EXIT
# The sample's settings, local rows cut to the baseline, hosted rows capped at $items test emails.
sed -e 's/^  tolerance_accuracy_points: 1.0/  tolerance_accuracy_points: 1.0\n  recipes: [baseline-logreg, hosted-zero-shot]\n  provider:\n    max_test_items: '"$items"'/' \
    "$root/samples/spam/lever.yaml" > "$ws/base.yaml"
# Reuse the corpus a previous run of samples/spam fetched, if any.
if [ -d "$root/samples/spam/data/raw" ]; then mkdir -p "$ws/data" && cp -r "$root/samples/spam/data/raw" "$ws/data/raw"; fi
for c in 1 8; do
  printf 'providers:\n  bench:\n    base_url: http://127.0.0.1:%s/v1\n    model: gpt-4o-mini\n    max_concurrency: %s\n' "$port" "$c" | cat "$ws/base.yaml" - > "$ws/lever.yaml"
  # Concurrency is not part of a stage's inputs: drop the hosted answers so the evaluation runs again.
  rm -rf "$ws/.lever/lab/recipes/hosted-zero-shot"
  start=$(date +%s.%N)
  "$root/lever" lab "$ws" > "$ws/out-$c.txt" 2>&1 || { cat "$ws/out-$c.txt"; exit 1; }
  end=$(date +%s.%N)
  echo "max_concurrency=$c latency=${latency}ms items=$items: lever lab wall $(echo "$end - $start" | bc) s"
  grep -E "test hosted-zero-shot|eval:hosted-zero-shot" "$ws/out-$c.txt" | tail -2 || true
done
python3 - "$ws" <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/.lever/lab/results.json"))
for r in s["recipes"]:
    print(r["name"], "items", r["items"], "acc", round(r["accuracy"], 4), "p50", round(r["latency_ms_p50"], 1), "p95", round(r["latency_ms_p95"], 1), "answer$/1k", r["answer_per_1k_usd"])
PY
