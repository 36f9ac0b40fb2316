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

QUIET_NAME=install-build-deps
# shellcheck source=scripts/lib-quiet.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib-quiet.sh"

# A fresh machine may have empty package lists, so update before installing.
quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
