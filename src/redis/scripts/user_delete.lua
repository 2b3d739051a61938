-- KEYS: user JSON, email index, username index, id directory (ZSET), active admins (SET); ARGV: id.
-- Reply: 1 deleted, 0 no such user, -2 refused: the last active admin stays.
-- Frees an index only while it still points at this user, so a stale read of the user by the
-- caller can never free an email or username that now belongs to someone else.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SISMEMBER', KEYS[5], ARGV[1]) == 1 and redis.call('SCARD', KEYS[5]) <= 1 then
  return -2
end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
return 1
