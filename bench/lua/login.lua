-- POST /auth/login, cycling over the users in BENCH_LOGIN_USERS ("name:password,..."), each from
-- a random X-Forwarded-For address. Every answer must be 200.
local users = {}
for name, password in string.gmatch(os.getenv("BENCH_LOGIN_USERS") or "", "([^:,]+):([^,]+)") do
  table.insert(users, { name, password })
end
local next_user = 0

function request()
  next_user = next_user % #users + 1
  local user = users[next_user]
  local body = string.format('{"username":"%s","password":"%s"}', user[1], user[2])
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = bench_random_ip() }
  return wrk.format("POST", "/auth/login", headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then bench_count(status) end
end
