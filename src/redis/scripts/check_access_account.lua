-- check_access.lua (or check_access_dpop.lua, when ARGV[3] is not '') and the caller's account
-- read in one script: the per-request check of a route that answers with the account (GET
-- /auth/me) in one command instead of two. KEYS[1]: the user's key base, KEYS[2]: the user's
-- record. The two keys lie in different Cluster slots: only a single Redis (standalone or
-- Sentinel) runs this; a Cluster sends the two commands (src/users/stores/caller-lookup.ts).
-- ARGV: session id, jti, proof id or '', epoch ms until which the proof could be accepted.
-- Reply: { state } or, when the state is 'active', { 'active', user JSON or false }.
local base = KEYS[1]
local gen = redis.call('HGET', base .. 's:' .. ARGV[1], 'gen')
if not gen then return { 'session-ended' } end
if gen ~= (redis.call('GET', base .. 'gen') or '0') then return { 'session-ended' } end
if redis.call('EXISTS', base .. 'j:' .. ARGV[1] .. ':' .. ARGV[2]) == 1 then
  return { 'token-revoked' }
end
if ARGV[3] ~= '' and not redis.call('SET', base .. 'dp:' .. ARGV[3], '1', 'PXAT', ARGV[4], 'NX') then
  return { 'proof-replayed' }
end
return { 'active', redis.call('GET', KEYS[2]) }
