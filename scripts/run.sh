#!/usr/bin/env bash
# Runs the server on the embedded default (SQLite, files under ./data, in-process cache)
# on a fresh Debian machine that has only the Swift toolchain: installs the build's
# system packages (libhiredis-dev, pkg-config), then `swift run wasm-orchestrator`.
# Extra arguments go to the server, e.g. `bash scripts/run.sh --port 8080`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-build-deps.sh
exec swift run wasm-orchestrator "$@"
