-- KEYS: user JSON, email index, username index, id directory (ZSET), active admins (SET);
-- ARGV: id, user JSON, 1 when the user is an active admin.
-- Check and write in one script: two concurrent registrations of one email or username can
-- never both win (a check-then-write from the client could). Reports the first conflict.
if redis.call('EXISTS', KEYS[2]) == 1 then return 'email' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'username' end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'id' end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], 0, ARGV[1])
if ARGV[3] == '1' then redis.call('SADD', KEYS[5], ARGV[1]) end
return 'ok'
