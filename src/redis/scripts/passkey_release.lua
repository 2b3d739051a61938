-- Releases the claim of a credential id (passkey_claim.lua), only while it names the user: a
-- claim another user took since is theirs.
-- KEYS[1] passkey:cred:<SHA-256 of the credential id>  ARGV[1] user id
-- Returns 1 released, 0 it was not this user's.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
