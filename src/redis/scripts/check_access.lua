-- KEYS: session hash, revoked-jti key. Runs on every authenticated request: one round trip.
if redis.call('EXISTS', KEYS[1]) == 0 then return 'session-ended' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'token-revoked' end
return 'active'
