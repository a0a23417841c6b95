#!/usr/bin/env bash
# Run a command with a real Kafka broker and Redis server reachable.
# Uses KAFKA_BOOTSTRAP_SERVERS and REDIS_URL when both are set; otherwise starts the local
# ones (deploy/local/services.sh up), runs the command, and stops what it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" && -n "${REDIS_URL:-}" ]]; then
  exec "$@"
fi

started=0
if ! bash "$here/services.sh" status >/dev/null 2>&1; then
  bash "$here/services.sh" up
  started=1
fi
stop_services() { if [[ $started == 1 ]]; then bash "$here/services.sh" down || true; fi; }
trap stop_services EXIT
eval "$(bash "$here/services.sh" env)"
export KAFKA_BOOTSTRAP_SERVERS REDIS_URL
"$@"
