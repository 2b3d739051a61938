-- Shared by the scripts that build their own requests: a random client address per request (the
-- service runs with TRUST_PROXY=true, so X-Forwarded-For names the client for the throttles and
-- brute-force counters; loopback only, nothing leaves the machine) and a count of non-2xx answers.
bench_statuses = {}

function init(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end

function bench_random_ip()
  return string.format("%d.%d.%d.%d", math.random(11, 223), math.random(0, 255),
    math.random(0, 255), math.random(1, 254))
end

function bench_count(status)
  local key = tostring(status)
  bench_statuses[key] = (bench_statuses[key] or 0) + 1
end
