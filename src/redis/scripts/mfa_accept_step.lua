-- Accepts a TOTP code's time step once: only a step later than every step accepted before
-- (RFC 6238 §5.2: a code is never accepted twice, nor an older one after a newer). With a
-- sign-in challenge, claims it in the same step: of two requests racing with one mfa_token, the
-- loser accepts nothing.
-- Variable key count: 1 without a challenge, 2 with one.
-- KEYS[1] {u:<uid>}:mfa (HASH)  KEYS[2] {u:<uid>}:mfa:used:<challenge> (STRING, PX), optional
-- ARGV[1] sealed secret the code was checked with  ARGV[2] step  ARGV[3] claim's lifetime (ms)
-- Returns 'used'; 'claimed' the challenge was claimed already (nothing changed); 'replayed' the
-- step is not later than the last accepted; 'refused' the factor is gone or was replaced since
-- it was read.
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 'claimed' end
if redis.call('HGET', KEYS[1], 'secret') ~= ARGV[1] then return 'refused' end
local last = tonumber(redis.call('HGET', KEYS[1], 'step'))
if last and tonumber(ARGV[2]) <= last then return 'replayed' end
redis.call('HSET', KEYS[1], 'step', ARGV[2])
if KEYS[2] then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
return 'used'
