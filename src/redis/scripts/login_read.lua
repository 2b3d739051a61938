-- KEYS: a failed-login counter. Reply: {count, pttl} (count 0 and pttl < 0 when there is none).
-- Read in one script so the count and the time left belong to the same window.
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
return {count, redis.call('PTTL', KEYS[1])}
