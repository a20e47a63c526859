#!/usr/bin/env bash
# bench/training/run.sh [presets] [steps] [batch] [seq_len] [threads] [precision: f32|bf16]
# Training throughput (tokens/s of forward + backward + optimizer) and peak memory of Lever's `lever train` against
# PyTorch from Debian (apt-get install python3-torch; with libopenblas0-pthread, as the generic BLAS is ~10x slower)
# running the same model, batch, sequence length, steps and thread count: bench/training/torch_reference.py.
# The anchor runs with the memory settings Lever's run chose (gradient_checkpointing, return_freed_memory in its summary),
# pinned threads, --repeats runs (default 5) after a warm-up step; a ratio whose anchor spread exceeds 15% reads
# "anchor unstable" and is no claim. Results: artifacts/bench-training/results.md (copy the table into docs/PERFORMANCE.md).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
presets="${1:-small base}"; steps="${2:-5}"; batch="${3:-4}"; seq="${4:-128}"; threads="${5:-2}"; precision="${6:-f32}"; repeats="${REPEATS:-5}"
out="$repo/artifacts/bench-training"; mkdir -p "$out"
py=/usr/bin/python3
$py -c "import torch" 2>/dev/null || { echo "install the anchor first: sudo apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 1; }
dotnet build "$repo/src/Lever.Cli" -c Release -v q --nologo -clp:ErrorsOnly >/dev/null
lever=(dotnet "$repo/src/Lever.Cli/bin/Release/net10.0/lever.dll")

$py - "$out/data.jsonl" <<'PY'
import json, random, sys
random.seed(0)
words = "the of and to in is was for on that with as by at from his her an which or be are this had not".split()
with open(sys.argv[1], "w") as f:
    for _ in range(400):
        f.write(json.dumps({"text": " ".join(random.choice(words) for _ in range(80))}) + "\n")
PY

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt" >&2
: >"$out/results.jsonl"
for preset in $presets; do
  rm -rf "$out/model-$preset"
  "${lever[@]}" model init --config "$preset" -o "$out/model-$preset" >/dev/null
  for method in full lora qlora; do
    rm -rf "$out/run-$preset-$method"
    "${lever[@]}" train --method "$method" -m "$out/model-$preset" --data "$out/data.jsonl" -o "$out/run-$preset-$method" \
      --steps "$steps" --batch "$batch" --seq-len "$seq" --val-fraction 0 --eval-every 0 --checkpoint-every 100000 \
      --threads "$threads" --precision "$precision" --json 2>/dev/null | tail -1 | $py -c "import json,sys; d=json.load(sys.stdin); d.update(impl='lever', preset='$preset'); print(json.dumps(d))" >>"$out/results.jsonl"
    memory=$(tail -1 "$out/results.jsonl" | $py -c "import json,sys; d=json.load(sys.stdin); print(str(d.get('gradient_checkpointing', False)).lower(), str(d.get('return_freed_memory', False)).lower())")
    $py "$repo/bench/training/torch_reference.py" --preset "$preset" --method "$method" --steps "$steps" --batch "$batch" --seq-len "$seq" --threads "$threads" --precision "$precision" \
      --repeats "$repeats" --gradient-checkpointing "${memory% *}" --return-freed-memory "${memory#* }" >>"$out/results.jsonl"
    echo "done: $preset $method" >&2
  done
done

$py - "$out/results.jsonl" "$steps" "$batch" "$seq" "$threads" "$precision" >"$out/results.md" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
steps, batch, seq, threads, precision = sys.argv[2:]
print(f"steps {steps}, batch {batch}, seq-len {seq}, {threads} threads, precision {precision}; {open(sys.argv[1].replace('results.jsonl', 'load.txt')).read().strip()}")
anchors = {r.get("blas") for r in rows if r["impl"] != "lever"}
print(f"PyTorch BLAS (Debian alternatives): {', '.join(sorted(map(str, anchors)))}; PyTorch tok/s is the median of its runs (min-max), stable when (max-min)/median <= 15%\n")
print("| preset | method | Lever tok/s | PyTorch tok/s | ratio | Lever peak MiB | PyTorch peak MiB | trainable / total |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
full = {}
for r in rows:
    if r["impl"] == "lever" and r["method"] == "full": full[r["preset"]] = r
for r in rows:
    if r["impl"] != "lever": continue
    t = next(x for x in rows if x["impl"] != "lever" and x["preset"] == r["preset"] and x["method"] == r["method"])
    share = 100 * r["trainable_params"] / r["total_params"]
    ratio = f"{r['tokens_per_second']/t['tokens_per_second']:.2f}x" if t.get("stable", True) else f"anchor unstable (spread {t['spread']:.0%})"
    anchor = f"{t['tokens_per_second']:.0f} ({t.get('tokens_per_second_min', 0):.0f}-{t.get('tokens_per_second_max', 0):.0f})"
    print(f"| {r['preset']} | {r['method']} | {r['tokens_per_second']:.0f} | {anchor} | {ratio} | "
          f"{r['peak_memory_mb']:.0f} | {t['peak_memory_mb']:.0f} | {r['trainable_params']:,} / {r['total_params']:,} ({share:.2f}%) |")
for p, f in full.items():
    for m in ("lora", "qlora"):
        r = next((x for x in rows if x["impl"] == "lever" and x["preset"] == p and x["method"] == m), None)
        if r: print(f"\n{p}: {m} peak memory = {r['peak_memory_mb']/f['peak_memory_mb']:.2f}x full" + (f"; NF4 base weights = {r['base_weight_memory_ratio']:.3f}x F32" if r.get("base_weight_memory_ratio") else ""))
PY
cat "$out/results.md"
