-- KEYS: as ws_admit.lua. ARGV: now (ms), lease (ms), then the members to renew.
-- Reply: the members given that are no longer counted (evicted, or lapsed): never re-added, so
-- a socket whose eviction message was lost is found here and closed by its instance.
local order, leases = KEYS[1], KEYS[2]
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, member in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now)) do
  redis.call('ZREM', order, member)
  redis.call('ZREM', leases, member)
end
local gone = {}
for i = 3, #ARGV do
  if redis.call('ZSCORE', order, ARGV[i]) then
    redis.call('ZADD', leases, now + lease, ARGV[i])
  else
    table.insert(gone, ARGV[i])
  end
end
redis.call('PEXPIRE', order, lease)
redis.call('PEXPIRE', leases, lease)
return gone
