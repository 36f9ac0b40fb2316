#!/usr/bin/env bash
# Agent-protocol benchmark, side by side in one run on one machine (issue: edge nodes):
#   (a) an authenticated desired-state poll answered 304 by wasm-orchestrator (release, PostgreSQL + Redis)
#   (b) a plain Hummingbird hello-world route        (c) nginx returning a static 200
#   plus heartbeat ingest (POST /nodes/{id}/heartbeat from NODES different nodes) on the same stack.
# Usage: bash bench/nodes.sh   (env: DURATION=10s CONNS=64 ROUNDS=3 WARMUP=3s NODES=50 SKIP_BUILD=1 ORCH=path)
# Needs what scripts/services-up.sh needs (scripts/install-deps.sh installs it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
CONNS="${CONNS:-64}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-3s}"
NODES="${NODES:-50}"

source "$ROOT/bench/lib.sh"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building wasm-orchestrator and bench/hello (release)"
    (cd "$ROOT" && swift build -c release --product wasm-orchestrator) >&2
    (cd "$ROOT/bench/hello" && swift build -c release) >&2
fi
ORCH="${ORCH:-$ROOT/.build/release/wasm-orchestrator}"
HELLO="${HELLO:-$ROOT/bench/hello/.build/release/bench-hello}"
[[ -x "$ORCH" && -x "$HELLO" ]] || { log "release binaries missing: $ORCH $HELLO"; exit 1; }

RAW="$(mktemp -d /tmp/bench-nodes-raw.XXXXXX)"
WORK="$(mktemp -d /tmp/bench-nodes-work.XXXXXX)"
chmod 755 "$WORK"  # the postgres user must reach the database directory under it
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    bash "$ROOT/scripts/services-down.sh" "$WORK/svc" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    log "raw outputs and server logs: $RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting PostgreSQL and Redis (and SeaweedFS) on loopback"
bash "$ROOT/scripts/services-up.sh" "$WORK/svc" >"$RAW/services.log" 2>&1
source "$WORK/svc/env.sh"

start_nginx
P_HELLO="$(free_port)"
"$HELLO" "$P_HELLO" >"$RAW/hello.log" 2>&1 &
PIDS+=($!)

P_ORCH="$(free_port)"
# Throughput of one node and token, not the rate limiter: limits off (docs/rate-limits.md).
export RATE_LIMITS_ENABLED=false
export AUTH_JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
DATABASE_URL="$TEST_POSTGRES_URL" REDIS_URL="$TEST_REDIS_URL" SERVER_PORT="$P_ORCH" DATA_DIR="$WORK/data" LOG_LEVEL=warning \
    "$ORCH" serve >"$RAW/orchestrator.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$P_NGINX/"
wait_http "http://127.0.0.1:$P_HELLO/"
wait_http "http://127.0.0.1:$P_ORCH/health/ready"

BASE="http://127.0.0.1:$P_ORCH/api/v1/wasm"
ADMIN="$(DATABASE_URL="$TEST_POSTGRES_URL" "$ORCH" token issue --subject bench --role admin --data-dir "$WORK/data" 2>>"$RAW/orchestrator.log")"
ENROLL="$(curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d "{\"maxUses\":$NODES}" "$BASE/enrollment-tokens" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
log "registering $NODES nodes"
: >"$WORK/credentials"
for ((i = 1; i <= NODES; i++)); do
    curl -fsS -H "Authorization: Bearer $ENROLL" -H 'Content-Type: application/json' \
        -d "{\"nodeId\":\"bench-$i\",\"region\":\"r1\",\"zone\":\"z1\",\"runtime\":\"wasmkit\",\"runtimeVersion\":\"0.4.2\",\"hardware\":{\"cpuCores\":2,\"totalMemoryMB\":2048,\"architecture\":\"x86_64\"}}" \
        "$BASE/nodes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credential"])' >>"$WORK/credentials"
done
CRED="$(head -1 "$WORK/credentials")"
ETAG="$(curl -fsS -D - -o /dev/null -H "Authorization: Bearer $CRED" "$BASE/nodes/bench-1/desired-state" | awk 'tolower($1) == "etag:" { sub(/\r$/, "", $2); print $2 }')"
code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CRED" -H "If-None-Match: $ETAG" "$BASE/nodes/bench-1/desired-state")"
[[ "$code" == 304 ]] || { log "conditional poll returned $code, not 304"; exit 1; }

# Heartbeats rotate over every node's credential.
{
    echo 'local creds = {}'
    i=1; while read -r c; do echo "creds[$i] = \"$c\""; i=$((i + 1)); done <"$WORK/credentials"
    cat <<'LUA'
local n = #creds
local counter = 0
local body = '{"cpuUsagePercent":12.5,"memoryUsageMB":512,"modulesLoaded":3,"agentVersion":"bench","inventory":[],"conditions":[]}'
request = function()
    counter = counter + 1
    local i = (counter % n) + 1
    return wrk.format("POST", "/api/v1/wasm/nodes/bench-" .. i .. "/heartbeat",
        { ["Authorization"] = "Bearer " .. creds[i], ["Content-Type"] = "application/json" }, body)
end
LUA
} >"$WORK/heartbeat.lua"
code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CRED" -H 'Content-Type: application/json' \
    -d '{"cpuUsagePercent":1,"memoryUsageMB":1,"modulesLoaded":0}' "$BASE/nodes/bench-1/heartbeat")"
[[ "$code" == 204 ]] || { log "heartbeat returned $code, not 204"; exit 1; }

NAMES=(nginx hello orch_poll304 orch_heartbeat)
run_wrk() { # name duration outfile
    local name="$1" dur="$2" out="$3"
    case "$name" in
        nginx) wrk -t1 -c"$CONNS" -d"$dur" --latency "http://127.0.0.1:$P_NGINX/" >"$out" ;;
        hello) wrk -t1 -c"$CONNS" -d"$dur" --latency "http://127.0.0.1:$P_HELLO/" >"$out" ;;
        orch_poll304) wrk -t1 -c"$CONNS" -d"$dur" --latency -H "Authorization: Bearer $CRED" -H "If-None-Match: $ETAG" \
            "$BASE/nodes/bench-1/desired-state" >"$out" ;;
        orch_heartbeat) wrk -t1 -c"$CONNS" -d"$dur" --latency -s "$WORK/heartbeat.lua" "http://127.0.0.1:$P_ORCH" >"$out" ;;
    esac
}

measure_rounds
# Heartbeats became durable: the newest one of bench-1 is in PostgreSQL within the flush interval.
sleep 3
durable="$(psql "$TEST_POSTGRES_URL" -Atc "SELECT count(*) FROM nodes WHERE last_heartbeat_at > extract(epoch from now()) - 60" 2>/dev/null || echo "?")"

summarize

echo
echo "wrk -t1 -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds, medians ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)); orchestrator on PostgreSQL + Redis"
printf '%-15s %12s %10s %10s %8s   %s\n' target "req/s" "p50 ms" "p99 ms" "errors" "req/s per round"
for n in "${NAMES[@]}"; do
    printf '%-15s %12.0f %10.3f %10.3f %8s   %s\n' "$n" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" "${BAD[$n]}" "${ALL_RPS[$n]}"
done
echo
for base in hello nginx; do
    awk -v b="$base" -v r1="${RPS[orch_poll304]}" -v r0="${RPS[$base]}" -v q1="${P99[orch_poll304]}" -v q0="${P99[$base]}" \
        'BEGIN { printf "orch_poll304 / %-6s  req/s %.2fx   p99 %.2fx\n", b, r1 / r0, q1 / q0 }'
done
awk -v r="${RPS[orch_poll304]}" -v h="${RPS[hello]}" -v p="${P99[orch_poll304]}" \
    'BEGIN { printf "goal (a) >= 70%% of (b) with p99 <= 5 ms: %s (%.0f%%, p99 %.2f ms)\n", (r >= 0.7 * h && p <= 5) ? "met" : "NOT met", 100 * r / h, p }'
awk -v r="${RPS[orch_heartbeat]}" 'BEGIN { printf "goal heartbeat ingest >= 10000/s: %s (%.0f/s)\n", (r >= 10000) ? "met" : "NOT met", r }'
echo "nodes with a durable heartbeat in PostgreSQL after the run: $durable of $NODES"
if [[ -n ${BENCH_RESULTS:-} ]]; then
    {
        printf 'nginx static 200\t%.0f\treq/s\t-\t-\n' "${RPS[nginx]}"
        printf 'hummingbird hello-world\t%.0f\treq/s\t-\t-\n' "${RPS[hello]}"
        awk -v r="${RPS[orch_poll304]}" -v h="${RPS[hello]}" -v p="${P99[orch_poll304]}" 'BEGIN {
            printf "desired-state poll 304 (p99 %.2f ms)\t%.0f\treq/s\t≥ 70%% of hello, p99 ≤ 5 ms\t%s (%.0f%%)\n", p, r, (r >= 0.7 * h && p <= 5) ? "met" : "NOT met", 100 * r / h }'
        awk -v r="${RPS[orch_heartbeat]}" 'BEGIN { printf "heartbeat ingest\t%.0f\t/s\t≥ 10000\t%s\n", r, (r >= 10000) ? "met" : "NOT met" }'
    } >>"$BENCH_RESULTS"
fi
