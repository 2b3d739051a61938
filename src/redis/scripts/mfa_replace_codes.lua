-- Replaces every recovery code of a user whose second factor is the expected one, only while the
-- codes are still the set the caller read (compare-and-set: of concurrent renewals, one wins, so
-- the codes shown to a renewal that succeeded are the ones that work).
-- KEYS[1] {u:<uid>}:mfa (HASH)  KEYS[2] {u:<uid>}:mfa:rc (SET)
-- ARGV[1] sealed secret expected  ARGV[2] codes version expected (field 'codes'; absent: 0)
-- ARGV[3..] code hashes
-- Returns 'replaced'; 'stale' the set was replaced meanwhile; 'gone' MFA is off or was replaced.
if redis.call('HGET', KEYS[1], 'secret') ~= ARGV[1] then return 'gone' end
if (tonumber(redis.call('HGET', KEYS[1], 'codes')) or 0) ~= tonumber(ARGV[2]) then
  return 'stale'
end
redis.call('HINCRBY', KEYS[1], 'codes', 1)
redis.call('DEL', KEYS[2])
for i = 3, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
return 'replaced'
