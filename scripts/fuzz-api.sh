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

SERVER_NAME=fuzz-api
# shellcheck source=scripts/lib-server.sh
source "$here/lib-server.sh"
# Rate limits are off (lib-server.sh): schemathesis sends thousands of requests from one address
# with one token, so with limits on most answers would be 429 and the fuzzer would test the
# limiter instead of the endpoints. The limiter has tests of its own.
server_prepare
export LOG_LEVEL=${FUZZ_LOG_LEVEL:-warning}
token=$("$bin" token issue --subject fuzz-admin --role admin --ttl 1h 2>/dev/null)
server_start "$bin"

# The token reaches schemathesis through [auth.openapi.bearerAuth] in schemathesis.toml.
export FUZZ_TOKEN=$token
# Fresh valid Idempotency-Keys per call: see the docstring of fuzz-hooks.py.
export SCHEMATHESIS_HOOKS="$here/fuzz-hooks.py"
status=0
# From the temp dir, so schemathesis' cache (.schemathesis/) never lands in the repo.
cd "$server_work"
st --config-file "$here/schemathesis.toml" run "$root/openapi.yaml" --url "$server_url" \
    --checks all \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --no-color \
    || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "fuzz-api: the server died during the run" >&2
    status=1
fi
exit "$status"
