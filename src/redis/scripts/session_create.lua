-- KEYS: session hash; ARGV: expiresAt (epoch ms), then field, value, field, value, ...
-- The session ends by itself at expiresAt; rotation never moves that.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
