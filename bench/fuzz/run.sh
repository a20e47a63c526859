#!/usr/bin/env bash
# Coverage-guided fuzzing of Lever's parsers with AFL++ and SharpFuzz (outside CI; CI replays bench/fuzz/corpus and
# bench/fuzz/crashes instead). Needs Debian's afl++ and the SharpFuzz CLI (both installed here when missing):
#   bench/fuzz/run.sh                       every target, 600 s each, one after another
#   bench/fuzz/run.sh 180 csv mail          180 s each for csv and mail
# Findings go to artifacts/fuzz/findings/TARGET (crashes/, hangs/, fuzzer_stats); a crash found is fixed, then its
# input is copied to bench/fuzz/crashes/TARGET so CI replays it for ever. docs/RELIABILITY.md has the figures.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-600}"
shift || true
out="${LEVER_FUZZ_OUT:-$repo/artifacts/fuzz}"
command -v afl-fuzz >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null

# Build once, then instrument Lever's assemblies and the third-party parsers they hand input to (coverage comes
# from these; the framework's System.Text.Json cannot be instrumented).
# LEVER_FUZZ_REUSE=1 keeps an earlier instrumented build (same sources); LEVER_FUZZ_OUT moves artifacts/fuzz elsewhere.
# The instrumented build only runs under afl-fuzz (outside it, it has no shared memory to write coverage to and fails
# with AccessViolationException): replay inputs with the plain build, bench/fuzz/bin/Release/net10.0/Lever.Fuzz.
if [ "${LEVER_FUZZ_REUSE:-0}" != 1 ] || [ ! -f "$out/bin/Lever.Fuzz.dll" ]; then
  rm -rf "$out/bin"
  # The build output, copied (not `dotnet publish`: its folder lacks the libtorch natives the build lays out, and
  # the copy must not share hard links with bin/, which the instrumentation rewrites in place).
  dotnet build "$repo/bench/fuzz" -c Release -v q --nologo -clp:ErrorsOnly >/dev/null
  mkdir -p "$out/bin"
  cp -rL "$repo/bench/fuzz/bin/Release/net10.0/." "$out/bin/"
  for dll in "$out"/bin/Lever.*.dll "$out"/bin/YamlDotNet.dll "$out"/bin/Microsoft.ML.Tokenizers.dll "$out"/bin/AngleSharp.dll; do
    case "$(basename "$dll")" in Lever.Fuzz.dll|Lever.Testing.dll) continue ;; esac
    [ -f "$dll" ] && sharpfuzz "$dll" >/dev/null
  done
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(dotnet "$out/bin/Lever.Fuzz.dll" list | awk '{print $1}')
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1
# 512 MiB of managed heap: an input that needs more fails with OutOfMemoryException, which AFL records as a crash.
export DOTNET_GCHeapHardLimit=0x20000000
for t in "${targets[@]}"; do
  rm -rf "$out/findings/$t"
  mkdir -p "$out/findings"
  echo "== $t: ${seconds}s, load $(cut -d' ' -f1-3 /proc/loadavg)"
  # -t 5000: an input that runs over 5 s is a hang.
  afl-fuzz -i "$repo/bench/fuzz/corpus/$t" -o "$out/findings/$t" -x "$repo/bench/fuzz/dictionaries/$t.dict" \
    -t 5000 -m none -V "$seconds" -- dotnet "$out/bin/Lever.Fuzz.dll" run "$t" >"$out/findings/$t.log" 2>&1 || { tail -20 "$out/findings/$t.log"; continue; }
  stats="$out/findings/$t/default/fuzzer_stats"
  awk -F' *: ' '/^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|stability)/ {printf "%s=%s ", $1, $2} END {print ""}' "$stats"
  echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
