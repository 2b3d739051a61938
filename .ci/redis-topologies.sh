#!/usr/bin/env bash
# Throwaway Redis topologies for the Sentinel and Cluster tests, from Debian's redis-server and
# redis-sentinel, on 127.0.0.1 only, without persistence:
#   Sentinel: master + replica + three sentinels (master name "tessera")
#   Cluster:  three masters, three replicas
#
#   eval "$(.ci/redis-topologies.sh start)"   # prints the TEST_REDIS_* exports the tests read
#   npx jest --selectProjects unit src/redis/topologies.spec.ts
#   .ci/redis-topologies.sh stop              # uses $TEST_REDIS_TOPOLOGIES_DIR
#
# Every server runs under `timeout -s KILL` (REDIS_TOPOLOGIES_TTL seconds, default 1800), so a run
# that never calls `stop` leaves nothing behind for long. `stop` signals only the PIDs in the
# pidfiles of its own directory. The failover tests use `kill DIR PORT` (SIGKILL one server),
# `revive DIR PORT` (start it again from its config) and `wait DIR` (until every master has its
# replica again and the sentinels agree).
set -euo pipefail

TTL="${REDIS_TOPOLOGIES_TTL:-1800}"
HOST=127.0.0.1
MASTER_NAME=tessera
WAIT_SECONDS=30

die() { printf 'redis-topologies: %s\n' "$*" >&2; exit 1; }
cli() { redis-cli -h "$HOST" -p "$1" "${@:2}" 2>/dev/null; }
listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
answers() { cli "$1" ping | grep -q PONG; }

# A random port that is free, and whose cluster bus port (+10000) is free too.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 10000))
    if ! listening "$port" && ! listening $((port + 10000)) && ! grep -qx "$port" "$DIR/ports" 2>/dev/null; then
      echo "$port" >>"$DIR/ports"
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

# Polls `$@` every 0.2 s until it succeeds, for at most WAIT_SECONDS.
wait_for() {
  local what="$1"
  shift
  for _ in $(seq 1 $((WAIT_SECONDS * 5))); do
    "$@" && return 0
    sleep 0.2
  done
  die "timed out waiting for $what"
}

# Starts (or restarts) the server whose config is $DIR/<port>.conf, bounded by the TTL.
launch() {
  local port="$1" mode=()
  [[ -f "$DIR/$port.sentinel" ]] && mode=(--sentinel)
  setsid timeout -s KILL "$TTL" redis-server "$DIR/$port.conf" "${mode[@]}" \
    >>"$DIR/$port.log" 2>&1 </dev/null &
  wait_for "redis on port $port" answers "$port"
}

# The options every data node shares: loopback, no persistence, its own dir and pidfile.
node_conf() {
  local port="$1"
  mkdir -p "$DIR/data-$port"
  cat >"$DIR/$port.conf" <<EOF
port $port
bind $HOST
dir $DIR/data-$port
pidfile $DIR/$port.pid
save ""
appendonly no
repl-diskless-sync-delay 0
EOF
}

start_sentinel_set() {
  local master replica port
  master="$(free_port)"
  replica="$(free_port)"
  node_conf "$master"
  node_conf "$replica"
  echo "replicaof $HOST $master" >>"$DIR/$replica.conf"
  launch "$master"
  launch "$replica"
  local sentinels=()
  for _ in 1 2 3; do
    port="$(free_port)"
    cat >"$DIR/$port.conf" <<EOF
port $port
bind $HOST
dir $DIR
pidfile $DIR/$port.pid
sentinel monitor $MASTER_NAME $HOST $master 2
sentinel down-after-milliseconds $MASTER_NAME 1000
sentinel failover-timeout $MASTER_NAME 5000
sentinel parallel-syncs $MASTER_NAME 1
EOF
    touch "$DIR/$port.sentinel"
    launch "$port"
    sentinels+=("$HOST:$port")
  done
  echo "${sentinels[*]}" | tr ' ' ',' >"$DIR/sentinels"
}

start_cluster() {
  local ports=() port
  for _ in 1 2 3 4 5 6; do
    port="$(free_port)"
    node_conf "$port"
    cat >>"$DIR/$port.conf" <<EOF
cluster-enabled yes
cluster-config-file $DIR/data-$port/nodes.conf
cluster-node-timeout 1000
EOF
    launch "$port"
    ports+=("$port")
  done
  local nodes=()
  for port in "${ports[@]}"; do nodes+=("$HOST:$port"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$DIR/cluster-create.log" 2>&1 ||
    die "redis-cli --cluster create failed: $(tail -n 5 "$DIR/cluster-create.log")"
  echo "${nodes[*]}" | tr ' ' ',' >"$DIR/cluster"
}

# Every master has a replica whose link is up, the sentinels agree, the cluster is ok everywhere.
healthy() {
  local port sentinel master
  for port in $(tr ',' '\n' <"$DIR/cluster" | cut -d: -f2); do
    cli "$port" cluster info | grep -q 'cluster_state:ok' || return 1
    if cli "$port" role | head -n 1 | grep -q master; then
      cli "$port" info replication | grep -q 'connected_slaves:1' || return 1
    else
      cli "$port" info replication | grep -q 'master_link_status:up' || return 1
    fi
  done
  for sentinel in $(tr ',' '\n' <"$DIR/sentinels" | cut -d: -f2); do
    master="$(cli "$sentinel" sentinel get-master-addr-by-name "$MASTER_NAME" | tail -n 1)"
    [[ -n "$master" ]] || return 1
    cli "$master" info replication | grep -q 'connected_slaves:1' || return 1
    [[ "$(cli "$sentinel" sentinel master "$MASTER_NAME" | grep -A1 -x 'num-other-sentinels' | tail -n 1)" == 2 ]] ||
      return 1
    [[ "$(cli "$sentinel" sentinel replicas "$MASTER_NAME" | grep -A1 -x 'flags' | tail -n 1)" == slave ]] ||
      return 1
  done
}

print_env() {
  cat <<EOF
export TEST_REDIS_TOPOLOGIES_DIR=$DIR
export TEST_REDIS_SENTINELS=$(cat "$DIR/sentinels")
export TEST_REDIS_SENTINEL_NAME=$MASTER_NAME
export TEST_REDIS_CLUSTER_NODES=$(cat "$DIR/cluster")
EOF
}

# SIGTERM to every server of $DIR by its pidfile, SIGKILL to those still there after 5 s.
stop_all() {
  local pidfile pid pids=()
  for pidfile in "$DIR"/*.pid; do
    [[ -s "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  for _ in $(seq 1 25); do
    local alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [[ ${#alive[@]} -eq 0 ]] && break
    pids=("${alive[@]}")
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$DIR"
}

# The directory argument (or $TEST_REDIS_TOPOLOGIES_DIR), checked to be one this script made.
own_dir() {
  DIR="${1:-${TEST_REDIS_TOPOLOGIES_DIR:-}}"
  [[ -n "$DIR" && -f "$DIR/.tessera-redis-topologies" ]] || die "not a topologies dir: '$DIR'"
}

command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install -y redis-server)"
case "${1:-}" in
  start)
    DIR="${2:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-redis-topologies.XXXXXX")}"
    mkdir -p "$DIR"
    touch "$DIR/.tessera-redis-topologies"
    # Leave nothing behind if starting fails halfway.
    trap 'stop_all' EXIT
    start_sentinel_set
    start_cluster
    wait_for "healthy topologies" healthy
    trap - EXIT
    print_env
    ;;
  stop)
    own_dir "${2:-}"
    stop_all
    ;;
  env)
    own_dir "${2:-}"
    print_env
    ;;
  kill)
    own_dir "$2"
    [[ -s "$DIR/$3.pid" ]] || die "no server of $DIR on port $3"
    kill -KILL "$(cat "$DIR/$3.pid")"
    ;;
  revive)
    own_dir "$2"
    [[ -f "$DIR/$3.conf" ]] || die "no server of $DIR on port $3"
    ! listening "$3" || die "port $3 is still in use"
    launch "$3"
    ;;
  wait)
    own_dir "$2"
    wait_for "healthy topologies" healthy
    ;;
  *)
    die "usage: $0 start [DIR] | stop [DIR] | env [DIR] | kill DIR PORT | revive DIR PORT | wait DIR"
    ;;
esac
