-- wrk script for the gateway benchmark.
--   BENCH_BODY_FILE  JSON body to POST ({"query": ..., "operationName": ...})
--   BENCH_MODE       unique | identical | single
--   BENCH_MIN_BYTES  a 200 response shorter than this counts as an error (truncated/empty data)
--   BENCH_RAMP_S     responses completed in the first BENCH_RAMP_S seconds are not counted in
--                    `steady_requests`: with many connections a gateway that interleaves
--                    requests completes nothing until its first batch is done, and a short
--                    window would charge that ramp to its throughput.
-- In `unique` mode every request carries its own Authorization header, so no gateway can
-- collapse concurrent requests; the other modes send one pre-built, byte-identical request.
-- A response counts as an error when its status is not 200, it carries a top-level "errors"
-- member, or it is too short. done() prints one JSON line prefixed with "BENCH_JSON ".

local body_file = os.getenv("BENCH_BODY_FILE")
local mode = os.getenv("BENCH_MODE") or "identical"
local min_bytes = tonumber(os.getenv("BENCH_MIN_BYTES") or "0")
local ramp_s = tonumber(os.getenv("BENCH_RAMP_S") or "0")

-- Wall-clock seconds (CLOCK_MONOTONIC) through LuaJIT's FFI; a wrk built on plain Lua has
-- only os.time(), whose whole seconds are still good enough to skip the ramp.
local now = os.time
local has_ffi, ffi = pcall(require, "ffi")
if has_ffi then
  ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
  ]]
  local timespec = ffi.new("bench_timespec")
  now = function()
    ffi.C.clock_gettime(1, timespec)
    return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
  end
end

local handle = assert(io.open(body_file, "rb"), "cannot open BENCH_BODY_FILE")
local body = handle:read("*a")
handle:close()

wrk.method = "POST"
wrk.path = "/graphql"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread runs its own Lua state).
bad_responses = 0
steady_requests = 0
local counter = 0
local steady_from = math.huge

function init(_)
  steady_from = now() + ramp_s
end

if mode == "unique" then
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  function request()
    counter = counter + 1
    headers["Authorization"] = "Bearer bench-" .. tostring(thread_id) .. "-" .. tostring(counter)
    return wrk.format(nil, nil, headers, body)
  end
end

function response(status, _, response_body)
  if now() >= steady_from then
    steady_requests = steady_requests + 1
  end
  if status ~= 200 or #response_body < min_bytes
      or string.find(response_body, '"errors"', 1, true) ~= nil then
    bad_responses = bad_responses + 1
    if bad_responses == 1 then
      -- One sample per thread, so the report can say what went wrong.
      io.stderr:write(string.format("BENCH_BAD status=%d bytes=%d body=%s\n",
        status, #response_body, string.sub(response_body, 1, 300):gsub("\n", " ")))
    end
  end
end

function done(summary, latency, _)
  local bad, steady = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("bad_responses") or 0)
    steady = steady + (thread:get("steady_requests") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, ' ..
    '"timeouts": %d, "bad_responses": %d, "steady_requests": %d, "ramp_s": %.3f}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout, bad, steady, ramp_s))
end
