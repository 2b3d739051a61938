-- Removes one passkey of a user by its id (a UUID), found among the user's few (20 at most).
-- KEYS[1] {u:<uid>}:passkeys  KEYS[2] {u:<uid>}:passkeys:use  ARGV[1] id  ARGV[2] 1: keep one
-- Returns the credential key (field) of the passkey removed, whose claim the caller releases; 0
-- the user has no passkey of that id; -1 it is the last one and one must stay (a user whose role
-- requires a factor: checked here, so concurrent removals cannot take them all).
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local ok, passkey = pcall(cjson.decode, entries[i + 1])
  if ok and type(passkey) == 'table' and passkey.id == ARGV[1] then
    if ARGV[2] == '1' and #entries <= 2 then return -1 end
    redis.call('HDEL', KEYS[1], entries[i])
    redis.call('HDEL', KEYS[2], entries[i])
    return entries[i]
  end
end
return 0
