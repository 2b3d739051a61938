-- Adds a passkey to a user, unless it is there already or the user has the most allowed.
-- KEYS[1] {u:<uid>}:passkeys (HASH id -> JSON)  KEYS[2] {u:<uid>}:passkeys:use (HASH id -> counter:lastUsedAt)
-- ARGV[1] the credential's key (SHA-256 of its id)  ARGV[2] JSON  ARGV[3] counter  ARGV[4] the most passkeys a user may have
-- Returns 'added', 'exists' or 'full'.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'exists' end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 'full' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. ':')
return 'added'
