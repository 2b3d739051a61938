-- KEYS[1]: the trail's base (see audit_append.lua); ARGV: an index's suffix ('all',
-- 't:<event>', 'u:<user>' or 'ue:<user>:<event>'), limit.
-- Reply: {json, count or '', json, count or '', ...}: the index's newest events, newest first.
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEYS[1] .. ARGV[1], 0, tonumber(ARGV[2]) - 1)) do
  local fields = redis.call('HMGET', KEYS[1] .. 'e:' .. id, 'json', 'count')
  if fields[1] then
    out[#out + 1] = fields[1]
    out[#out + 1] = fields[2] or ''
  end
end
return out
