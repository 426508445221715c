-- wrk script for the agrikg benchmark: cycle through the request paths listed in a file (one
-- per line) with an optional Accept header, and print a JSON summary the benchmark reads.
-- Usage: wrk ... -s rotate.lua URL -- PATHS_FILE [ACCEPT]
local paths = {}
local counter = 0
local accept = nil

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
  accept = args[2]
  counter = 0
end

function request()
  counter = counter % #paths + 1
  local headers = {}
  if accept and #accept > 0 then headers["Accept"] = accept end
  return wrk.format("GET", paths[counter], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '@@wrk {"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
