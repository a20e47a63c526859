#!/usr/bin/env bash
# Retrieval benchmarks on PostgreSQL 15's HTML documentation (fetched with apt, never committed) and on random
# vectors. Prints the numbers recorded in docs/PERFORMANCE.md (Retrieval).
#   bench/retrieval/run.sh            quality + Lucene.NET comparison + HNSW (100k x 384)
#   bench/retrieval/run.sh quality    just nDCG@10 on bench/retrieval/pg-questions.jsonl
#   bench/retrieval/run.sh vectors    BM25 vs all-MiniLM-L6-v2 vectors vs hybrid on pgdocs (embeds every chunk: see docs/PERFORMANCE.md for how long that took)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$repo/artifacts/pgdocs"
html="$data/x/usr/share/doc/postgresql-doc-15/html"
if [ ! -f "$html/runtime-config-client.html" ]; then
  mkdir -p "$data"
  ( cd "$data" && { apt-get download postgresql-doc-15 >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download postgresql-doc-15 >/dev/null; }; } )
  dpkg -x "$(ls "$data"/postgresql-doc-15_*.deb | head -1)" "$data/x"
fi
dotnet build "$repo/bench/retrieval" -c Release -v q --nologo -clp:ErrorsOnly >/dev/null
bench="dotnet $repo/bench/retrieval/bin/Release/net10.0/Lever.Retrieval.Bench.dll"
case "${1:-all}" in
  quality) $bench quality "$html" -v ;;
  compare) $bench compare "$html" ;;
  vectors) $bench vectors "$html" pgdocs "$repo/bench/retrieval/pg-questions.jsonl" "$repo/samples/pgdocs/questions.jsonl" --tune --hnsw --latency 3 --must-show "How do I limit how long a statement may run?" ;;
  hnsw) $bench hnsw --n 100000 --d 384; $bench hnsw --n 100000 --d 384 --latent 24 ;;
  *) $bench quality "$html"; $bench compare "$html"; $bench hnsw --n 100000 --d 384; $bench hnsw --n 100000 --d 384 --latent 24 ;;
esac
