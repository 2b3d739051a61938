#!/usr/bin/env bash
# Key rotation under load: two Tessera instances (production mode, Redis, one keys dir), wrk with
# one thread and 50 connections on GET /auth/me of instance A, `npm run keys:rotate` in the middle,
# and a probe that signs in on one instance and verifies on the other throughout. Prints wrk's
# non-2xx count (zero expected), req/s and the probe's result. Loopback only, bounded in time;
# deletes its own Redis keys (its random REDIS_KEY_PREFIX) and keys dir afterwards.
#
#   npm run bench:rotation             # build, then 12 s of load with a rotation at 3 s
#   BENCH_ROTATE=0 npm run bench:rotation   # the same without rotation (baseline)
#   BENCH_SKIP_BUILD=1 BENCH_DURATION=20 npm run bench:rotation
#   BENCH_JSON=out.json ...            # also write the figures as JSON (bench/run.mjs reads it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-12}
ROTATE_AFTER=${BENCH_ROTATE_AFTER:-3}
ROTATE=${BENCH_ROTATE:-1}
PORT_A=${BENCH_PORT_A:-3917}
PORT_B=${BENCH_PORT_B:-3918}
DIST=${BENCH_DIST:-dist} # the build to run (bench/run.mjs passes its private copy)
WORK=$(mktemp -d /tmp/tessera-bench.XXXXXX)
export NODE_ENV=production HOST=127.0.0.1 COOKIE_SECURE=true
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export REDIS_KEY_PREFIX="tessera-bench:$(openssl rand -hex 6):"
export JWT_KEYS_DIR="$WORK/keys"
# Production refuses the development default issuer; both instances are one deployment.
export JWT_ISSUER=${JWT_ISSUER:-https://tessera.bench.invalid}
# No mail flow: production would need an SMTP relay for it, and the bench sends no mail.
export EMAIL_VERIFICATION=false
export PASSWORD_RESET=false
# Production seals TOTP secrets with a key of its own; both instances share this run's.
export MFA_ENCRYPTION_KEY=$(openssl rand -base64 32)
# No passkeys: production would need the relying party named, and the bench uses none.
export PASSKEYS=false
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Only this run's keys (SCAN by prefix, then UNLINK); never FLUSHDB on a shared Redis.
  redis-cli -u "$REDIS_URL" --scan --pattern "${REDIS_KEY_PREFIX}*" \
    | xargs -r -n 500 redis-cli -u "$REDIS_URL" unlink >/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
# A signal ends the script through `exit`, so the EXIT trap still stops what it started.
trap 'exit 130' INT
trap 'exit 143' TERM

command -v wrk >/dev/null || { echo 'wrk is missing: apt-get install -y wrk' >&2; exit 1; }
[[ ${BENCH_SKIP_BUILD:-0} == 1 ]] || npm run -s build

start() { # port -> starts an instance, logs in $WORK
  PORT=$1 node "$DIST/main.js" >"$WORK/app-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "instance on port $1 did not start; see its log:" >&2
  tail -5 "$WORK/app-$1.log" >&2
  exit 1
}

# Production never generates keys at boot: the first key comes from keys:rotate, as in deployment.
node "$DIST/cli/keys.js" rotate 2>/dev/null
start "$PORT_A"
start "$PORT_B"

A="http://127.0.0.1:$PORT_A"
B="http://127.0.0.1:$PORT_B"
user="bench_$(openssl rand -hex 4)"
password="Bench-$(openssl rand -hex 12)"
curl -fsS -o /dev/null -H 'content-type: application/json' \
  -d "{\"email\":\"$user@example.com\",\"username\":\"$user\",\"password\":\"$password\"}" "$A/auth/register"
token=$(curl -fsS -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"password\":\"$password\"}" "$A/auth/login" | jq -r .access_token)

node bench/probe.mjs "$A" "$B" "$user" "$password" "$DURATION" >"$WORK/probe.json" &
probe=$!
if [[ $ROTATE == 1 ]]; then
  (sleep "$ROTATE_AFTER" && node "$DIST/cli/keys.js" rotate 2>/dev/null >"$WORK/rotate.out") &
  rotator=$!
fi
wrk -t1 -c50 -d"${DURATION}s" --timeout 10s -H "Authorization: Bearer $token" "$A/auth/me" >"$WORK/wrk.out"
wait "$probe"
[[ $ROTATE == 1 ]] && wait "$rotator"

echo "== wrk: GET /auth/me on A, 1 thread, 50 connections, ${DURATION}s (rotation: $ROTATE)"
grep -E 'Latency|Requests/sec|requests in|Socket errors' "$WORK/wrk.out"
non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$WORK/wrk.out")
echo "Non-2xx or 3xx responses: ${non2xx:-0}"
[[ $ROTATE == 1 ]] && { echo "== keys:rotate"; cat "$WORK/rotate.out"; }
echo "== probe (sign in on one instance, GET /auth/me on the other)"
jq -c '{logins, verified, failures: (.failures | length), kids}' "$WORK/probe.json"
failures=$(jq '.failures | length' "$WORK/probe.json")
socket=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$WORK/wrk.out")
if [[ -n ${BENCH_JSON:-} ]]; then
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$WORK/wrk.out")
  jq -n --argjson rate "${rps:-0}" --argjson non2xx "${non2xx:-0}" --argjson socket "${socket:-0}" \
    --argjson rotate "$ROTATE" --argjson seconds "$DURATION" --slurpfile probe "$WORK/probe.json" \
    '{rate: $rate, non2xx: $non2xx, socketErrors: $socket, rotated: ($rotate == 1),
      seconds: $seconds, probe: ($probe[0] | {logins, verified, failures: (.failures | length),
      kids: (.kids | length)})}' >"$BENCH_JSON"
fi
[[ ${non2xx:-0} == 0 && ${socket:-0} == 0 && $failures == 0 ]]
