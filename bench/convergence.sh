#!/usr/bin/env bash
# Convergence, server RSS and start-up, measured with the fleet simulator:
#   N simulated long-polling agents (`wasm-edge-agent --simulate N`) against the
#   orchestrator (release) on PostgreSQL + Redis. Times from `execute` (approve and
#   start an all-at-once deployment) to all N agents holding the new state, and from
#   `rollback` to all N reverted; the server's RSS idle and with N long-polls open;
#   time from process start to /health/ready = 200.
# Usage: bash bench/convergence.sh   (env: AGENTS=10000 ROUNDS=3 LATENCY_MS=0 (simulated agents: report delay, N or LOW-HIGH) SKIP_BUILD=1 SCRATCH_PATH=DIR ORCH=PATH AGENT=PATH SERVICES_DIR=DIR)
# Prints a table on stdout and appends `metric<TAB>value<TAB>unit<TAB>goal<TAB>verdict` rows to $BENCH_RESULTS when set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AGENTS="${AGENTS:-10000}"
ROUNDS="${ROUNDS:-3}"
source "$ROOT/bench/lib.sh"
die() { log "$*"; exit 1; }

if [[ -z ${ORCH:-} && "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building wasm-orchestrator and wasm-edge-agent (release)"
    (cd "$ROOT" && swift build -c release --scratch-path "${SCRATCH_PATH:-$ROOT/.build}" --product wasm-orchestrator \
        && swift build -c release --scratch-path "${SCRATCH_PATH:-$ROOT/.build}" --product wasm-edge-agent) >&2
fi
ORCH="${ORCH:-${SCRATCH_PATH:-$ROOT/.build}/release/wasm-orchestrator}"
AGENT="${AGENT:-$(dirname "$ORCH")/wasm-edge-agent}"
[[ -x $ORCH && -x $AGENT ]] || die "release binaries missing: $ORCH $AGENT"

RAW="$(mktemp -d /tmp/bench-converge.XXXXXX)"
PIDS=()
OWN_SERVICES=""
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [[ -n $OWN_SERVICES ]] && bash "$ROOT/scripts/services-down.sh" "$OWN_SERVICES" >&2 || true
    log "raw outputs and logs: $RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${SERVICES_DIR:-} ]]; then
    SERVICES_DIR="$(mktemp -d /tmp/bench-converge-svc.XXXXXX)"
    OWN_SERVICES="$SERVICES_DIR"
    log "starting PostgreSQL and Redis (scripts/services-up.sh)"
    bash "$ROOT/scripts/services-up.sh" "$SERVICES_DIR" >&2
fi
# shellcheck disable=SC1091
source "$SERVICES_DIR/env.sh"
DB="bench_converge_$$"
psql "$TEST_POSTGRES_URL" -qc "CREATE DATABASE $DB" >/dev/null
DB_URL="${TEST_POSTGRES_URL%/*}/$DB"

ulimit -n "$(ulimit -Hn)"
SECRET="$(openssl rand -hex 32)"
P_ORCH="$(free_port)"
BASE="http://127.0.0.1:$P_ORCH"
export DATABASE_URL="$DB_URL" REDIS_URL="$TEST_REDIS_URL" AUTH_JWT_SECRET="$SECRET" SERVER_PORT="$P_ORCH" DATA_DIR="$RAW/data"
# Hundreds of agents enrol from one address: limits off (docs/rate-limits.md).
export RATE_LIMITS_ENABLED=false
export NODES_MAX_WAIT_SECONDS=60 DATABASE_POOL_SIZE="${DATABASE_POOL_SIZE:-20}"

# Start-up: process start to /health/ready = 200 (migrations included, empty database).
START_NS="$(date +%s%N)"
"$ORCH" serve >"$RAW/orchestrator.log" 2>&1 &
ORCH_PID=$!
PIDS+=("$ORCH_PID")
for _ in $(seq 1 600); do
    curl -fs -o /dev/null "$BASE/health/ready" && break
    sleep 0.01
done
READY_MS="$(( ($(date +%s%N) - START_NS) / 1000000 ))"
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
token() { "$ORCH" token issue --subject "$1" --role "$2" --ttl 2h 2>/dev/null; }
ADMIN="$(token bench-admin admin)"
DEV="$(token bench-dev deployer)"
api() { # method path token [body]
    curl -fsS -X "$1" "$BASE/api/v1/wasm$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+-d "$4"}
}
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }

# Two versions of a tiny module (wat2wasm when available, else the fixture bytes inline).
for v in 1 2; do
    printf '\x00asm\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03\x02\x01\x00\x07\x0a\x01\x06\x68\x61\x6e\x64\x6c\x65\x00\x00\x0a\x06\x01\x04\x00\x41%b\x0b' "\\x0$v" >"$RAW/m$v.wasm"
    curl -fsS -o /dev/null -X PUT "$BASE/api/v1/wasm/modules/bench/versions/$v.0.0" -H "Authorization: Bearer $DEV" \
        -H 'Content-Type: application/wasm' --data-binary "@$RAW/m$v.wasm"
done
sleep 1
IDLE_RSS="$(rss_mb "$ORCH_PID")"

ENROLL="$(api POST /enrollment-tokens "$ADMIN" "{\"maxUses\": $AGENTS, \"expiresInSeconds\": 7200}" | json '["token"]')"
log "enrolling $AGENTS simulated agents"
"$AGENT" --simulate "$AGENTS" --orchestrator-url "$BASE" --enrollment-token "$ENROLL" --region sim --heartbeat-seconds 30 --latency-ms "${LATENCY_MS:-0}" \
    >"$RAW/simulator.out" 2>"$RAW/simulator.log" &
PIDS+=($!)
wait_line() { # pattern count timeout-seconds
    for _ in $(seq 1 $(( $3 * 10 ))); do
        [[ $(grep -c "$1" "$RAW/simulator.out" || true) -ge $2 ]] && return 0
        sleep 0.1
    done
    die "timed out waiting for $2 × '$1' (see $RAW/simulator.log)"
}
wait_line '"enrolled"' 1 600
wait_line '"converged"' 1 120
sleep 6   # one health-monitor pass (5 s) records the freshly heartbeating nodes as Healthy
POLL_RSS="$(rss_mb "$ORCH_PID")"
OPEN="$(ss -Htn state established "( sport = :$P_ORCH )" 2>/dev/null | wc -l)"
log "idle RSS ${IDLE_RSS} MB; with $AGENTS agents polling ${POLL_RSS} MB ($OPEN connections open)"

deploy_body() { echo "{\"moduleName\":\"bench\",\"moduleVersion\":\"$1.0.0\",\"environment\":\"production\",\"target\":{\"regions\":[\"sim\"]},\"entrypoint\":\"handle\",\"autoRollback\":false}"; }
# converged_after T0 N: seconds from T0 to the N-th "converged" line's time.
converged_after() {
    wait_line '"converged"' "$2" 120
    grep '"converged"' "$RAW/simulator.out" | sed -n "$2p" | python3 -c "import sys, json; print('%.3f' % (json.load(sys.stdin)['at'] - $1))"
}
# wait_status ID STATUS: the agents' reports complete a rollout before the next one may start (one rollout per module).
wait_status() {
    local status=""
    for _ in $(seq 1 600); do
        status="$(api GET "/deployments/$1" "$ADMIN" | json '["status"]' || true)"
        [[ $status == "$2" ]] && return 0
        sleep 0.5
    done
    die "deployment $1 is $status, not $2, after 300 s"
}
SEEN=1
EXEC_S=()
ROLLBACK_S=()
ROLLOUT=()
ROLLBACK=()
for round in $(seq 1 "$ROUNDS"); do
    # Version 1 is the baseline; version 2 is rolled out and rolled back each round.
    if [[ $round -eq 1 ]]; then
        ID1="$(api POST /deployments "$DEV" "$(deploy_body 1)" | json '["id"]')"
        api POST "/deployments/$ID1/execute" "$ADMIN" '{}' >/dev/null
        SEEN=$((SEEN + 1)); converged_after "$(date +%s.%N)" "$SEEN" >/dev/null
        wait_status "$ID1" Completed
    fi
    ID="$(api POST /deployments "$DEV" "$(deploy_body 2)" | json '["id"]')"
    T0="$(date +%s.%N)"
    EXEC_S+=("$(curl -fsS -o /dev/null -w '%{time_total}' -X POST "$BASE/api/v1/wasm/deployments/$ID/execute" -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/json' -d '{"approvedBy":"bench"}')")
    SEEN=$((SEEN + 1)); ROLLOUT+=("$(converged_after "$T0" "$SEEN")")
    wait_status "$ID" Completed
    T0="$(date +%s.%N)"
    ROLLBACK_S+=("$(curl -fsS -o /dev/null -w '%{time_total}' -X POST "$BASE/api/v1/wasm/deployments/$ID/rollback" -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/json' -d '{"reason":"bench"}')")
    SEEN=$((SEEN + 1)); ROLLBACK+=("$(converged_after "$T0" "$SEEN")")
    log "round $round: rollout ${ROLLOUT[-1]} s (execute answered in ${EXEC_S[-1]} s), rollback ${ROLLBACK[-1]} s (answered in ${ROLLBACK_S[-1]} s)"
done
MED_ROLLOUT="$(printf '%s\n' "${ROLLOUT[@]}" | median)"
MED_ROLLBACK="$(printf '%s\n' "${ROLLBACK[@]}" | median)"
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "met" : "NOT met" }'; }

echo
echo "convergence with $AGENTS simulated long-polling agents ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)); orchestrator on PostgreSQL + Redis; $ROUNDS rounds, medians"
printf '%-44s %10s   %s\n' metric value "goal / rounds"
printf '%-44s %9ss   ≤ 2 s: %s  (%s)\n' "approval (execute) → all agents hold new state" "$MED_ROLLOUT" "$(verdict "$MED_ROLLOUT" 2)" "${ROLLOUT[*]}"
printf '%-44s %9ss   ≤ 2 s: %s  (%s)\n' "rollback → all agents reverted" "$MED_ROLLBACK" "$(verdict "$MED_ROLLBACK" 2)" "${ROLLBACK[*]}"
printf '%-44s %9ss   (the commit itself; the rest is fan-out)\n' "execute request answered" "$(printf '%s\n' "${EXEC_S[@]}" | median)"
printf '%-44s %9ss\n' "rollback request answered" "$(printf '%s\n' "${ROLLBACK_S[@]}" | median)"
printf '%-44s %8sMB\n' "server RSS idle" "$IDLE_RSS"
printf '%-44s %8sMB   ≤ 200 MB: %s\n' "server RSS with $AGENTS long-polls open" "$POLL_RSS" "$(verdict "$POLL_RSS" 200)"
printf '%-44s %8sms   (empty database, migrations included)\n' "process start → /health/ready 200" "$READY_MS"
if [[ -n ${BENCH_RESULTS:-} ]]; then
    printf 'convergence: execute → %s agents\t%s\ts\t≤ 2\t%s\n' "$AGENTS" "$MED_ROLLOUT" "$(verdict "$MED_ROLLOUT" 2)" >>"$BENCH_RESULTS"
    printf 'convergence: rollback → %s agents\t%s\ts\t≤ 2\t%s\n' "$AGENTS" "$MED_ROLLBACK" "$(verdict "$MED_ROLLBACK" 2)" >>"$BENCH_RESULTS"
    printf 'server RSS idle\t%s\tMB\t-\t-\n' "$IDLE_RSS" >>"$BENCH_RESULTS"
    printf 'server RSS, %s long-polls\t%s\tMB\t≤ 200\t%s\n' "$AGENTS" "$POLL_RSS" "$(verdict "$POLL_RSS" 200)" >>"$BENCH_RESULTS"
    printf 'start → /health/ready\t%s\tms\t-\t-\n' "$READY_MS" >>"$BENCH_RESULTS"
fi
