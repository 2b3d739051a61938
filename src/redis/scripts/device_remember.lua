-- KEYS[1]: the user's key base; ARGV: generation, device id, expiresAt (ms), now (ms), max devices.
-- Reply: 1 remembered, 0 stale (the generation moved on: the login that earned it is void).
-- The newest `max` devices are kept, each until its own expiry.
local base = KEYS[1]
local devices = base .. 'devices'
if (redis.call('GET', base .. 'gen') or '0') ~= ARGV[1] then return 0 end
redis.call('ZREMRANGEBYSCORE', devices, '-inf', ARGV[4])
redis.call('ZADD', devices, ARGV[3], ARGV[2])
local over = redis.call('ZCARD', devices) - tonumber(ARGV[5])
if over > 0 then
  -- Scores are expiries and every device lives equally long: the lowest are the oldest.
  redis.call('ZREMRANGEBYRANK', devices, 0, over - 1)
end
if redis.call('PTTL', devices) < tonumber(ARGV[3]) - tonumber(ARGV[4]) then
  redis.call('PEXPIREAT', devices, ARGV[3])
end
return 1
