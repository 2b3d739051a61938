-- Appended to every wrk script by bench/lib/wrk.mjs: done() prints one line, BENCH_RESULT {json},
-- with the counts, errors and latency percentiles (microseconds) the harness reads. A script that
-- defines response() counts every non-2xx status itself in the global table `bench_statuses`;
-- without it, wrk's own count (answers >= 400, errors.status) is all there is.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local non2xx, statuses = 0, {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("bench_statuses") or {}
    for status, n in pairs(counted) do
      table.insert(statuses, string.format('"%s":%d', status, n))
      non2xx = non2xx + n
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
      '"countsStatuses":%s,"non2xx":%d,"statuses":{%s},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    tostring(response ~= nil), non2xx, table.concat(statuses, ","),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
