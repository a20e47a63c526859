#!/usr/bin/env bash
# Permission properties at bench scale: the property tests of tests/Lever.Retrieval.Tests/PermissionPropertyTests.cs
# (the same generators, the same brute-force oracles) on N seeded cases each instead of CI's fixed ones — BM25 against
# brute force over the permitted subset, exact vectors + HNSW, filtered HNSW (with its recall), and hybrid search end
# to end through SQLite with exact vectors and with HNSW. Figures in docs/RELIABILITY.md.
#   bench/permissions/run.sh                 10,000 cases per property, seed 20261202
#   bench/permissions/run.sh 20000 7         20,000 cases, seed 7
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cases="${1:-10000}"
seed="${2:-20261202}"
report="$repo/artifacts/permissions-$cases-$seed.txt"
mkdir -p "$repo/artifacts"
: >"$report"
dotnet build "$repo/tests/Lever.Retrieval.Tests" -c Release -v q --nologo -clp:ErrorsOnly >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
LEVER_PERMISSION_CASES="$cases" LEVER_PERMISSION_SEED="$seed" LEVER_PERMISSION_REPORT="$report" \
  dotnet test "$repo/tests/Lever.Retrieval.Tests" -c Release --no-build --nologo \
  --filter "FullyQualifiedName~PermissionPropertyTests|FullyQualifiedName~PermissionEndToEndPropertyTests" \
  --logger "console;verbosity=normal" 2>&1 | grep -E "^\s+(Passed|Failed) |Total tests|Passed!|Failed!" || true
echo "wall: $(( $(date +%s) - start )) s; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$report"
