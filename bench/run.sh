#!/usr/bin/env bash
# Side-by-side HTTP throughput/latency in one run on one machine:
#   nginx (1 worker, static 200)  vs  plain Hummingbird hello-world  vs  wasm-orchestrator (release)
# Usage: bash bench/run.sh        (env: DURATION=10s CONNS=64 ROUNDS=3 WARMUP=3s SKIP_BUILD=1)
# Prints a median table and ratios on stdout; raw wrk output stays in a temp dir (path printed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-3s}"

source "$ROOT/bench/lib.sh"

# --- builds (release) ---------------------------------------------------------
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building wasm-orchestrator (release)"
    (cd "$ROOT" && swift build -c release --product wasm-orchestrator) >&2
    log "building bench/hello (release)"
    (cd "$ROOT/bench/hello" && swift build -c release) >&2
fi
ORCH="${ORCH:-$ROOT/.build/release/wasm-orchestrator}"
HELLO="${HELLO:-$ROOT/bench/hello/.build/release/bench-hello}"
[[ -x "$ORCH" && -x "$HELLO" ]] || { log "release binaries missing: $ORCH $HELLO"; exit 1; }

# --- scratch, cleanup ---------------------------------------------------------
RAW="$(mktemp -d /tmp/bench-raw.XXXXXX)"      # kept: raw wrk output and server logs
WORK="$(mktemp -d /tmp/bench-work.XXXXXX)"    # removed: nginx prefix, data dir
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
    log "raw outputs and server logs: $RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- (a) nginx ----------------------------------------------------------------
start_nginx

# --- (b) hello ----------------------------------------------------------------
P_HELLO="$(free_port)"
"$HELLO" "$P_HELLO" >"$RAW/hello.log" 2>&1 &
PIDS+=($!)

# --- (c) wasm-orchestrator (embedded default: SQLite + files in data dir) ------
P_ORCH="$(free_port)"
DATA="$WORK/data"; mkdir -p "$DATA"
"$ORCH" --data-dir "$DATA" --port "$P_ORCH" >"$RAW/orchestrator.log" 2>&1 &
PIDS+=($!)

wait_http "http://127.0.0.1:$P_NGINX/"
wait_http "http://127.0.0.1:$P_HELLO/"
wait_http "http://127.0.0.1:$P_ORCH/health"
TOKEN="$("$ORCH" token issue --subject bench --role viewer --data-dir "$DATA" 2>>"$RAW/orchestrator.log")"
AUTH="Authorization: Bearer $TOKEN"
# Refuse to benchmark error responses: whoami must answer 200 with this token.
code="$(curl -s -o "$RAW/whoami.json" -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$P_ORCH/api/v1/wasm/auth/whoami")"
[[ "$code" == 200 ]] || { log "whoami returned $code: $(cat "$RAW/whoami.json")"; exit 1; }

# --- targets ------------------------------------------------------------------
NAMES=(nginx hello orch_health orch_whoami)
declare -A URL=(
    [nginx]="http://127.0.0.1:$P_NGINX/"
    [hello]="http://127.0.0.1:$P_HELLO/"
    [orch_health]="http://127.0.0.1:$P_ORCH/health"
    [orch_whoami]="http://127.0.0.1:$P_ORCH/api/v1/wasm/auth/whoami"
)
run_wrk() { # name duration outfile
    local name="$1" dur="$2" out="$3"
    if [[ "$name" == orch_whoami ]]; then
        wrk -t1 -c"$CONNS" -d"$dur" --latency -H "$AUTH" "${URL[$name]}" >"$out"
    else
        wrk -t1 -c"$CONNS" -d"$dur" --latency "${URL[$name]}" >"$out"
    fi
}

measure_rounds

# --- parse --------------------------------------------------------------------
summarize

echo
echo "wrk -t1 -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds, medians ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-14s %12s %10s %10s %8s   %s\n' target "req/s" "p50 ms" "p99 ms" "errors" "req/s per round"
for n in "${NAMES[@]}"; do
    printf '%-14s %12.0f %10.3f %10.3f %8s   %s\n' "$n" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${BAD[$n]}" "${ALL_RPS[$n]}"
done
echo
echo "ratios (req/s: ours / baseline; p50, p99: ours / baseline)"
for c in orch_health orch_whoami; do
    for base in hello nginx; do
        awk -v c="$c" -v b="$base" -v r1="${RPS[$c]}" -v r0="${RPS[$base]}" \
            -v a1="${P50[$c]}" -v a0="${P50[$base]}" -v q1="${P99[$c]}" -v q0="${P99[$base]}" \
            'BEGIN { printf "%-12s / %-6s  req/s %.2fx   p50 %.2fx   p99 %.2fx\n", c, b, r1 / r0, a1 / a0, q1 / q0 }'
    done
done
