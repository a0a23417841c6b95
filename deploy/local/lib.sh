# shellcheck shell=bash
# Helpers for deploy/local/services.sh: tools, the Kafka classpath, ports, processes.
# Sourced, not run. Expects LOCAL_DIR (this folder) and READY_TIMEOUT (seconds)
# to be set by the caller.

log() { printf 'services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- tools ------------------------------------------------------------------

# Debian package that provides each command the scripts need.
declare -A TOOL_PACKAGE=(
  [java]=openjdk-17-jre-headless
  [mvn]=maven
  [redis-server]=redis-server
  [redis-cli]=redis-server
)

missing_packages() {
  local tool
  for tool in java mvn redis-server redis-cli; do
    command -v "$tool" >/dev/null 2>&1 || printf '%s\n' "${TOOL_PACKAGE[$tool]}"
  done | sort -u
}

ensure_tools() {
  command -v python3 >/dev/null 2>&1 || die "python3 is required"
  local -a packages
  mapfile -t packages < <(missing_packages)
  if ((${#packages[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
      log "missing tools; install them with:"
      log "  sudo apt-get update && sudo apt-get install -y ${packages[*]}"
      exit 1
    fi
    log "installing ${packages[*]}"
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >&2
  fi
  local major
  major=$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p')
  [[ ${major:-0} -ge 17 ]] || die "Kafka 4 needs Java 17+, found '${major:-unknown}' (set PATH to a newer java)"
}

# --- Kafka classpath ----------------------------------------------------------

KAFKA_POM="$LOCAL_DIR/kafka/pom.xml"

kafka_version() {
  sed -nE 's|.*<kafka\.version>([^<]+)</kafka\.version>.*|\1|p' "$KAFKA_POM"
}

kafka_libs_dir() {
  printf '%s/kafka-%s/libs\n' "${STREAM_MONITOR_CACHE:-$HOME/.cache/stream-monitor}" "$(kafka_version)"
}

# Copies the broker's runtime jars into the cache once; the marker holds the
# pom's checksum, so editing the pom refetches.
fetch_kafka_libs() {
  local libs marker want
  libs=$(kafka_libs_dir)
  marker="$libs.complete"
  want=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
  [[ -f $marker && $(<"$marker") == "$want" ]] && return 0
  log "fetching Kafka $(kafka_version) jars into $libs (first run only)"
  rm -rf "$libs" "$libs.tmp" "$marker"
  mkdir -p "$(dirname "$libs")"
  mvn -B -q -f "$KAFKA_POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs.tmp" >"$libs.log" 2>&1 ||
    { tail -n 40 "$libs.log" >&2; die "mvn could not fetch the Kafka jars (log: $libs.log)"; }
  mv "$libs.tmp" "$libs"
  printf '%s\n' "$want" >"$marker"
}

# --- ports and processes -------------------------------------------------------

# Prints N distinct free TCP ports on 127.0.0.1.
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# A random cluster id as Kafka writes them (base64 of 16 bytes); the fixed first
# byte keeps it from starting with '-', which the format tool reads as a flag.
new_cluster_id() {
  python3 -c 'import base64, os; print(base64.urlsafe_b64encode(b"\x01" + os.urandom(15)).decode().rstrip("="))'
}

# Prints the pid in FILE if that process is alive and its command line
# contains PATTERN (guards against a recycled pid); fails otherwise.
live_pid() {
  local file=$1 pattern=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$pattern" || return 1
  printf '%s\n' "$pid"
}

# TERM, up to 20 s of grace, then KILL. Harmless when nothing runs.
stop_pid() {
  local file=$1 pattern=$2 name=$3 pid _
  if pid=$(live_pid "$file" "$pattern"); then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      live_pid "$file" "$pattern" >/dev/null || break
      sleep 0.5
    done
    if live_pid "$file" "$pattern" >/dev/null; then
      log "$name did not stop in 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$file"
}

# --- readiness -------------------------------------------------------------------

# Succeeds when a metadata request to the broker at HOST:PORT lists a broker:
# with confluent_kafka when importable, else with a raw Metadata v1 request.
kafka_answers() {
  "${STREAM_MONITOR_PYTHON:-python3}" - "$1" 2>/dev/null <<'EOF'
import socket, struct, sys
bootstrap = sys.argv[1]
try:
    from confluent_kafka.admin import AdminClient
except ImportError:
    AdminClient = None
if AdminClient is not None:
    try:
        metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=5)
    except Exception:
        sys.exit(1)
    sys.exit(0 if metadata.brokers else 1)
host, port = bootstrap.rsplit(":", 1)
client = b"stream-monitor-probe"
# header: api_key 3 (Metadata), version 1, correlation id 7, client id; body: null topic list
request = struct.pack(">hhih", 3, 1, 7, len(client)) + client + struct.pack(">i", -1)
try:
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(struct.pack(">i", len(request)) + request)
        reply = sock.makefile("rb").read(12)  # size, correlation id, broker count
except OSError:
    sys.exit(1)
if len(reply) < 12:
    sys.exit(1)
_, correlation_id, brokers = struct.unpack(">iii", reply)
sys.exit(0 if correlation_id == 7 and brokers > 0 else 1)
EOF
}

redis_answers() {
  [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]
}

# wait_until SECONDS ALIVE_FN READY_CMD...: runs READY_CMD each second until it
# succeeds; fails early when the function ALIVE_FN says the process has died.
wait_until() {
  local seconds=$1 alive=$2 _
  shift 2
  for _ in $(seq 1 "$seconds"); do
    "$@" && return 0
    "$alive" || return 1
    sleep 1
  done
  return 1
}

# not_ready NAME ALIVE_FN LOG...: says why NAME is not up, shows its logs' tails, exits 1.
not_ready() {
  local name=$1 alive=$2
  shift 2
  if "$alive"; then
    log "$name did not answer within ${READY_TIMEOUT}s; last lines of its logs:"
  else
    log "$name exited while starting; last lines of its logs:"
  fi
  tail -n 30 "$@" >&2 2>/dev/null || true
  exit 1
}
