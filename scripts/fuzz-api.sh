#!/usr/bin/env bash
# fuzz-api.sh
#
# Fuzzes the HTTP API against openapi.yaml with schemathesis (`st`, 4.x):
#   1. builds the server (`swift build --product wasm-orchestrator`), unless
#      WASM_ORCHESTRATOR_BIN names a binary to use instead,
#   2. starts it on the embedded default (SQLite, in-process cache, file blobs)
#      on a free loopback port with a fresh data dir,
#   3. mints an admin token with `wasm-orchestrator token issue` (same data dir,
#      so the same generated signing secret),
#   4. runs `st run openapi.yaml --checks all` with that token (config:
#      scripts/schemathesis.toml, hooks: scripts/fuzz-hooks.py), prints its
#      summary, and stops the server.
# Exits with schemathesis' status: non-zero when any check failed (or the
# server did not start), so CI is honest.
#
# Knobs (environment):
#   FUZZ_MAX_EXAMPLES  examples per operation and phase (default 5: about
#                      3,000 cases in 2.5 minutes on 2 busy cores)
#   FUZZ_SEED          schemathesis seed (default fixed, so CI is reproducible)
#   WASM_ORCHESTRATOR_BIN  prebuilt server binary (skips the build)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
max_examples=${FUZZ_MAX_EXAMPLES:-5}
seed=${FUZZ_SEED:-11}

cd "$root"
if [[ -n ${WASM_ORCHESTRATOR_BIN:-} ]]; then
    bin=$WASM_ORCHESTRATOR_BIN
else
    swift build --product wasm-orchestrator >/dev/null
    bin="$(swift build --show-bin-path)/wasm-orchestrator"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wasm-fuzz.XXXXXX")
server_pid=
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port: bind port 0 and read back what the kernel chose.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

# Rate limits off: schemathesis sends thousands of requests from one address
# with one token, far beyond any sane per-address or per-principal budget, so
# with limits on most answers would be 429 and the fuzzer would test the
# limiter instead of the endpoints. The limiter has tests of its own.
export RATE_LIMITS_ENABLED=false
# Fresh embedded-default state; make sure no outer setting selects another backend.
unset DATABASE_URL REDIS_URL S3_ENDPOINT
export DATA_DIR="$work/data" LOG_LEVEL=${FUZZ_LOG_LEVEL:-warning}

token=$("$bin" token issue --subject fuzz-admin --role admin --ttl 1h 2>/dev/null)
"$bin" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$url/health/ready" 2>/dev/null; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "fuzz-api: the server exited at start-up:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.2
done

# The token reaches schemathesis through [auth.openapi.bearerAuth] in schemathesis.toml.
export FUZZ_TOKEN=$token
# Fresh valid Idempotency-Keys per call: see the docstring of fuzz-hooks.py.
export SCHEMATHESIS_HOOKS="$here/fuzz-hooks.py"
status=0
# From the temp dir, so schemathesis' cache (.schemathesis/) never lands in the repo.
cd "$work"
st --config-file "$here/schemathesis.toml" run "$root/openapi.yaml" --url "$url" \
    --checks all \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --no-color \
    || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "fuzz-api: the server died during the run; its log:" >&2
    tail -50 "$work/server.log" >&2
    status=1
fi
exit "$status"
