# shellcheck shell=bash
# Sourced by fuzz-api.sh and console-test.sh: one throw-away server on the embedded default
# (SQLite, in-process cache, file blobs) for a test that drives it from outside.
#
# Set SERVER_NAME (the prefix of messages and of the work dir) before sourcing. Then:
#   server_prepare      picks a free loopback port (server_url), a fresh data dir under server_work
#                       (exported as DATA_DIR, so `wasm-orchestrator token issue` signs with the
#                       server's secret), turns rate limits off (the callers send far more from one
#                       address and token than any sane budget) and unsets outer backend settings;
#   server_start BIN    starts `BIN serve` there and waits until /health/ready answers; fails with
#                       the server's log when it exits or is not ready within 30 s.
# At exit a trap stops the server and removes server_work; after a failure it prints the last
# 40 lines of the server's log first.
: "${SERVER_NAME:?set SERVER_NAME before sourcing lib-server.sh}"

server_pid=
server_url=
server_work=$(mktemp -d "${TMPDIR:-/tmp}/wasm-$SERVER_NAME.XXXXXX")

# shellcheck disable=SC2317  # invoked by the trap
server_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ $rc != 0 && -f $server_work/server.log ]]; then
        echo "$SERVER_NAME: the server's log (last 40 lines):" >&2
        tail -40 "$server_work/server.log" >&2
    fi
    rm -rf "$server_work"
    exit "$rc"
}
trap server_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server_prepare() {
    local port
    # A free loopback port: bind port 0 and read back what the kernel chose.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    server_url="http://127.0.0.1:$port"
    export RATE_LIMITS_ENABLED=false
    unset DATABASE_URL REDIS_URL S3_ENDPOINT
    export DATA_DIR="$server_work/data"
}

server_start() {
    local bin=$1 port=${server_url##*:}
    "$bin" serve --host 127.0.0.1 --port "$port" >"$server_work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 150); do
        if curl -fsS -o /dev/null "$server_url/health/ready" 2>/dev/null; then return 0; fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "$SERVER_NAME: the server exited at start-up" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$SERVER_NAME: the server was not ready within 30 s" >&2
    return 1
}
