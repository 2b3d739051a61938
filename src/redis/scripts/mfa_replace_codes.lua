-- Replaces every recovery code of a user whose second factor is the expected one.
-- KEYS[1] {u:<uid>}:mfa (HASH)  KEYS[2] {u:<uid>}:mfa:rc (SET)
-- ARGV[1] sealed secret expected  ARGV[2..] code hashes
-- Returns 1 replaced; 0 MFA is off or was replaced meanwhile.
if redis.call('HGET', KEYS[1], 'secret') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
for i = 2, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
return 1
