-- check_access.lua for a request with a DPoP proof (RFC 9449), plus the proof's replay check in
-- the same round trip. KEYS[1]: the user's key base; ARGV: session id, jti, proof id (a digest
-- of the proof key and its jti), epoch ms until which the proof could be accepted.
-- Reply: 'active' | 'session-ended' | 'token-revoked' | 'proof-replayed'.
local base = KEYS[1]
local gen = redis.call('HGET', base .. 's:' .. ARGV[1], 'gen')
if not gen then return 'session-ended' end
if gen ~= (redis.call('GET', base .. 'gen') or '0') then return 'session-ended' end
if redis.call('EXISTS', base .. 'j:' .. ARGV[1] .. ':' .. ARGV[2]) == 1 then
  return 'token-revoked'
end
-- Under the user's hash tag: a proof is bound to one of this user's tokens (ath), so it can
-- only ever be replayed here.
if not redis.call('SET', base .. 'dp:' .. ARGV[3], '1', 'PXAT', ARGV[4], 'NX') then
  return 'proof-replayed'
end
return 'active'
