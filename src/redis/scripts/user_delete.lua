-- KEYS: user JSON, email index, username index, id directory (ZSET); ARGV: id.
-- Frees an index only while it still points at this user, so a stale read of the user by the
-- caller can never free an email or username that now belongs to someone else.
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
redis.call('ZREM', KEYS[4], ARGV[1])
return 1
