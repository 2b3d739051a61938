-- KEYS[1]: the user's key base; ARGV: session id, presented hash, next hash, now (ms), the
-- thumbprint of the request's DPoP key ('' without a proof).
-- Reply: {status, field, value, ...} with status rotated | reused | invalid | dpop-mismatch.
-- One script, so of concurrent rotations with one hash exactly one finds it current.
local base, sid = KEYS[1], ARGV[1]
local session, retired, index = base .. 's:' .. sid, base .. 'r:' .. sid, base .. 'sessions'
local current = redis.call('HGET', session, 'refreshHash')
if not current then return {'invalid'} end
-- Born under an older credential generation: ended by a change that raced its login.
if redis.call('HGET', session, 'gen') ~= (redis.call('GET', base .. 'gen') or '0') then
  redis.call('DEL', session, retired)
  redis.call('ZREM', index, sid)
  return {'invalid'}
end
-- DPoP (RFC 9449 §5): a session bound to a key is refreshed only with a proof by that key, and
-- nothing else happens without one (a stolen token without the key cannot even end the session).
local bound = redis.call('HGET', session, 'jkt')
if bound and bound ~= ARGV[5] then return {'dpop-mismatch'} end
if current == ARGV[2] then
  -- The first proof binds a session that had none.
  if not bound and ARGV[5] ~= '' then redis.call('HSET', session, 'jkt', ARGV[5]) end
  redis.call('SADD', retired, ARGV[2])
  redis.call('PEXPIREAT', retired, redis.call('HGET', session, 'expiresAt'))
  redis.call('HSET', session, 'refreshHash', ARGV[3], 'lastUsedAt', ARGV[4])
  redis.call('ZADD', index, 'XX', ARGV[4], sid)
  local reply = redis.call('HGETALL', session)
  table.insert(reply, 1, 'rotated')
  return reply
end
-- A retired hash coming back means a refresh token was stolen or replayed: end the whole
-- session (RFC 9700 section 4.14), so neither the thief nor the victim keeps it.
if redis.call('SISMEMBER', retired, ARGV[2]) == 1 then
  local reply = redis.call('HGETALL', session)
  redis.call('DEL', session, retired)
  redis.call('ZREM', index, sid)
  table.insert(reply, 1, 'reused')
  return reply
end
-- A hash this session never issued changes nothing: knowing a session id must not be enough
-- to end someone else's session.
return {'invalid'}
