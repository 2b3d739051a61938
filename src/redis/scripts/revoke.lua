-- KEYS[1]: the user's key base; ARGV: session id. Reply: 1 when the session was live.
-- Revoked jti keys of the session are left to expire: without the session they grant nothing.
local base, sid = KEYS[1], ARGV[1]
local live = redis.call('DEL', base .. 's:' .. sid)
redis.call('DEL', base .. 'r:' .. sid, base .. 'g:' .. sid)
redis.call('ZREM', base .. 'sessions', sid)
return live
