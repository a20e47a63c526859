#!/usr/bin/env python3
# Compares two lab summary.json files field by field, setting aside latency, cost and time fields (they move with
# machine load): what a refactoring must leave unchanged is everything else.
#   python3 bench/lab/compare_summaries.py BEFORE/summary.json AFTER/summary.json
import json, sys
VOLATILE = ("latency", "cost", "train_seconds", "_usd", "seconds")
def flat(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items(): yield from flat(v, f"{path}.{k}" if path else k)
    elif isinstance(x, list):
        for i, v in enumerate(x): yield from flat(v, f"{path}[{i}]")
    else: yield path, x
a = dict(flat(json.load(open(sys.argv[1])))); b = dict(flat(json.load(open(sys.argv[2]))))
same = diff_volatile = 0; other = []
for k in sorted(set(a) | set(b)):
    if a.get(k) == b.get(k): same += 1; continue
    if any(v in k.split(".")[-1] for v in VOLATILE): diff_volatile += 1; continue
    other.append((k, a.get(k, "<absent>"), b.get(k, "<absent>")))
print(f"{same} fields equal, {diff_volatile} latency/cost/time fields differ, {len(other)} other fields differ")
for k, x, y in other: print(f"  {k}: {x!r} -> {y!r}")
