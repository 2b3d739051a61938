-- Takes the registration challenge of one session, used up whether it is still live or not. Only
-- that session's field is read: a session cannot take, or use up, another's.
-- KEYS[1] {u:<uid>}:passkeys:reg (HASH session id -> "<expiresAt ms>:<challenge>")
-- ARGV[1] session id  ARGV[2] now (ms)
-- Returns the challenge, or false (nil) when the session has none live.
local held = redis.call('HGET', KEYS[1], ARGV[1])
if not held then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
local expiresAt, challenge = string.match(held, '^(%d+):(.*)$')
if not expiresAt or tonumber(expiresAt) <= tonumber(ARGV[2]) then return false end
return challenge
