-- KEYS[1]: the trail's base, '<prefix>{audit}:'. Every key of the trail is the base and a
-- suffix, so all share the {audit} hash tag (one Cluster slot); the script derives them:
--   seq                   STRING  order of appends (the score in every index)
--   e:<id>                HASH    json = the event, user = its user id or '', count = a summary's
--   all, t:<event>, u:<user>, ue:<user>:<event>   ZSET  event ids by seq
--   r:<event>:a, r:<event>:u  ZSET  retention: anonymous events and a user's events of a type
--   n:<noise key>         HASH    start, n, summary id: one key's window of a rate-limited event
-- ARGV: id, json, user id ('' for none), event type, how many events of that type to keep,
--       noise key ('' when not limited), per window, window ms, now (epoch ms), summary json.
-- Reply: 'recorded' | 'summary' | 'counted'.
-- An id is in an index exactly while its event is kept: the event that falls off leaves every
-- index in this same step, so every filter is exact over all that is kept.
local base, id, json, user, kind = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local reply = 'recorded'

if ARGV[6] ~= '' then
  local window, length = base .. 'n:' .. ARGV[6], tonumber(ARGV[8])
  local start = tonumber(redis.call('HGET', window, 'start'))
  if not start or tonumber(ARGV[9]) >= start + length then
    redis.call('DEL', window)
    redis.call('HSET', window, 'start', ARGV[9], 'n', 0)
    redis.call('PEXPIRE', window, length)
  end
  if redis.call('HINCRBY', window, 'n', 1) > tonumber(ARGV[7]) then
    local summary = redis.call('HGET', window, 'summary')
    if summary and redis.call('EXISTS', base .. 'e:' .. summary) == 1 then
      redis.call('HINCRBY', base .. 'e:' .. summary, 'count', 1)
      return 'counted'
    end
    -- The first event over the limit (or the first since its summary fell off) becomes one.
    redis.call('HSET', window, 'summary', id)
    json, reply = ARGV[10], 'summary'
  end
end

redis.call('HSET', base .. 'e:' .. id, 'json', json, 'user', user)
if reply == 'summary' then redis.call('HSET', base .. 'e:' .. id, 'count', 1) end
local seq = redis.call('INCR', base .. 'seq')
local byType = base .. 't:' .. kind
redis.call('ZADD', base .. 'all', seq, id)
redis.call('ZADD', byType, seq, id)
if user ~= '' then
  redis.call('ZADD', base .. 'u:' .. user, seq, id)
  redis.call('ZADD', base .. 'ue:' .. user .. ':' .. kind, seq, id)
end

-- Retention per type, and within a type apart for anonymous events (no user: a bad token, a
-- login naming nobody) and events of a user: the oldest of this type and kind fall off, and only
-- they. So a flood anyone can send never evicts a user's history, nor another type's events.
local retained = base .. 'r:' .. kind .. (user == '' and ':a' or ':u')
redis.call('ZADD', retained, seq, id)
local over = redis.call('ZCARD', retained) - tonumber(ARGV[5])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', retained, 0, over - 1)) do
    local oldUser = redis.call('HGET', base .. 'e:' .. old, 'user')
    if oldUser and oldUser ~= '' then
      redis.call('ZREM', base .. 'u:' .. oldUser, old)
      redis.call('ZREM', base .. 'ue:' .. oldUser .. ':' .. kind, old)
    end
    redis.call('ZREM', base .. 'all', old)
    redis.call('ZREM', byType, old)
    redis.call('DEL', base .. 'e:' .. old)
  end
  redis.call('ZREMRANGEBYRANK', retained, 0, over - 1)
end
return reply
