-- KEYS: a failed-login counter; ARGV: window (ms), limit. Reply: {count, pttl}.
-- One script, so the count and its expiry are set together: concurrent failures on several
-- instances never lose a count, and a counter never lives on without expiry (a lock forever).
-- The failure that reaches the limit restarts the window: the lock lasts a whole window.
local count = redis.call('INCR', KEYS[1])
if count == 1 or count == tonumber(ARGV[2]) or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}
