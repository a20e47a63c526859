#!/usr/bin/env bash
# bench/serving/during-job.sh [SECONDS]: serving latency while a fine-tuning job trains on the same machine.
# One `lever serve --model tiny --fine-tuning` (jobs on server.fine_tuning.threads: null = cores - 1 threads). Chat
# completions (tiny, 8 tokens, greedy) at 1 and 8 connections for SECONDS (default 20) each: first with no job, then
# while a long LoRA job runs; then the job alone for SECONDS. Prints p50/p95/p99 and req/s of each run, the p95 ratio
# (during / idle), and the job's optimizer steps per second alone and under load.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$repo/bench/serving/common.sh"
duration="${1:-20}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dll="$repo/src/Lever.Cli/bin/Release/net10.0/lever.dll"
[ -f "$dll" ] || dotnet build "$repo/src/Lever.Cli" -c Release -v q --nologo -clp:ErrorsOnly
work="${LEVER_BENCH_DIR:-$repo/artifacts/bench-during-job}"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
cp -r "$(dirname "$dll")" lever-bin
lever() { dotnet "$work/lever-bin/lever.dll" "$@"; }
lever model init --config tiny -o tiny --seed 1 >/dev/null
python3 - <<'PY'
import json
with open("train.jsonl", "w") as f:
    for i in range(400):
        f.write(json.dumps({"prompt": f"Q{i}: what is {i} plus {i % 7}?", "completion": f" {i + i % 7}"}) + "\n")
PY
unlimited_server_yaml > lever.yaml
cat >> lever.yaml <<'YAML'
  fine_tuning:
    checkpoint_every: 1000
YAML
export LEVER_SERVER_KEY=bench-during-job-key LEVER_BENCH_KEY=bench-during-job-key
serve --model tiny --fine-tuning
echo '{"model":"tiny","messages":[{"role":"user","content":"Say something short."}],"max_tokens":8,"temperature":0}' > chat.json
lua POST chat.json > chat.lua
auth=(-H "Authorization: Bearer $LEVER_SERVER_KEY")

steps() { [ -f "$work/.lever/server/jobs/$job/run/metrics.jsonl" ] && wc -l < "$work/.lever/server/jobs/$job/run/metrics.jsonl" || echo 0; }
run() {   # label, connections
  local t=$(( $2 < 2 ? 1 : 2 )) r
  r=$(wrk -t"$t" -c"$2" -d"${duration}s" --timeout 30s -s chat.lua "$url/chat/completions" | sed -n 's/^RESULT //p')
  read -r ok r429 r5 other p50 p95 p99 rps tmo err <<<"$r"
  printf '%-22s %5d %9s %8s %8s %8s %6d %5d %9d\n' "$1" "$2" "$rps" "$p50" "$p95" "$p99" "$ok" "$r5" "$tmo"
  echo "$p95" > "p95-$1-$2"
}
wrk -t2 -c8 -d5s -s chat.lua "$url/chat/completions" >/dev/null   # warm-up: model loaded, JIT done
echo "lever serve: chat latency with and without a fine-tuning job, $duration s per run, wrk, loopback; load average at start $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
printf '%-22s %5s %9s %8s %8s %8s %6s %5s %9s\n' run conns "req/s" "p50 ms" "p95 ms" "p99 ms" 2xx 5xx timeouts
run idle 1; run idle 8

file=$(curl -sf "${auth[@]}" -F purpose=fine-tune -F file=@train.jsonl "$url/files" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
job=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$url/fine_tuning/jobs" \
  -d "{\"model\":\"tiny\",\"training_file\":\"$file\",\"seed\":1,\"hyperparameters\":{\"n_epochs\":50,\"batch_size\":4}}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 600); do [ "$(steps)" -gt 2 ] && break; sleep 0.2; done
s0=$(steps); t0=$(date +%s.%N)
run during-job 1; run during-job 8
s1=$(steps); t1=$(date +%s.%N)
sleep "$duration"
s2=$(steps); t2=$(date +%s.%N)
curl -sf "${auth[@]}" -X POST "$url/fine_tuning/jobs/$job/cancel" >/dev/null
awk -v a="$s0" -v b="$s1" -v c="$s2" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
  'BEGIN { printf "job steps/s: %.2f under chat load, %.2f alone (%.2f×)\n", (b - a) / (t1 - t0), (c - b) / (t2 - t1), ((b - a) / (t1 - t0)) / ((c - b) / (t2 - t1)) }'
for c in 1 8; do
  awk -v i="$(cat p95-idle-$c)" -v d="$(cat p95-during-job-$c)" -v c="$c" 'BEGIN { printf "p95 at %d connection(s): %.1f ms idle, %.1f ms during the job (%.2f×)\n", c, i, d, d / i }'
done
