-- KEYS: the failed-login counters of one attempt; ARGV: window (ms), then one limit per key.
-- Reply: {admitted 0|1, count1, pttl1, count2, pttl2, ...}.
-- Reserve before the password is checked (check-then-count would let concurrent guesses all pass
-- the check before any of them is counted): if any counter is at its limit nothing changes and the
-- attempt is refused; else every counter counts the attempt now, so at most `limit` attempts are
-- ever admitted per window. One script: the check and the counts are one atomic step.
local window = ARGV[1]
local refused = false
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i + 1]) then
    refused = true
    -- A counter never lives on without expiry (that would be a lock forever).
    if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, window) end
  end
end
local reply = {refused and 0 or 1}
for i, key in ipairs(KEYS) do
  if not refused then
    local count = redis.call('INCR', key)
    -- The reservation that reaches the limit restarts the window: a lock lasts a whole window.
    if count == 1 or count == tonumber(ARGV[i + 1]) or redis.call('PTTL', key) < 0 then
      redis.call('PEXPIRE', key, window)
    end
  end
  reply[#reply + 1] = tonumber(redis.call('GET', key) or '0')
  reply[#reply + 1] = redis.call('PTTL', key)
end
return reply
