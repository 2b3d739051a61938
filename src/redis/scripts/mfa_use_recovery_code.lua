-- Uses up a recovery code once. With a sign-in challenge, claims it in the same step: of two
-- requests racing with one mfa_token, the loser's recovery code stays unused. With a codes
-- version (a renewal), uses it only while the codes are still that set: a renewal that lost the
-- race to another uses up nothing.
-- Variable key count: 2 without a challenge, 3 with one.
-- KEYS[1] {u:<uid>}:mfa:rc (SET)  KEYS[2] {u:<uid>}:mfa (HASH)
-- KEYS[3] {u:<uid>}:mfa:used:<challenge> (STRING, PX), optional
-- ARGV[1] the code's hash  ARGV[2] claim's lifetime (ms), or 0
-- ARGV[3] codes version expected (field 'codes'; absent: 0), or '' for any
-- Returns 'used'; 'claimed' the challenge was claimed already, 'stale' the codes were renewed
-- (nothing changed); 'refused' no such unused code (or MFA is off).
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return 'claimed' end
if ARGV[3] ~= '' and (tonumber(redis.call('HGET', KEYS[2], 'codes')) or 0) ~= tonumber(ARGV[3]) then
  return 'stale'
end
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 'refused' end
if KEYS[3] then redis.call('SET', KEYS[3], '1', 'PX', ARGV[2]) end
return 'used'
