-- KEYS: user JSON, active admins (SET); ARGV: the JSON the caller read, the JSON to write, the
-- user's id, 1 when the written user is an active admin.
-- Compare-and-set: an update never overwrites a concurrent one it did not see.
-- 1 replaced, 0 changed meanwhile (the caller retries), -1 the user is gone, -2 refused: it
-- would demote, deactivate or otherwise remove the last active admin. The check and the write
-- are one step, so two admins demoting each other at once cannot both succeed.
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
local wasAdmin = redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 1
if wasAdmin and ARGV[4] ~= '1' and redis.call('SCARD', KEYS[2]) <= 1 then return -2 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
if ARGV[4] == '1' then
  redis.call('SADD', KEYS[2], ARGV[3])
else
  redis.call('SREM', KEYS[2], ARGV[3])
end
return 1
