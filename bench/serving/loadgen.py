#!/usr/bin/env python3
"""A small load generator for an OpenAI-compatible server (stdlib only): C concurrent clients, each sending N chat
completions one after another, client i asking model MODELS[i % len(MODELS)]. Prints one JSON line: requests, wall
seconds, requests/s, generated tokens/s, latency p50/p95 (ms) and errors.
Usage: loadgen.py BASE_URL --models a,b,c,d --clients 8 --requests 4 --max-tokens 32 [--key K]"""
import argparse, json, statistics, threading, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("base_url")
ap.add_argument("--models", required=True)
ap.add_argument("--clients", type=int, default=8)
ap.add_argument("--requests", type=int, default=4)
ap.add_argument("--max-tokens", type=int, default=32)
ap.add_argument("--key", default="")
args = ap.parse_args()
models = args.models.split(",")
prompts = ["Write about the sea.", "Name three colours.", "What is a tree?", "Tell me a story.", "Count to five."]
latencies, tokens, errors, lock = [], [0], [0], threading.Lock()

def client(i):
    for j in range(args.requests):
        urls = [u.strip() for u in args.base_url.split(",")]
        url = urls[i % len(urls)]   # several servers (merged copies): client i talks to server i mod n
        body = json.dumps({"model": models[i % len(models)], "messages": [{"role": "user", "content": prompts[(i + j) % len(prompts)]}],
                           "max_tokens": args.max_tokens, "temperature": 0}).encode()
        req = urllib.request.Request(url + "/chat/completions", data=body, headers={"content-type": "application/json", "authorization": "Bearer " + args.key})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=600) as r:
                usage = json.load(r)["usage"]
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                tokens[0] += usage["completion_tokens"]
        except Exception as e:  # counted, not fatal: the figures say how many failed
            with lock:
                errors[0] += 1
                print("error:", e, flush=True)

threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
t0 = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - t0
lat = sorted(latencies)
p = lambda q: lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))] if lat else None
print(json.dumps({"requests": len(lat), "errors": errors[0], "wall_s": round(wall, 2), "req_per_s": round(len(lat) / wall, 3),
                  "tokens_per_s": round(tokens[0] / wall, 1), "p50_ms": round(p(0.5)), "p95_ms": round(p(0.95)),
                  "mean_ms": round(statistics.mean(lat)) if lat else None}))
