-- Accepts a TOTP code's time step once: only a step later than every step accepted before
-- (RFC 6238 §5.2: a code is never accepted twice, nor an older one after a newer).
-- KEYS[1] {u:<uid>}:mfa (HASH)  ARGV[1] sealed secret the code was checked with  ARGV[2] step
-- Returns 1 accepted; 0 a replay, or the factor is gone or was replaced since it was read.
if redis.call('HGET', KEYS[1], 'secret') ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'step'))
if last and tonumber(ARGV[2]) <= last then return 0 end
redis.call('HSET', KEYS[1], 'step', ARGV[2])
return 1
