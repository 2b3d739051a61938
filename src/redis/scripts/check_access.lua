-- KEYS[1]: the user's key base; ARGV: session id, jti. Runs on every authenticated request: one
-- round trip. A session of an older credential generation is dead even if its hash still exists.
local base = KEYS[1]
local gen = redis.call('HGET', base .. 's:' .. ARGV[1], 'gen')
if not gen then return 'session-ended' end
if gen ~= (redis.call('GET', base .. 'gen') or '0') then return 'session-ended' end
if redis.call('EXISTS', base .. 'j:' .. ARGV[1] .. ':' .. ARGV[2]) == 1 then
  return 'token-revoked'
end
return 'active'
