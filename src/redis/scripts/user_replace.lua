-- KEYS: user JSON; ARGV: the JSON the caller read, the JSON to write.
-- Compare-and-set: an update never overwrites a concurrent one it did not see.
-- 1 replaced, 0 changed meanwhile (the caller retries), -1 the user is gone.
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
