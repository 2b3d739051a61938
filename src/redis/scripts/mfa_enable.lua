-- Turns a pending TOTP enrolment into the user's factor, with its recovery codes, in one step.
-- KEYS[1] {u:<uid>}:mfa (HASH)  KEYS[2] {u:<uid>}:mfa:pending  KEYS[3] {u:<uid>}:mfa:rc (SET)
-- ARGV[1] sealed secret (must be the pending one)  ARGV[2] enabledAt (ms)
-- ARGV[3] the step of the confirming code (a replay check starts there)  ARGV[4..] code hashes
-- Returns 1 enabled; 0 MFA is on already, or the pending enrolment is gone or another one.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'secret', ARGV[1], 'enabledAt', ARGV[2], 'step', ARGV[3])
for i = 4, #ARGV do redis.call('SADD', KEYS[3], ARGV[i]) end
return 1
