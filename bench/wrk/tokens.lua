-- wrk script for bench/platform.py: POSTs BENCH_BODY_FILE to /graphql, each request with the
-- next bearer token of BENCH_TOKENS_FILE (one per line), so every signed-in demo user takes turns
-- and no request can be collapsed with another. A response counts as bad unless it is a 200
-- without a top-level "errors" member. done() prints one JSON line prefixed with "BENCH_JSON ".

local function read(path)
  local handle = assert(io.open(path, "rb"), "cannot open " .. path)
  local text = handle:read("*a")
  handle:close()
  return text
end

local body = read(os.getenv("BENCH_BODY_FILE"))
local tokens = {}
for line in read(os.getenv("BENCH_TOKENS_FILE")):gmatch("[^\n]+") do
  table.insert(tokens, line)
end

local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

bad_responses = 0
local counter = 0
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function request()
  counter = counter + 1
  headers["Authorization"] = "Bearer " .. tokens[((counter + offset) % #tokens) + 1]
  return wrk.format("POST", "/graphql", headers, body)
end

function response(status, _, response_body)
  if status ~= 200 or string.find(response_body, '"errors"', 1, true) ~= nil then
    bad_responses = bad_responses + 1
    if bad_responses == 1 then
      io.stderr:write(string.format("BENCH_BAD status=%d body=%s\n", status, string.sub(response_body, 1, 300)))
    end
  end
end

function done(summary, latency, _)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("bad_responses") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "bad_responses": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, bad))
end
