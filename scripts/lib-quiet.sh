# shellcheck shell=bash disable=SC2034
# Sourced by the install scripts: `SUDO` (empty for root) and `quiet CMD...`,
# which runs CMD with its output captured and prints it only on failure.
# Set QUIET_NAME before sourcing to prefix error messages.
# Root runs apt directly; anyone else goes through sudo.
if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "${QUIET_NAME:-install}: not root and sudo is missing; cannot install" >&2
    exit 1
fi

quiet_log=$(mktemp)
trap 'rm -f "$quiet_log"' EXIT

quiet() {
    if ! "$@" >"$quiet_log" 2>&1; then
        echo "${QUIET_NAME:-install}: command failed: $*" >&2
        cat "$quiet_log" >&2
        exit 1
    fi
}
