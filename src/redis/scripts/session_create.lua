-- KEYS[1]: the user's key base `{u:<userId>}:` (never written itself; every key below is the base
-- plus a suffix, so all share its hash tag and slot, and their names need not be listed upfront).
-- ARGV: generation, max sessions, last use (= now for a login), session id, expiresAt (epoch ms),
-- then field, value, ...
-- Reply: {'stale'} or {'created', evicted session id, ...}.
-- One script: the generation check, the write and the index entry are one step, so a logout-all
-- (which bumps the generation) either runs before (this login is stale) or after (it ends this
-- session); there is no moment in which a session exists unindexed.
local base = KEYS[1]
local index = base .. 'sessions'
if (redis.call('GET', base .. 'gen') or '0') ~= ARGV[1] then return {'stale'} end
-- Index entries whose session expired: safe to drop here, nothing can be half-created.
for _, sid in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  if redis.call('EXISTS', base .. 's:' .. sid) == 0 then redis.call('ZREM', index, sid) end
end
local sid = ARGV[4]
local session = base .. 's:' .. sid
redis.call('DEL', session, base .. 'r:' .. sid, base .. 'g:' .. sid)
redis.call('HSET', session, 'gen', ARGV[1], unpack(ARGV, 6))
redis.call('PEXPIREAT', session, ARGV[5])
-- Scored by last use: the cap ends the least recently used sessions (ids break ties: UUIDv7).
redis.call('ZADD', index, ARGV[3], sid)
if redis.call('PTTL', index) < tonumber(ARGV[5]) - tonumber(ARGV[3]) then
  redis.call('PEXPIREAT', index, ARGV[5])
end
local reply = {'created'}
local over = redis.call('ZCARD', index) - tonumber(ARGV[2])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', index, 0, over - 1)) do
    redis.call('DEL', base .. 's:' .. old, base .. 'r:' .. old, base .. 'g:' .. old)
    redis.call('ZREM', index, old)
    reply[#reply + 1] = old
  end
end
return reply
