-- Removes the second factor, its recovery codes and any pending enrolment, in one step.
-- KEYS[1] {u:<uid>}:mfa (HASH)  KEYS[2] {u:<uid>}:mfa:pending  KEYS[3] {u:<uid>}:mfa:rc (SET)
-- ARGV[1] sealed secret expected, or '' for whichever factor there is.
-- Returns 1 removed; 0 there was none (or another factor than expected).
local secret = redis.call('HGET', KEYS[1], 'secret')
if not secret or (ARGV[1] ~= '' and secret ~= ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
