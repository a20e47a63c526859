#!/usr/bin/env bash
# bench/serving/run.sh [PRESET]: multi-adapter serving on loopback. One base (preset `small` by default) and four LoRA
# adapters made by `lever train --method lora` (2 steps: the values do not matter for cost, the shapes do), then the
# load generator (loadgen.py: 8 concurrent clients) against
#   1. one server, base + 4 adapters unmerged, batching on (--max-batch 8): clients spread over the 4 adapters,
#   2. the same server, all 8 clients on one adapter,
#   3. the same adapters served one request at a time (--max-batch 1),
#   4. 4 merged copies (`lever adapter merge`), one `lever serve --model` each, 2 clients per copy.
# Prints one JSON line per scenario with throughput, p50/p95 latency and the servers' resident memory (VmRSS, and the
# peak VmHWM, summed over processes), plus the load average. REQUESTS (per client, default 3) and TOKENS (default 32).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dll="$repo/src/Lever.Cli/bin/Release/net10.0/lever.dll"
[ -f "$dll" ] || dotnet build "$repo/src/Lever.Cli" -c Release -v q --nologo -clp:ErrorsOnly
preset="${1:-small}"; requests="${REQUESTS:-3}"; tokens="${TOKENS:-32}"
work="${LEVER_BENCH_DIR:-$repo/artifacts/bench-serving}/$preset"
mkdir -p "$work" && cd "$work"
# Run from a copy of the build: a rebuild while the servers run would replace files they have mapped (SIGBUS).
rm -rf lever-bin && cp -r "$(dirname "$dll")" lever-bin
lever() { dotnet "$work/lever-bin/lever.dll" "$@"; }
[ -f base/config.json ] || lever model init --config "$preset" -o base --seed 1 >/dev/null
for i in 1 2 3 4; do
  python3 -c "import json; [print(json.dumps({'prompt': f'topic $i item {k}', 'completion': f' answer {k*$i}'})) for k in range(16)]" > "d$i.jsonl"
  [ -f "a$i/adapter_model.safetensors" ] || lever train --method lora -m base --data "d$i.jsonl" -o "a$i" --steps 2 --batch 4 --seq-len 32 \
    --lora-r 8 --eval-every 0 --checkpoint-every 2 --threads 2 >/dev/null
  [ -f "m$i/config.json" ] || lever adapter merge -m base --adapter "a$i" -o "m$i" >/dev/null
done

pids=(); urls=()
start_server() {   # args: log name, then lever serve arguments
  local log="$1"; shift
  dotnet "$work/lever-bin/lever.dll" serve "$@" --port 0 --workspace "$work" >"$log" 2>&1 &   # not through lever(): $! must be the server
  pids+=($!)
  for _ in $(seq 600); do grep -q '^lever serve: http' "$log" 2>/dev/null && break; sleep 0.5; done
  urls+=("$(sed -n 's/^lever serve: \(http[^ ]*\) .*/\1/p' "$log" | head -1)")
}
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); urls=(); }
trap stop_servers EXIT
memory() {   # "rss_mb": VmRSS summed now, "peak_mb": VmHWM summed
  local rss=0 hwm=0
  for p in "${pids[@]}"; do
    rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); hwm=$((hwm + $(awk '/VmHWM/ {print $2}' "/proc/$p/status")))
  done
  echo "\"rss_mb\": $((rss / 1024)), \"peak_mb\": $((hwm / 1024))"
}
load() {   # scenario name, urls (comma-separated), models
  local name="$1" url="$2" models="$3"
  python3 "$repo/bench/serving/loadgen.py" "$url" --models "$models" --clients 1 --requests 1 --max-tokens 4 >/dev/null   # warm-up
  local r; r="$(python3 "$repo/bench/serving/loadgen.py" "$url" --models "$models" --clients 8 --requests "$requests" --max-tokens "$tokens")"
  echo "{\"scenario\": \"$name\", ${r:1:${#r}-2}, $(memory), \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"
}

adapters=(--adapter a1=a1 --adapter a2=a2 --adapter a3=a3 --adapter a4=a4)
start_server serve-multi.log --model base "${adapters[@]}" --max-batch 8
python3 "$repo/bench/serving/loadgen.py" "${urls[0]}" --models a1,a2,a3,a4 --clients 4 --requests 1 --max-tokens 2 >/dev/null
load "1 base + 4 adapters, batched, clients over 4 adapters" "${urls[0]}" a1,a2,a3,a4
load "1 base + 4 adapters, batched, all clients on one adapter" "${urls[0]}" a1
stop_servers
start_server serve-serial.log --model base "${adapters[@]}" --max-batch 1
python3 "$repo/bench/serving/loadgen.py" "${urls[0]}" --models a1,a2,a3,a4 --clients 4 --requests 1 --max-tokens 2 >/dev/null
load "1 base + 4 adapters, one request at a time" "${urls[0]}" a1,a2,a3,a4
stop_servers
for i in 1 2 3 4; do start_server "serve-m$i.log" --model "m$i" --max-batch 8; done
load "4 merged copies, 4 processes, 2 clients each" "$(IFS=,; echo "${urls[*]}")" m1,m2,m3,m4
stop_servers
