-- KEYS[1]: the user's key base; ARGV: session id, presented hash, next hash, now (ms), the
-- thumbprint of the request's DPoP key ('' without a proof), then the refresh grace window's
-- client, sealed answer and end (ms), or three '' without one.
-- Reply: {status, field, value, ...} with status rotated | reused | invalid, {'dpop-mismatch'},
-- or {'grace', sealed, field, value, ...}.
-- One script, so of concurrent rotations with one hash exactly one finds it current, and every
-- other one of the same client within the window finds the answer that rotation kept.
local base, sid = KEYS[1], ARGV[1]
local session, retired, index = base .. 's:' .. sid, base .. 'r:' .. sid, base .. 'sessions'
local grace = base .. 'g:' .. sid
local current = redis.call('HGET', session, 'refreshHash')
if not current then return {'invalid'} end
-- Born under an older credential generation: ended by a change that raced its login.
if redis.call('HGET', session, 'gen') ~= (redis.call('GET', base .. 'gen') or '0') then
  redis.call('DEL', session, retired, grace)
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
  local expiresAt = redis.call('HGET', session, 'expiresAt')
  redis.call('SADD', retired, ARGV[2])
  redis.call('PEXPIREAT', retired, expiresAt)
  redis.call('HSET', session, 'refreshHash', ARGV[3], 'lastUsedAt', ARGV[4])
  redis.call('ZADD', index, 'XX', ARGV[4], sid)
  -- Only the latest rotation's answer is kept: an older retired hash is reuse, grace or not.
  redis.call('DEL', grace)
  if ARGV[6] ~= '' then
    redis.call('HSET', grace, 'hash', ARGV[2], 'client', ARGV[6], 'sealed', ARGV[7])
    redis.call('PEXPIREAT', grace, math.min(tonumber(ARGV[8]), tonumber(expiresAt)))
  end
  local reply = redis.call('HGETALL', session)
  table.insert(reply, 1, 'rotated')
  return reply
end
-- A hash this session never issued changes nothing: knowing a session id must not be enough
-- to end someone else's session.
if redis.call('SISMEMBER', retired, ARGV[2]) == 0 then return {'invalid'} end
-- The latest rotation's hash again, from the client that presented it, within the window (the
-- key expires with it): that rotation's answer, and nothing changes.
if ARGV[6] ~= '' then
  local kept = redis.call('HMGET', grace, 'hash', 'client', 'sealed')
  if kept[1] == ARGV[2] and kept[2] == ARGV[6] then
    local reply = redis.call('HGETALL', session)
    table.insert(reply, 1, kept[3])
    table.insert(reply, 1, 'grace')
    return reply
  end
end
-- A retired hash coming back means a refresh token was stolen or replayed: end the whole
-- session (RFC 9700 section 4.14), so neither the thief nor the victim keeps it.
local reply = redis.call('HGETALL', session)
redis.call('DEL', session, retired, grace)
redis.call('ZREM', index, sid)
table.insert(reply, 1, 'reused')
return reply
