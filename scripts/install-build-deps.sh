#!/usr/bin/env bash
# install-build-deps.sh [EXTRA_APT_PACKAGE...]
#
# Installs the Debian packages that `swift build` / `swift run` need on a
# machine that already has the Swift toolchain:
#   - libhiredis-dev : C client library behind the CHiredis system-library target
#   - pkg-config     : SwiftPM uses it to find hiredis' compiler/linker flags
#
# Any extra package names given as arguments are installed in the same apt
# transaction (scripts/install-deps.sh uses this for the test-only packages,
# so that `apt-get update` runs at most once).
#
# Idempotent: only packages that are not installed yet are installed, and
# `apt-get update` runs only when something has to be installed. Quiet on
# success; on failure the apt output is printed to stderr.
set -euo pipefail

packages=(libhiredis-dev pkg-config "$@")

# Root runs apt directly; anyone else goes through sudo.
if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-build-deps: not root and sudo is missing; cannot install: ${packages[*]}" >&2
    exit 1
fi

# A package counts as present only when dpkg reports it fully installed
# ("install ok installed"); removed-but-configured packages are reinstalled.
missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ $status != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Run a command with its output captured; print the output only if it fails.
quiet() {
    if ! "$@" >"$log" 2>&1; then
        echo "install-build-deps: command failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

# A fresh machine may have empty package lists, so update before installing.
quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
