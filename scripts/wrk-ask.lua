-- wrk script for `POST /v1/ask` (used by scripts/bench-ask.sh).
--
--   ASK_BODIES=FILE  one complete JSON request body per line, e.g. {"text": "How do I reset my password?"}
--   ASK_TOKEN=T      sent as `Authorization: Bearer T`
--
-- Each thread walks the bodies in order from its own offset, so concurrent
-- connections ask different questions. At the end one line is printed for the
-- caller to parse:
--   ASK-RESULT requests=N duration_s=S rps=R p50_ms=… p90_ms=… p99_ms=… p999_ms=… max_ms=… mean_ms=… errors=E non2xx=X

local bodies = {}
local threads = {}
local counter = 0

local function load_bodies()
  local path = os.getenv("ASK_BODIES")
  if path == nil or path == "" then
    error("wrk-ask.lua: set ASK_BODIES to a file of JSON request bodies, one per line")
  end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    if line:match("%S") then bodies[#bodies + 1] = line end
  end
  file:close()
  if #bodies == 0 then error("wrk-ask.lua: " .. path .. " has no bodies") end
end

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
  threads[#threads + 1] = thread
end

local requests = {}
local next_index = 1

function init(args)
  load_bodies()
  local token = os.getenv("ASK_TOKEN") or ""
  local headers = { ["Content-Type"] = "application/json" }
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", "/v1/ask", headers, body)
  end
  -- Spread threads over the list: thread k starts k/threads of the way in.
  local index = tonumber(thread_index) or 1
  next_index = ((index - 1) * 61) % #requests + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

function done(summary, latency, requests_)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  local function ms(us) return string.format("%.3f", us / 1000) end
  io.write(string.format(
    "ASK-RESULT requests=%d duration_s=%.2f rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s p999_ms=%s max_ms=%s mean_ms=%s errors=%d non2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency:percentile(99.9)), ms(latency.max), ms(latency.mean), errors, e.status))
end
