-- KEYS[1]: the user's key base; ARGV: the session id to keep ('' for none).
-- Reply: the ids of the sessions that were live and are now ended.
-- Bumps the user's credential generation and ends every session in one step: a login that read
-- the old generation can no longer create a session, and every session that exists now is ended
-- (the one kept moves to the new generation). Known devices are forgotten: a device cookie from
-- before a password change or a logout-all no longer buys its own guess budget.
-- The generation never expires: if it did, a login that read 0 long ago could match it again.
local base, keep = KEYS[1], ARGV[1]
local index = base .. 'sessions'
local gen = redis.call('INCR', base .. 'gen')
local ended = {}
for _, sid in ipairs(redis.call('ZRANGE', index, 0, -1)) do
  if sid ~= keep then
    if redis.call('DEL', base .. 's:' .. sid) == 1 then ended[#ended + 1] = sid end
    redis.call('DEL', base .. 'r:' .. sid, base .. 'g:' .. sid)
    redis.call('ZREM', index, sid)
  end
end
if keep ~= '' and redis.call('EXISTS', base .. 's:' .. keep) == 1 then
  redis.call('HSET', base .. 's:' .. keep, 'gen', gen)
end
redis.call('DEL', base .. 'devices')
return ended
