# Sourced by bench/serving/*.sh.
#   serve ARGS…   starts `dotnet $work/lever-bin/lever.dll serve ARGS… --port 0 --workspace $work` in the background, logging
#                 to $work/serve.log, kills it on exit, and sets $pid and $url (…/v1) once it listens.
#   unlimited_server_yaml   prints lever.yaml's server section with the access log, rate and concurrency limits off
#                 (the figures are then the server's capacity, not the limiter's).
#   lua METHOD BODYFILE   prints a wrk script that sends BODYFILE (none when empty) with
# an Authorization header when LEVER_BENCH_KEY is set, counts statuses per thread (2xx, 429, 5xx, other) and ends with
#   RESULT 2xx 429 5xx other p50_ms p95_ms p99_ms req_per_s timeouts socket_errors
# Percentiles are wrk's latency histogram over every request (wrk does not correct for coordinated omission).
lua() {
  cat <<LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) c2 = 0; c429 = 0; c5 = 0; cother = 0 end
wrk.method = "$1"
wrk.headers["Content-Type"] = "application/json"
$( [ -n "${LEVER_BENCH_KEY:-}" ] && printf 'wrk.headers["Authorization"] = "Bearer %s"' "$LEVER_BENCH_KEY" )
$( [ -n "$2" ] && printf 'wrk.body = [[%s]]' "$(cat "$2")" )
function response(status, headers, body)
  if status >= 200 and status < 300 then c2 = c2 + 1 elseif status == 429 then c429 = c429 + 1 elseif status >= 500 then c5 = c5 + 1 else cother = cother + 1 end
end
function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("c2"); b = b + t:get("c429"); c = c + t:get("c5"); d = d + t:get("cother") end
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f %.1f %.1f %d %d\n", a, b, c, d,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.timeout, summary.errors.connect + summary.errors.read + summary.errors.write))
end
LUA
}

serve() {
  local log="$work/serve.log"
  dotnet "$work/lever-bin/lever.dll" serve "$@" --port 0 --workspace "$work" >"$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
  for _ in $(seq 600); do grep -q '^lever serve: http' "$log" 2>/dev/null && break; sleep 0.5; done
  url="$(sed -n 's/^lever serve: \(http[^ ]*\) .*/\1/p' "$log" | head -1)"
  [ -n "$url" ] || { cat "$log" >&2; exit 1; }
}

unlimited_server_yaml() {
  printf 'server:\n  access_log: false\n  limits:\n    requests_per_minute_per_key: 0\n    max_concurrent_requests_per_key: 0\n    max_concurrent_requests: 0\n'
}
