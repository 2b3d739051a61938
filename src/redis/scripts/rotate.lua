-- KEYS: session hash, retired refresh hashes (SET); ARGV: presented hash, next hash, now (ms).
-- Reply: {status, field, value, ...} with status rotated | reused | invalid.
-- One script, so of concurrent rotations with one hash exactly one finds it current.
local current = redis.call('HGET', KEYS[1], 'refreshHash')
if not current then return {'invalid'} end
if current == ARGV[1] then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], redis.call('HGET', KEYS[1], 'expiresAt'))
  redis.call('HSET', KEYS[1], 'refreshHash', ARGV[2], 'lastUsedAt', ARGV[3])
  local reply = redis.call('HGETALL', KEYS[1])
  table.insert(reply, 1, 'rotated')
  return reply
end
-- A retired hash coming back means a refresh token was stolen or replayed: end the whole
-- session (RFC 9700 section 4.14), so neither the thief nor the victim keeps it.
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  local reply = redis.call('HGETALL', KEYS[1])
  redis.call('DEL', KEYS[1], KEYS[2])
  table.insert(reply, 1, 'reused')
  return reply
end
-- A hash this session never issued changes nothing: knowing a session id must not be enough
-- to end someone else's session.
return {'invalid'}
