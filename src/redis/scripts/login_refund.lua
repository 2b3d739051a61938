-- KEYS: failed-login counters whose reservation turned out to be a successful attempt.
-- Takes the reservation back: DECR, but never below 0 and never on a counter that is gone (its
-- window ended meanwhile; a DECR would create a counter of -1 without expiry).
for _, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 0 then redis.call('DECR', key) end
end
return 1
