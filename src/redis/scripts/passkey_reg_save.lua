-- Keeps the challenge of a registration for the session that asked for it, replacing only that
-- session's earlier one: each session of the user has its own field, so two sessions can neither
-- overwrite nor use each other's. Expired fields are dropped on the way (a user has few sessions).
-- KEYS[1] {u:<uid>}:passkeys:reg (HASH session id -> "<expiresAt ms>:<challenge>")
-- ARGV[1] session id  ARGV[2] "<expiresAt>:<challenge>"  ARGV[3] now (ms)  ARGV[4] ttl (ms)
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local expiresAt = tonumber(string.match(entries[i + 1], '^(%d+):'))
  if not expiresAt or expiresAt <= now then redis.call('HDEL', KEYS[1], entries[i]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
-- The key outlives its newest field, so nothing is left behind once every challenge expired.
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
