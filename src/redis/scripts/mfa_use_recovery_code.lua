-- Uses up a recovery code once. With a sign-in challenge, claims it in the same step: of two
-- requests racing with one mfa_token, the loser's recovery code stays unused.
-- Variable key count: 1 without a challenge, 2 with one.
-- KEYS[1] {u:<uid>}:mfa:rc (SET)  KEYS[2] {u:<uid>}:mfa:used:<challenge> (STRING, PX), optional
-- ARGV[1] the code's hash  ARGV[2] claim's lifetime (ms)
-- Returns 'used'; 'claimed' the challenge was claimed already (nothing changed); 'refused' no
-- such unused code (or MFA is off).
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 'claimed' end
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 'refused' end
if KEYS[2] then redis.call('SET', KEYS[2], '1', 'PX', ARGV[2]) end
return 'used'
