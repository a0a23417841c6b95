#!/usr/bin/env bash
# Starts a real single-node Apache Kafka broker (KRaft, combined broker+controller)
# and a real Redis server on spare 127.0.0.1 ports, for tests and CI.
#
#   deploy/local/services.sh up | down | status | env | kafka-restart | redis-restart
#
# See deploy/local/README.md for the environment variables.
set -euo pipefail

LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LOCAL_DIR/../.." && pwd)
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$LOCAL_DIR/lib.sh"

STATE=$(realpath -m "${STREAM_MONITOR_SERVICES_DIR:-$REPO_ROOT/.services}")
KAFKA_DIR=$STATE/kafka
REDIS_DIR=$STATE/redis
KAFKA_PID=$KAFKA_DIR/kafka.pid
REDIS_PID=$REDIS_DIR/redis.pid
READY_TIMEOUT=${STREAM_MONITOR_READY_TIMEOUT:-90}
KAFKA_PORT="" CONTROLLER_PORT="" REDIS_PORT="" SASL_PORT="" REDIS_TLS_PORT="" # load_ports
# shellcheck source=secure.sh source-path=SCRIPTDIR
source "$LOCAL_DIR/secure.sh"

# --- state -------------------------------------------------------------------

load_ports() {
  [[ -f $STATE/ports ]] || return 1
  # shellcheck source=/dev/null
  source "$STATE/ports"
}

write_ports() {
  local kafka controller redis sasl redis_tls
  read -r kafka controller redis sasl redis_tls < <(free_ports 5)
  printf 'KAFKA_PORT=%s\nCONTROLLER_PORT=%s\nREDIS_PORT=%s\nSASL_PORT=%s\nREDIS_TLS_PORT=%s\n' \
    "$kafka" "$controller" "$redis" "$sasl" "$redis_tls" >"$STATE/ports"
  load_ports
}

write_env() {
  printf 'KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:%s\nREDIS_URL=redis://127.0.0.1:%s/0\n' \
    "$KAFKA_PORT" "$REDIS_PORT" >"$STATE/env"
  secure_env >>"$STATE/env"
  chmod 600 "$STATE/env"
}

remove_state() {
  rm -rf "$KAFKA_DIR" "$REDIS_DIR" "$SECURE_DIR"
  rm -f "$STATE/env" "$STATE/ports"
  rmdir "$STATE" 2>/dev/null || true
}

# --- Kafka ---------------------------------------------------------------------

write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$SASL_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=4
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
EOF
  kafka_secure_properties >>"$KAFKA_DIR/server.properties"
  cat >"$KAFKA_DIR/log4j2.properties" <<EOF
status = warn
shutdownHook = disable
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $KAFKA_DIR/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
EOF
}

# Sets KAFKA_JVM: the java command line, up to the main class.
set_kafka_jvm() {
  local -a heap
  read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
  KAFKA_JVM=(java "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties"
    -cp "$(kafka_libs_dir)/*")
}

format_kafka_storage() {
  set_kafka_jvm
  "${KAFKA_JVM[@]}" kafka.tools.StorageTool format -t "$(new_cluster_id)" \
    -c "$KAFKA_DIR/server.properties" --add-scram "$(kafka_scram_argument)" >"$KAFKA_DIR/format.log" 2>&1 ||
    { cat "$KAFKA_DIR/format.log" >&2; die "formatting Kafka storage failed"; }
}

kafka_alive() { live_pid "$KAFKA_PID" kafka.Kafka >/dev/null; }
kafka_ready() { kafka_alive && kafka_answers "127.0.0.1:$KAFKA_PORT"; }

start_kafka() {
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT (controller $CONTROLLER_PORT)"
  set_kafka_jvm
  nohup "${KAFKA_JVM[@]}" kafka.Kafka "$KAFKA_DIR/server.properties" \
    >>"$KAFKA_DIR/stdout.log" 2>&1 </dev/null &
  echo $! >"$KAFKA_PID"
}

wait_kafka() {
  wait_until "$READY_TIMEOUT" kafka_alive kafka_answers "127.0.0.1:$KAFKA_PORT" ||
    not_ready Kafka kafka_alive "$KAFKA_DIR/stdout.log" "$KAFKA_DIR/server.log"
}

stop_kafka() { stop_pid "$KAFKA_PID" kafka.Kafka Kafka; }

# --- Redis -----------------------------------------------------------------------

redis_alive() { live_pid "$REDIS_PID" redis-server >/dev/null; }
redis_ready() { redis_alive && redis_answers "$REDIS_PORT"; }

start_redis() {
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$REDIS_DIR"
  rm -f "$REDIS_PID"
  write_redis_secure_config
  redis-server "$REDIS_DIR/secure.conf" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --dir "$REDIS_DIR" --pidfile "$REDIS_PID" \
    --logfile "$REDIS_DIR/redis.log" >&2
}

wait_redis() {
  # the pid file appears a moment after the daemon forks
  wait_until 5 true test -s "$REDIS_PID" || true
  wait_until "$READY_TIMEOUT" redis_alive redis_answers "$REDIS_PORT" ||
    not_ready Redis redis_alive "$REDIS_DIR/redis.log"
}

stop_redis() { stop_pid "$REDIS_PID" redis-server Redis; }

# --- commands ----------------------------------------------------------------------

both_ready() { load_ports && [[ -f $STATE/env ]] && kafka_ready && redis_ready; }

cmd_up() {
  if both_ready; then
    log "already running"
    cat "$STATE/env"
    return 0
  fi
  ensure_tools
  fetch_kafka_libs
  cmd_down 2>/dev/null # clear a half-running or stale state
  mkdir -p "$STATE"
  write_ports
  make_secrets
  write_kafka_config
  format_kafka_storage
  start_kafka
  start_redis
  wait_redis
  wait_kafka
  write_env
  log "ready"
  cat "$STATE/env"
}

cmd_down() {
  stop_kafka
  stop_redis
  remove_state
}

cmd_status() {
  local up=0
  if load_ports && kafka_ready; then
    echo "kafka: up 127.0.0.1:$KAFKA_PORT (pid $(<"$KAFKA_PID"))"
  else
    echo "kafka: down"
    up=3
  fi
  if load_ports && redis_ready; then
    echo "redis: up redis://127.0.0.1:$REDIS_PORT/0 (pid $(<"$REDIS_PID"))"
  else
    echo "redis: down"
    up=3
  fi
  return "$up"
}

cmd_env() {
  [[ -f $STATE/env ]] || { log "not up: run '$0 up' first"; return 3; }
  sed 's/^/export /' "$STATE/env"
}

cmd_kafka_restart() {
  load_ports || die "not up: run '$0 up' first"
  stop_kafka
  start_kafka
  wait_kafka
  log "Kafka restarted on 127.0.0.1:$KAFKA_PORT"
}

cmd_redis_restart() {
  load_ports || die "not up: run '$0 up' first"
  stop_redis
  start_redis
  wait_redis
  log "Redis restarted on 127.0.0.1:$REDIS_PORT"
}

usage() {
  echo "usage: $0 up | down | status | env | kafka-restart | redis-restart" >&2
  exit 2
}

main() {
  [[ $# -eq 1 ]] || usage
  case $1 in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    kafka-restart) cmd_kafka_restart ;;
    redis-restart) cmd_redis_restart ;;
    *) usage ;;
  esac
}

main "$@"
