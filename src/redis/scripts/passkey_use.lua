-- Records a verified passkey sign-in, only when the signature counter went forward (WebAuthn
-- §6.1.1): a counter at or below the stored one means a clone of the authenticator may exist.
-- Both at 0 is an authenticator that keeps no counter, and passes.
-- KEYS[1] {u:<uid>}:passkeys  KEYS[2] {u:<uid>}:passkeys:use  ARGV[1] credential key  ARGV[2] counter  ARGV[3] now (ms)
-- Returns {outcome, stored}: outcome 'ok', 'regressed' (nothing changed) or 'missing' (removed
-- meanwhile); stored the counter compared against (before this use), 0 when missing.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {'missing', 0} end
local used = redis.call('HGET', KEYS[2], ARGV[1]) or '0:'
local stored = tonumber(string.match(used, '^(%d+)')) or 0
local counter = tonumber(ARGV[2])
if (counter > 0 or stored > 0) and counter <= stored then return {'regressed', stored} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
return {'ok', stored}
