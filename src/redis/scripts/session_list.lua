-- KEYS[1]: the user's key base. Reply: {{field, value, ...}, ...}, one per live session.
-- Index entries of sessions that expired, or of an older generation, are dropped on the way:
-- safe, since a session is created together with its index entry (never half-created).
local base = KEYS[1]
local index = base .. 'sessions'
local gen = redis.call('GET', base .. 'gen') or '0'
local reply = {}
for _, sid in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  local session = base .. 's:' .. sid
  if redis.call('HGET', session, 'gen') == gen then
    reply[#reply + 1] = redis.call('HGETALL', session)
  else
    redis.call('DEL', session, base .. 'r:' .. sid, base .. 'g:' .. sid)
    redis.call('ZREM', index, sid)
  end
end
return reply
