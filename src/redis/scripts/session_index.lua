-- KEYS: the user's set of session ids; ARGV: session id, its expiresAt, now (epoch ms).
-- The set lives as long as the user's longest session; ended ids are dropped when listed.
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) - tonumber(ARGV[3]) then
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
end
return 1
