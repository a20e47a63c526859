#!/usr/bin/env bash
# ./test.sh [dotnet test args]: installs what the tests need, builds, runs every test project, and ends
# with one line "N passed, N failed[, N skipped]" summing them all. Non-zero exit on any failure.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$repo"
mkdir -p artifacts
build/setup.sh --tests || exit 1
# Tests are hermetic: with OPENAI_API_KEY exported, `lever lab` would add hosted rows that call OpenAI.
unset OPENAI_API_KEY OPENAI_BASE_URL

log=artifacts/build.log
if ! dotnet build Lever.slnx -c Release -v q --nologo -clp:ErrorsOnly >"$log" 2>&1; then
  grep -E 'error' "$log" | sort -u | head -40
  echo "build failed (full log: $log)"
  echo "0 passed, 1 failed"
  exit 1
fi

results=artifacts/test.log
dotnet test Lever.slnx -c Release --no-build --nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$results"
status=${PIPESTATUS[0]}

projects=$(grep -c '<Project Path="tests/' Lever.slnx)
# VSTest prints one block per test project: "Total tests: N", then "Passed: N", "Failed: N", "Skipped: N" (zero counts omitted).
reported=$(grep -cE '^Total tests: [0-9]+' "$results" || true)
count() { grep -E "^ +$1: [0-9]+\s*$" "$results" | sed -nE 's/.*: ([0-9]+).*/\1/p' | awk '{s+=$1} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
# A test project that crashed or found no tests prints no summary: count it as a failure, never as a pass.
empty=$(grep -c 'No test is available' "$results" || true)
missing=$(( projects - reported - empty ))
if [ "$missing" -gt 0 ]; then
  echo "warning: $missing test project(s) printed no result (crashed, aborted or empty)"
  failed=$(( failed + missing ))
fi
[ "$failed" -gt 0 ] && [ "$status" -eq 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
