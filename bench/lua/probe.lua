-- A light prober (GET, the URL given to wrk) beside another load: each connection waits
-- BENCH_PROBE_DELAY_MS between answers, so it adds little work and measures the latency others
-- see. wrk starts its latency clock when it writes a request, so the pause is not counted.
local pause = tonumber(os.getenv("BENCH_PROBE_DELAY_MS") or "10")

function delay()
  return pause
end
