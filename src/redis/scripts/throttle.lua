-- KEYS: hit counter, block marker (one hash tag); ARGV: window (ms), limit, block (ms).
-- Reply: {hits, window pttl, blocked 0|1, block pttl}.
-- A fixed window that starts with its first hit. The hit over the limit starts a block of
-- ARGV[3] ms and a fresh window after it; hits during a block are not counted, so retrying
-- does not extend it. With a block of 0 the caller is refused until the window ends.
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {0, blocked, 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local window = redis.call('PTTL', KEYS[1])
if hits <= tonumber(ARGV[2]) then
  return {hits, window, 0, 0}
end
local block = tonumber(ARGV[3])
if block <= 0 then
  return {hits, window, 1, window}
end
redis.call('SET', KEYS[2], '1', 'PX', block)
redis.call('DEL', KEYS[1])
return {hits, block, 1, block}
