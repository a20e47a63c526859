#!/usr/bin/env python3
"""A fake OpenAI-compatible chat endpoint for measuring the lab's hosted path without a real provider.

Every POST .../chat/completions waits LATENCY_MS (a hosted model's typical round trip), answers "spam" when the last
user turn mentions money/free/click, else "ham", and reports usage as characters/4 (system turn as cached input).
It measures the lab's plumbing (concurrency, resume, pricing), never a real model's accuracy or speed.
Usage: fake_openai.py PORT LATENCY_MS
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
LATENCY = float(sys.argv[2]) / 1000.0


def text(content):
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [])


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        messages = [(m["role"], text(m.get("content"))) for m in body["messages"]]
        last = [t for r, t in messages if r == "user"][-1].lower()
        time.sleep(LATENCY)
        answer = "spam" if any(w in last for w in ("money", "free", "click")) else "ham"
        prompt = sum((len(t) + 3) // 4 for _, t in messages)
        cached = sum((len(t) + 3) // 4 for r, t in messages if r == "system")
        reply = json.dumps({
            "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": 1, "total_tokens": prompt + 1,
                      "prompt_tokens_details": {"cached_tokens": cached}},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
