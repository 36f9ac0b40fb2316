#!/usr/bin/env bash
# console-test.sh
#
# The web console's browser test (headless Chromium + chromium-driver, driven by selenium):
#   1. builds the server and the edge agent (`swift build`), unless WASM_ORCHESTRATOR_BIN and
#      WASM_EDGE_AGENT_BIN name binaries to use instead,
#   2. starts the server on the embedded default (SQLite, in-process cache, file blobs) on a free
#      loopback port with a fresh data dir and rate limits off (as scripts/fuzz-api.sh does),
#   3. mints an admin and a deployer token with `wasm-orchestrator token issue`,
#   4. runs scripts/console_test.py: it enrolls simulated agents (`wasm-edge-agent --simulate`),
#      registers a module built with wat2wasm, has the deployer create a deployment through the API,
#      then signs in to the console as the admin and approves, executes, watches it complete,
#      rolls it back and reads the audit page, taking a screenshot at each step.
# The screenshots stay in a folder the test prints (CONSOLE_SCREENSHOTS, default a fresh temp dir).
# Exits non-zero when any step failed (or the server did not start), so CI is honest.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
if [[ -n ${WASM_ORCHESTRATOR_BIN:-} && -n ${WASM_EDGE_AGENT_BIN:-} ]]; then
    bin=$WASM_ORCHESTRATOR_BIN
    agent=$WASM_EDGE_AGENT_BIN
else
    swift build --product wasm-orchestrator >/dev/null
    swift build --product wasm-edge-agent >/dev/null
    bin="$(swift build --show-bin-path)/wasm-orchestrator"
    agent="$(swift build --show-bin-path)/wasm-edge-agent"
fi

SERVER_NAME=console-test
# shellcheck source=scripts/lib-server.sh
source "$here/lib-server.sh"
shots=${CONSOLE_SCREENSHOTS:-$(mktemp -d "${TMPDIR:-/tmp}/wasm-console-screenshots.XXXXXX")}
mkdir -p "$shots"

server_prepare
# A fast engine and health monitor, so the rollout takes seconds.
export LOG_LEVEL=${CONSOLE_LOG_LEVEL:-warning} DEPLOYMENTS_EVALUATION_INTERVAL_MILLISECONDS=200
admin=$("$bin" token issue --subject console-admin --role admin --ttl 1h 2>/dev/null)
deployer=$("$bin" token issue --subject console-deployer --role deployer --ttl 1h 2>/dev/null)
server_start "$bin"

CONSOLE_URL=$server_url CONSOLE_ADMIN_TOKEN=$admin CONSOLE_DEPLOYER_TOKEN=$deployer CONSOLE_AGENT_BIN=$agent \
    CONSOLE_WORK_DIR=$server_work CONSOLE_SCREENSHOTS=$shots \
    python3 "$here/console_test.py"
