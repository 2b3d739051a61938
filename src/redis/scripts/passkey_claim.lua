-- Claims a credential id for a user: a credential is registered for one user at most. The claim
-- cannot share a slot with every user's keys on a Cluster, so it is a step of its own, taken
-- before the add (passkey_add.lua) and released when the passkey is not kept (passkey_release.lua).
-- KEYS[1] passkey:cred:<SHA-256 of the credential id>  ARGV[1] user id
-- Returns 1 claimed (it was free, or is this user's already), 0 another user holds it.
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
if not owner then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
