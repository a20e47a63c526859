#!/usr/bin/env bash
# ./test.sh [--fast] [dotnet test args]: installs what the tests need, builds, runs every test project, prints each
# project's log and wall time, and ends with one line "N passed, N failed, N skipped" summing them all.
# Non-zero exit on any failure.
#   --fast (or LEVER_TEST_FAST=1)  skips the tests tagged [Trait("tier", "slow")] (over 20 s each) for a quick local
#                                  loop; CI runs without it, so every test runs there.
#   LEVER_TEST_JOBS=N              test projects run N at a time (default: the number of CPUs, as `dotnet test` does).
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$repo"

fast=${LEVER_TEST_FAST:-0}
args=()
filter=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) fast=1 ;;
    --filter) filter="$2"; shift ;;
    --filter=*) filter="${1#--filter=}" ;;
    *) args+=("$1") ;;
  esac
  shift
done
if [ "$fast" = 1 ]; then filter="${filter:+($filter)&}tier!=slow"; fi
[ -n "$filter" ] && args+=(--filter "$filter")

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

# The test projects are the solution's tests/*.Tests projects (tests/Lever.Testing is the shared kit, not one of them).
mapfile -t projects < <(sed -nE 's|.*<Project Path="(tests/[^"]*\.Tests\.csproj)".*|\1|p' Lever.slnx)
logs=artifacts/test-logs
rm -rf "$logs"
mkdir -p "$logs"

# One project: its own `dotnet test` (so its log is not interleaved with the others' and its wall time is its own),
# then its log printed whole once it is done. <name>.log, .rc and .ms land in $logs.
run_project() {
  local project=$1 name start
  name=$(basename "$project" .csproj)
  start=$(date +%s%N)
  dotnet test "$project" -c Release --no-build --nologo --logger "console;verbosity=normal" "${args[@]}" >"$logs/$name.log" 2>&1
  echo $? >"$logs/$name.rc"
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$logs/$name.ms"
  { flock 9; cat "$logs/$name.log"; } 9>"$logs/.print.lock"
}

jobs_max=${LEVER_TEST_JOBS:-$(nproc)}
for project in "${projects[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  run_project "$project" &
done
wait
cat "$logs"/*.log >artifacts/test.log

# VSTest prints one block per test project: "Total tests: N", then "Passed: N", "Failed: N", "Skipped: N" (zero counts omitted).
count() { grep -E "^ +$1: [0-9]+\s*$" "$2" | sed -nE 's/.*: ([0-9]+).*/\1/p' | awk '{s+=$1} END {print s+0}'; }
passed=0 failed=0 skipped=0 status=0 silent=0
table=()
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  f="$logs/$name.log"
  p=$(count Passed "$f") x=$(count Failed "$f") s=$(count Skipped "$f")
  rc=$(cat "$logs/$name.rc") ms=$(cat "$logs/$name.ms")
  note=""
  # A test project that crashed prints no summary: count it as a failure, never as a pass. One with no tests (or
  # none left by the filter) says so and is not a failure.
  if ! grep -qE '^Total tests: [0-9]+' "$f"; then
    if grep -qE 'No test is available|No test matches the given testcase filter' "$f"; then
      note="  (no tests ran)"
    else
      note="  (printed no result: crashed, aborted or empty)"
      silent=$(( silent + 1 ))
      x=$(( x + 1 ))
    fi
  fi
  [ "$rc" -ne 0 ] && status=1
  passed=$(( passed + p )) failed=$(( failed + x )) skipped=$(( skipped + s ))
  secs=$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')
  table+=("$(printf '%08d  %-26s %7s s  %4d passed  %3d failed  %3d skipped%s' "$ms" "$name" "$secs" "$p" "$x" "$s" "$note")")
done

echo
echo "Wall time per test project ($jobs_max at a time${filter:+, filter: $filter}), slowest first:"
printf '%s\n' "${table[@]}" | sort -r | cut -c11- | sed 's/^/  /'
[ "$silent" -gt 0 ] && echo "warning: $silent test project(s) printed no result (crashed, aborted or empty)"
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
