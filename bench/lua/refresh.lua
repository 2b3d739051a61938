-- POST /auth/refresh as a chain of rotations: each refresh token is used once. The pool starts
-- with one pre-issued session per connection (the file BENCH_REFRESH_TOKENS, one token a line);
-- request() takes a token, response() puts back the new one from the JSON body. wrk calls
-- request() for a connection only after its previous answer was handled, so the pool never runs
-- dry while every answer carries a token; if it does, that is counted ("pool-empty").
-- wrk 4.1 first calls request() once on thread 0's state to inspect the request, and never sends
-- it (the harness runs one thread): that dry run takes no token.
local pool = {}
local dry_run = true
local file = assert(io.open(os.getenv("BENCH_REFRESH_TOKENS"), "r"))
for line in file:lines() do
  if #line > 0 then table.insert(pool, line) end
end
file:close()

function request()
  local token = dry_run and "dry-run" or table.remove(pool)
  dry_run = false
  if token == nil then
    bench_count("pool-empty")
    token = "pool-empty"
  end
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = bench_random_ip() }
  return wrk.format("POST", "/auth/refresh", headers, '{"refresh_token":"' .. token .. '"}')
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bench_count(status)
    return
  end
  local token = string.match(body, '"refresh_token":"([^"]+)"')
  if token then table.insert(pool, token) else bench_count("no-token") end
end
