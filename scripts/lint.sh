#!/usr/bin/env bash
# lint.sh: the code's format, checked the same way locally and in CI.
#   - `swift format lint --strict` with the repo's .swift-format (any finding fails);
#   - no Swift line longer than 150 characters (string literals included, which
#     the formatter cannot wrap).
# Fix formatting with: swift format format -i -r Sources Tests Package.swift
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
swift format lint --strict -r Sources Tests Package.swift
long=$(find Sources Tests Package.swift -name '*.swift' -print0 | xargs -0 awk 'length > 150 { print FILENAME ":" FNR ": " length " characters" }')
if [[ -n $long ]]; then
    echo "lines over 150 characters:" >&2
    echo "$long" >&2
    exit 1
fi
echo "lint: clean"
