-- Removes one passkey of a user by its id (a UUID), found among the user's few (20 at most).
-- KEYS[1] {u:<uid>}:passkeys  KEYS[2] {u:<uid>}:passkeys:use  ARGV[1] id
-- Returns 1 removed; 0 the user has no passkey of that id.
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local ok, passkey = pcall(cjson.decode, entries[i + 1])
  if ok and type(passkey) == 'table' and passkey.id == ARGV[1] then
    redis.call('HDEL', KEYS[1], entries[i])
    redis.call('HDEL', KEYS[2], entries[i])
    return 1
  end
end
return 0
