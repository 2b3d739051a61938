-- Removes every passkey and pending registration of a user (a deleted user), in one step.
-- KEYS[1] {u:<uid>}:passkeys  KEYS[2] {u:<uid>}:passkeys:use  KEYS[3] {u:<uid>}:passkeys:reg
-- Returns the credential keys the user held, whose claims (passkey:cred:<key>) the caller then
-- releases (another slot on a Cluster).
local fields = redis.call('HKEYS', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return fields
