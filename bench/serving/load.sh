#!/usr/bin/env bash
# bench/serving/load.sh [--quick|--full]: `lever serve` under load on loopback with wrk (Debian's `wrk`, installed when
# missing). One server: the tiny preset as the base model (--model), the built-in all-MiniLM-L6-v2 for /v1/embeddings,
# and a served RAG recipe (`rag`: BM25 over a small generated corpus, the tiny model answering). Endpoints:
#   GET /v1/models · POST /v1/chat/completions (tiny, 8 tokens, greedy) · POST /v1/embeddings (one sentence) ·
#   POST /v1/chat/completions model rag (retrieval + the tiny model, with citations)
# each at 1, 8 and 32 connections for 20 s (--quick, the default) or 60 s (--full). Rate and concurrency limits are
# off in this workspace (server.limits below), so the figures are the server's capacity, not the limiter's; 429s, 5xx
# and timeouts are still counted apart. Prints one line per run, then the server's RSS after warm-up and after the runs.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$repo/bench/serving/common.sh"
duration=20
case "${1:---quick}" in --quick) duration=20 ;; --full) duration=60 ;; *) echo "usage: $0 [--quick|--full]" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dll="$repo/src/Lever.Cli/bin/Release/net10.0/lever.dll"
[ -f "$dll" ] || dotnet build "$repo/src/Lever.Cli" -c Release -v q --nologo -clp:ErrorsOnly
work="${LEVER_BENCH_DIR:-$repo/artifacts/bench-load}"
mkdir -p "$work" && cd "$work"
# A copy of the build: a rebuild while the server runs would replace files it has mapped.
rm -rf lever-bin && cp -r "$(dirname "$dll")" lever-bin
lever() { dotnet "$work/lever-bin/lever.dll" "$@"; }
[ -f tiny/config.json ] || lever model init --config tiny -o tiny --seed 1 >/dev/null
mkdir -p docs
for i in $(seq 1 20); do
  printf '# Topic %s\n\nThe code of topic %s is code-%s. It is reviewed every %s days by team %s.\n' "$i" "$i" "$((i * 1111))" "$i" "$((i % 4))" > "docs/topic-$i.md"
done
unlimited_server_yaml > lever.yaml
mkdir -p recipes
printf 'provider: local\nsystem_prompt: Answer from the passages and cite them.\nretrieval:\n  index: default\n  k: 3\nscoring:\n  scorers: [exact]\n' > recipes/rag.yaml
[ -f .lever/indexes/default/index.db ] || lever index add docs --no-vectors >/dev/null

serve --model tiny --recipe rag

echo '{"model":"tiny","messages":[{"role":"user","content":"Say something short."}],"max_tokens":8,"temperature":0}' > chat.json
echo '{"model":"all-MiniLM-L6-v2","input":"How often is topic 7 reviewed?"}' > embed.json
echo '{"model":"rag","messages":[{"role":"user","content":"What is the code of topic 7?"}],"max_tokens":8,"temperature":0}' > rag.json
lua GET "" > models.lua; lua POST chat.json > chat.lua; lua POST embed.json > embed.lua; lua POST rag.json > rag.lua

rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }
# Warm-up: every endpoint answers once (models load, JIT), then 5 s of 8 connections on each.
for e in models chat embed rag; do
  path=/models; [ "$e" = models ] || path=/chat/completions; [ "$e" = embed ] && path=/embeddings
  wrk -t2 -c8 -d5s -s "$e.lua" "$url$path" >/dev/null
done
warm=$(rss)
echo "lever serve load, $duration s per run, wrk 2 threads, loopback; load average at start $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
printf '%-8s %5s %9s %8s %8s %8s %6s %5s %5s %9s %7s\n' endpoint conns "req/s" "p50 ms" "p95 ms" "p99 ms" 2xx 429 5xx timeouts "errors"
for e in models chat embed rag; do
  path=/models; [ "$e" = models ] || path=/chat/completions; [ "$e" = embed ] && path=/embeddings
  for c in 1 8 32; do
    t=$(( c < 2 ? 1 : 2 ))
    r=$(wrk -t"$t" -c"$c" -d"${duration}s" --timeout 30s -s "$e.lua" "$url$path" | sed -n 's/^RESULT //p')
    read -r ok r429 r5 other p50 p95 p99 rps tmo err <<<"$r"
    # Percentiles from wrk's latency histogram (every request's time, all connections; wrk does not correct for coordinated omission).
    printf '%-8s %5d %9s %8s %8s %8s %6d %5d %5d %9d %7d\n' "$e" "$c" "$rps" "$p50" "$p95" "$p99" "$ok" "$r429" "$r5" "$tmo" "$((err + other))"
  done
done
after=$(rss)
echo "server RSS: ${warm} MiB after warm-up, ${after} MiB after the runs ($(awk -v a="$after" -v w="$warm" 'BEGIN { printf "%.2f", a / w }')×)"
