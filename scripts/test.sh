#!/usr/bin/env bash
# test.sh [SWIFT_TEST_ARGS...]
#
# The project's single test command (CI runs it through .ci/run):
#   1. installs what build + tests need (scripts/install-deps.sh; idempotent),
#   2. starts private PostgreSQL / Redis / SeaweedFS-S3 instances in a fresh
#      temp dir (scripts/services-up.sh) and exports their TEST_* variables,
#   3. runs `swift test "$@"` from the repo root and exits with its status.
# The services are stopped and the temp dir removed on exit, whatever happens.
#
# CI_REQUIRE_SERVICES=1 is exported so that integration tests FAIL (instead of
# skipping) when a TEST_* variable is missing.
#
# WASM_TEST_COMMAND (optional) replaces `swift test` with a shell command, run
# as `bash -c "$WASM_TEST_COMMAND" test.sh "$@"`; it exists to check this
# script's flow without a Swift build, e.g.
#   WASM_TEST_COMMAND='env | grep TEST_' scripts/test.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bash "$here/install-deps.sh"

# Under /tmp (not $TMPDIR): user postgres must reach it, and the unix socket
# path must stay short.
services_dir=$(mktemp -d /tmp/wasm-test.XXXXXX)
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    bash "$here/services-down.sh" "$services_dir" || true
    rm -rf "$services_dir"
    exit "$rc"
}
trap cleanup EXIT
# Turn Ctrl-C / kill into a normal exit so the EXIT trap cleans up.
trap 'exit 130' INT
trap 'exit 143' TERM

bash "$here/services-up.sh" "$services_dir"
# shellcheck source=/dev/null
source "$services_dir/env.sh"
export CI_REQUIRE_SERVICES=1

cd "$root"
status=0
if [[ -n ${WASM_TEST_COMMAND:-} ]]; then
    bash -c "$WASM_TEST_COMMAND" test.sh "$@" || status=$?
else
    swift test "$@" || status=$?
fi
exit "$status"
