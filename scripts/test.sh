#!/usr/bin/env bash
# test.sh [SWIFT_TEST_ARGS...]
#
# The project's single test command (CI runs it through .ci/run):
#   0. checks the format (scripts/lint.sh: swift format lint --strict, lines ≤ 150),
#   1. installs what build + tests need (scripts/install-deps.sh; idempotent),
#   2. starts private PostgreSQL / Redis / SeaweedFS-S3 instances in a fresh
#      temp dir (scripts/services-up.sh) and exports their TEST_* variables,
#   3. builds, then runs `swift test --skip-build "$@"` from the repo root, ended after
#      WASM_TEST_DEADLINE_SECONDS (default 1500) with the unfinished tests and their stacks,
#   4. fuzzes the API against openapi.yaml with schemathesis
#      (scripts/fuzz-api.sh; summary printed; skipped with WASM_SKIP_FUZZ=1),
#   5. runs the web console's browser test (scripts/console-test.sh: headless
#      Chromium driven by selenium; skipped with WASM_SKIP_CONSOLE_TEST=1),
# and exits non-zero if the tests, the fuzzer or the browser test failed.
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

bash "$here/lint.sh"
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
    # The build has no deadline (a new machine may build slowly); the tests have one, so a hang fails
    # with the names of the tests that never finished and every thread's stack (scripts/with-deadline.sh).
    swift build --build-tests || status=$?
    if [[ $status == 0 ]]; then
        bash "$here/with-deadline.sh" "${WASM_TEST_DEADLINE_SECONDS:-1500}" "$services_dir/swift-test.log" \
            swift test --skip-build "$@" || status=$?
    fi
fi

# Fuzzing. The count is printed as `FUZZ FAILURES: n`, and any failure fails
# the command (FUZZ_GATING=0 reports without failing, for local triage only).
if [[ ${WASM_SKIP_FUZZ:-0} != 1 ]]; then
    fuzz_status=0
    fuzz_log="$services_dir/fuzz.log"
    bash "$here/fuzz-api.sh" 2>&1 | tee "$fuzz_log" || fuzz_status=$?
    if [[ $fuzz_status != 0 ]]; then
        failures=$(sed -n 's/.* \([0-9][0-9]*\) failures\{0,1\}[, ].*/\1/p' "$fuzz_log" | tail -1)
        echo "FUZZ FAILURES: ${failures:-unknown} (scripts/fuzz-api.sh exit $fuzz_status)"
        if [[ ${FUZZ_GATING:-1} == 1 && $status == 0 ]]; then status=$fuzz_status; fi
    else
        echo "FUZZ FAILURES: 0"
    fi
fi

# The console in a real browser; its screenshots stay in the folder it prints.
if [[ ${WASM_SKIP_CONSOLE_TEST:-0} != 1 ]]; then
    console_status=0
    bash "$here/console-test.sh" || console_status=$?
    if [[ $console_status != 0 ]]; then
        echo "CONSOLE TEST FAILED (scripts/console-test.sh exit $console_status)"
        if [[ $status == 0 ]]; then status=$console_status; fi
    fi
fi
exit "$status"
