-- KEYS: session hash, retired refresh hashes. Reply: 1 when the session was live.
-- Revoked jti keys of the session are left to expire: without the session they grant nothing.
local live = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
return live
