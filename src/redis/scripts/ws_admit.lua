-- KEYS: the user's sockets by admission order, and their leases (ZSETs of "<sessionId>:<socketId>"
-- under one hash tag per user). ARGV: session id, socket id, now (ms), lease (ms), per-session
-- cap, per-user cap. Reply: the members evicted (the session's oldest beyond its cap, then the
-- user's oldest beyond theirs); never the one admitted. Counting in and evicting are one step,
-- so concurrent admissions on any number of instances never leave more than the caps counted.
-- Admission order is a counter (highest score + 1), not a clock: instances' clocks differ.
local order, leases = KEYS[1], KEYS[2]
local now, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
local function forget(members)
  for _, member in ipairs(members) do
    redis.call('ZREM', order, member)
    redis.call('ZREM', leases, member)
  end
end
-- Sockets whose instance stopped renewing them (it crashed, or lost Redis) no longer count.
forget(redis.call('ZRANGEBYSCORE', leases, '-inf', now))
local session = ARGV[1] .. ':'
local last = redis.call('ZRANGE', order, -1, -1, 'WITHSCORES')
redis.call('ZADD', order, (tonumber(last[2]) or 0) + 1, session .. ARGV[2])
redis.call('ZADD', leases, now + lease, session .. ARGV[2])
local all = redis.call('ZRANGE', order, 0, -1)
local function ofSession(member) return string.sub(member, 1, #session) == session end
local inSession = 0
for _, member in ipairs(all) do
  if ofSession(member) then inSession = inSession + 1 end
end
local evicted, kept = {}, {}
local overSession = inSession - tonumber(ARGV[5])
for _, member in ipairs(all) do
  if overSession > 0 and ofSession(member) then
    table.insert(evicted, member)
    overSession = overSession - 1
  else
    table.insert(kept, member)
  end
end
for i = 1, #kept - tonumber(ARGV[6]) do table.insert(evicted, kept[i]) end
forget(evicted)
-- A backstop only: the keys of a user whose sockets all lapsed go away by themselves.
redis.call('PEXPIRE', order, lease)
redis.call('PEXPIRE', leases, lease)
return evicted
