#!/usr/bin/env bash
# bench/engine/json_mask.sh: what constrained decoding (response_format) costs per token. The tiny preset (random
# weights, the default byte-level tokenizer: 4,096 ids) continues one prompt for 256 tokens, sampled (temperature 1,
# no top-k/top-p) with seeds 1-3: free text, --json (json_object) and --json-schema (a 5-property object), on the
# TorchSharp engine and on its F32 GGUF in llama.cpp. Prints the load average first, then one stats line per run
# (tokens/s is decode only: after the first token).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dll="$repo/src/Lever.Cli/bin/Release/net10.0/lever.dll"
[ -f "$dll" ] || dotnet build "$repo/src/Lever.Cli" -c Release -v q --nologo -clp:ErrorsOnly
work="${LEVER_BENCH_DIR:-$repo/artifacts/bench-json}"
mkdir -p "$work" && cd "$work"
lever() { dotnet "$dll" "$@"; }
[ -f tiny/config.json ] || lever model init --config tiny -o tiny --seed 1 >/dev/null
[ -f tiny.gguf ] || lever model export-gguf -m tiny -o tiny.gguf >/dev/null
cat > person.schema.json <<'JSON'
{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tier":{"enum":["gold","silver"]},
 "tags":{"type":"array","items":{"type":"string"},"maxItems":3},"active":{"type":"boolean"}},
 "required":["name","age","tier"],"additionalProperties":false}
JSON
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
for model in tiny tiny.gguf; do
  for mode in free json schema; do
    for seed in 1 2 3; do
      args=()
      case "$mode" in json) args=(--json) ;; schema) args=(--json-schema person.schema.json) ;; esac
      printf '%-9s %-6s seed %s: ' "$model" "$mode" "$seed"
      lever generate -m "$model" -p "The weather today is" -n 256 -t 1 --top-k 0 --top-p 1 --seed "$seed" "${args[@]}" 2>&1 >/dev/null | tail -1
    done
  done
done
