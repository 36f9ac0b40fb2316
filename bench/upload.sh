#!/usr/bin/env bash
# 50 MB module upload, end to end, against SeaweedFS (S3 with SigV4 auth), in one run on one machine:
#   raw_put:  a plain SigV4 PUT of the same bytes to the same bucket  (curl --aws-sigv4)
#   upload:   PUT /api/v1/wasm/modules/{name}/versions/{version} on wasm-orchestrator (release,
#             PostgreSQL + Redis + S3): spool + SHA-256, WasmKit validation, S3 PUT, metadata commit
# and the server's peak RSS while CONCURRENT (4) uploads run at once.
# Usage: bash bench/upload.sh
#   env: ROUNDS=5 SIZE=50000000 KIND=custom|data CONCURRENT=4 SAMPLE_MS=50 RSS_BUDGET_MB=32
#        BREAKDOWN=3 SKIP_BUILD=1 SCRATCH_PATH=DIR ORCH=PATH SERVICES_DIR=DIR
# Prints the tables on stdout; raw curl output, samples and logs stay in a temp dir (path printed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
SIZE="${SIZE:-50000000}"             # bytes per module; the default limit is 50 MiB = 52428800
KIND="${KIND:-custom}"               # custom: 1 tiny function + a big custom section; data: a big active data segment
CONCURRENT="${CONCURRENT:-4}"
SAMPLE_MS="${SAMPLE_MS:-50}"
RSS_BUDGET_MB="${RSS_BUDGET_MB:-32}" # "within a few MB of idle plus buffers"
BREAKDOWN="${BREAKDOWN:-3}"          # extra uploads timed by a Python client: body sent vs. answer (0 = skip)
GOAL_RATIO=1.5

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $KIND == custom || $KIND == data ]] || die "KIND must be custom or data"
for t in curl python3 swift sha256sum; do
    command -v "$t" >/dev/null 2>&1 || die "missing $t"
done
# --aws-sigv4 needs curl >= 7.75.
curl --help all 2>/dev/null | grep -q -- --aws-sigv4 || die "this curl has no --aws-sigv4 (need >= 7.75)"

# --- build (release) ----------------------------------------------------------
SCRATCH=()
[[ -n ${SCRATCH_PATH:-} ]] && SCRATCH=(--scratch-path "$SCRATCH_PATH")
if [[ -z ${ORCH:-} && "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building wasm-orchestrator (release)"
    (cd "$ROOT" && swift build -c release --product wasm-orchestrator "${SCRATCH[@]}") >&2
fi
ORCH="${ORCH:-${SCRATCH_PATH:-$ROOT/.build}/release/wasm-orchestrator}"
[[ -x "$ORCH" ]] || die "release binary missing: $ORCH"

# --- scratch, cleanup ---------------------------------------------------------
RAW="$(mktemp -d /tmp/bench-upload-raw.XXXXXX)"    # kept: curl output, RSS samples, server log
WORK="$(mktemp -d /tmp/bench-upload-work.XXXXXX)"  # removed: modules, data dir, own services
PIDS=()
OWN_SERVICES=""
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n $OWN_SERVICES ]]; then
        cp "$OWN_SERVICES"/weed/weed.log "$OWN_SERVICES"/pg/postgres.log "$RAW/" 2>/dev/null || true
        bash "$ROOT/scripts/services-down.sh" "$OWN_SERVICES" >&2 && rm -rf "$OWN_SERVICES"
    fi
    rm -rf "$WORK"
    log "raw outputs and logs: $RAW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- services: PostgreSQL, Redis, SeaweedFS (S3, SigV4 auth) -------------------
# SERVICES_DIR=DIR reuses services started with `scripts/services-up.sh DIR`.
if [[ -n ${SERVICES_DIR:-} ]]; then
    [[ -f $SERVICES_DIR/env.sh ]] || die "no $SERVICES_DIR/env.sh (run scripts/services-up.sh $SERVICES_DIR)"
else
    # Directly under /tmp: as root, services-up runs PostgreSQL as `postgres`, which must reach it.
    SERVICES_DIR="$(mktemp -d /tmp/bench-upload-svc.XXXXXX)"
    OWN_SERVICES="$SERVICES_DIR"
    log "starting PostgreSQL, Redis and SeaweedFS (scripts/services-up.sh)"
    bash "$ROOT/scripts/services-up.sh" "$SERVICES_DIR" >&2
fi
# shellcheck disable=SC1091
source "$SERVICES_DIR/env.sh"
S3="$TEST_S3_ENDPOINT"
BUCKET="${BENCH_BUCKET:-wasm-bench}"   # created by the server (S3_CREATE_BUCKET=true); raw PUTs go there too
SIGV4=(--aws-sigv4 "aws:amz:$TEST_S3_REGION:s3" --user "$TEST_S3_ACCESS_KEY:$TEST_S3_SECRET_KEY")

# --- modules: valid core modules of exactly SIZE bytes, each with distinct content --
cat >"$WORK/genwasm.py" <<'PY'
import os, sys

def leb(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)

def section(sid, payload): return bytes([sid]) + leb(len(payload)) + payload
def vec(items): return leb(len(items)) + b"".join(items)
def name(s): return leb(len(s.encode())) + s.encode()

HDR = b"\x00asm\x01\x00\x00\x00"
TYPES = section(1, vec([b"\x60\x00\x01\x7f"]))      # () -> i32
FUNCS = section(3, vec([b"\x00"]))
BODY = b"\x00\x41\x2a\x0b"                          # no locals; i32.const 42; end
CODE = section(10, vec([leb(len(BODY)) + BODY]))

def build(kind, total, payload):
    """(func (export "run") (result i32) i32.const 42) plus `payload` as
    custom section "bench.debug" (kind custom) or as one active data segment
    at offset 0 of an exported memory just large enough (kind data)."""
    if kind == "custom":
        fixed = HDR + TYPES + FUNCS + section(7, vec([name("run") + b"\x00\x00"])) + CODE
        nm = name("bench.debug")
        for width in range(1, 6):
            p = total - len(fixed) - 1 - width - len(nm)
            if len(leb(len(nm) + p)) == width:
                break
        return fixed + b"\x00" + leb(len(nm) + p) + nm + payload[:p]
    exports = section(7, vec([name("run") + b"\x00\x00", name("memory") + b"\x02\x00"]))
    def prefix(p):
        memory = section(5, vec([b"\x00" + leb((p + 65535) // 65536)]))
        segment = leb(1) + b"\x00\x41\x00\x0b" + leb(p)  # 1 segment: memory 0, i32.const 0, p bytes
        return HDR + TYPES + FUNCS + memory + exports + CODE + b"\x0b" + leb(len(segment) + p) + segment
    p = total
    for _ in range(8):
        p = total - len(prefix(p))
    return prefix(p) + payload[:p]

# genwasm.py KIND SIZE OUTDIR NAME...: OUTDIR/NAME.wasm, random bytes tagged with NAME.
kind, total, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
filler = os.urandom(total)
for n in sys.argv[4:]:
    tag = ("wasm-orchestrator upload bench: " + n + "\n").encode()
    out = build(kind, total, tag + filler)
    assert len(out) == total, (len(out), total)
    with open(os.path.join(outdir, n + ".wasm"), "wb") as f:
        f.write(out)
PY
MODS="$WORK/modules"; mkdir -p "$MODS"
NAMES=(warm)
for ((r = 1; r <= ROUNDS; r++)); do NAMES+=("r$r"); done
for ((c = 1; c <= CONCURRENT; c++)); do NAMES+=("c$c"); done
for ((b = 1; b <= BREAKDOWN; b++)); do NAMES+=("b$b"); done
log "generating ${#NAMES[@]} $KIND modules of $SIZE bytes"
python3 "$WORK/genwasm.py" "$KIND" "$SIZE" "$MODS" "${NAMES[@]}"

# --- wasm-orchestrator (release) on PostgreSQL + Redis + S3 --------------------
PORT="$(free_port)"
DATA="$WORK/data"; mkdir -p "$DATA"   # spool directory for uploads in flight
JWT_SECRET="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
ORCH_ENV=(-u CONFIG_FILE
    DATABASE_URL="$TEST_POSTGRES_URL" REDIS_URL="$TEST_REDIS_URL" REDIS_KEY_PREFIX="wasmbench$$:"
    S3_ENDPOINT="$S3" S3_BUCKET="$BUCKET" S3_REGION="$TEST_S3_REGION"
    S3_ACCESS_KEY="$TEST_S3_ACCESS_KEY" S3_SECRET_KEY="$TEST_S3_SECRET_KEY" S3_CREATE_BUCKET=true
    AUTH_JWT_SECRET="$JWT_SECRET" LOG_LEVEL="${LOG_LEVEL:-info}"
    RATE_LIMITS_ENABLED=false)   # upload throughput, not the 10-a-minute registration limit (docs/rate-limits.md)
# env execs the server, so $! is the server's own pid (its /proc/PID/status is what gets sampled).
env "${ORCH_ENV[@]}" "$ORCH" serve --port "$PORT" --data-dir "$DATA" >"$RAW/orchestrator.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
BASE="http://127.0.0.1:$PORT"
COMM="$(basename "$ORCH" | cut -c1-15)"   # what /proc/PID/comm shows once env has exec'd
[[ $(cat "/proc/$SERVER_PID/comm" 2>/dev/null) == "$COMM" ]] || sleep 0.2
for ((i = 0; ; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$RAW/orchestrator.log" >&2; die "server exited during start-up"; }
    code="$(curl -s -o "$RAW/ready.json" -w '%{http_code}' "$BASE/health/ready" || true)"
    [[ $code == 200 ]] && break
    ((i < 600)) || { tail -n 20 "$RAW/orchestrator.log" >&2; die "not ready after 60 s: $BASE/health/ready ($code)"; }
    sleep 0.1
done
log "server ready on $BASE (pid $SERVER_PID): $(cat "$RAW/ready.json")"
[[ $(cat "/proc/$SERVER_PID/comm") == "$COMM" ]] || die "pid $SERVER_PID is $(cat "/proc/$SERVER_PID/comm"), not the server"
TOKEN="$(env "${ORCH_ENV[@]}" "$ORCH" token issue --subject bench --role deployer --ttl 2h --data-dir "$DATA" 2>>"$RAW/orchestrator.log")"
MODULE="bench-upload-$(date +%s)"

# One upload / raw PUT; prints "seconds" and leaves the answer in $RAW/<tag>.body.
# `Expect:` is suppressed for the upload: curl sends `Expect: 100-continue` for large bodies and
# Hummingbird does not answer it, so curl would idle 1 s before sending. (For the raw PUT curl signs
# the Expect header, so it stays; SeaweedFS answers 100 Continue at once.)
upload() { # tag file version
    local out code t
    out="$(curl -sS -o "$RAW/$1.body" -w '%{http_code} %{time_total}' -X PUT -T "$2" -H 'Expect:' \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/wasm' \
        "$BASE/api/v1/wasm/modules/$MODULE/versions/$3")" || true
    read -r code t <<<"$out" || true
    [[ $code == 201 ]] || die "upload $1 ($3) answered $code: $(head -c 500 "$RAW/$1.body")"
    echo "$t"
}
raw_put() { # tag file [tries]
    local out code t i
    for ((i = 1; ; i++)); do
        out="$(curl -sS -o "$RAW/$1.body" -w '%{http_code} %{time_total}' -T "$2" "${SIGV4[@]}" "$S3/$BUCKET/bench/$1")" || true
        read -r code t <<<"$out" || true
        [[ $code == 200 ]] && break
        ((i < ${3:-1})) || die "raw PUT $1 answered ${code:-nothing}: $(head -c 500 "$RAW/$1.body" 2>/dev/null)"
        sleep 0.5   # warm-up only: SeaweedFS may still be growing volumes for the new bucket
    done
    echo "$t"
}
# The answer must carry the file's digest, and the blob must be in the bucket.
check_stored() { # tag file
    local hex code
    hex="$(sha256sum "$2" | cut -d' ' -f1)"
    grep -q "\"sha256:$hex\"" "$RAW/$1.body" || die "upload $1: answer lacks digest sha256:$hex: $(head -c 500 "$RAW/$1.body")"
    code="$(curl -sS -o /dev/null -I -w '%{http_code}' "${SIGV4[@]}" "$S3/$BUCKET/blobs/sha256/$hex")" || true
    [[ $code == 200 ]] || die "upload $1: blob blobs/sha256/$hex not in bucket $BUCKET (HEAD answered ${code:-nothing})"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status"; }
reset_hwm() { echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null; }   # resets VmHWM to the current RSS
cat >"$WORK/rss.py" <<'PY'
import signal, sys, time
pid, interval, out = sys.argv[1], float(sys.argv[2]) / 1000, sys.argv[3]
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
t0 = time.monotonic()
with open(out, "w") as f:
    while not stop:
        try:
            with open(f"/proc/{pid}/status") as s:
                rss = next(l.split()[1] for l in s if l.startswith("VmRSS:"))
        except (OSError, StopIteration):
            break
        f.write(f"{(time.monotonic() - t0) * 1000:.0f} {rss}\n")
        f.flush()
        time.sleep(interval)
PY
SAMPLER=""
start_sampler() { python3 "$WORK/rss.py" "$SERVER_PID" "$SAMPLE_MS" "$1" & SAMPLER=$!; PIDS+=("$SAMPLER"); }
stop_sampler() { kill -TERM "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }'; }   # kB (KiB) -> MB

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"   # other work on the machine skews everything: shown in the table

# --- warm-up: one raw PUT, one upload (bucket creation, volume growth, connections) --
log "warm-up"
raw_put raw-warm "$MODS/warm.wasm" 20 >"$RAW/raw-warm.time"
upload up-warm "$MODS/warm.wasm" 0.0.1 >"$RAW/up-warm.time"
check_stored up-warm "$MODS/warm.wasm"
log "warm-up: raw $(cat "$RAW/raw-warm.time") s, upload $(cat "$RAW/up-warm.time") s"

# --- RSS: idle, then CONCURRENT uploads at once --------------------------------
sleep 2
start_sampler "$RAW/rss-idle.txt"; sleep 2; stop_sampler
IDLE_KB="$(awk '{ print $2 }' "$RAW/rss-idle.txt" | median)"
reset_hwm && HWM_OK=1 || HWM_OK=0
log "RSS: $CONCURRENT concurrent uploads (idle $(mb "$IDLE_KB") MB)"
start_sampler "$RAW/rss-concurrent.txt"; sleep 0.5
t0="$(date +%s.%N)"
CPIDS=()
for ((c = 1; c <= CONCURRENT; c++)); do
    upload "up-c$c" "$MODS/c$c.wasm" "2.0.$c" >"$RAW/up-c$c.time" &
    CPIDS+=($!)
done
fail=0
for pid in "${CPIDS[@]}"; do wait "$pid" || fail=1; done
t1="$(date +%s.%N)"
sleep 0.5; stop_sampler
((fail == 0)) || die "a concurrent upload failed (see $RAW/up-c*.body)"
for ((c = 1; c <= CONCURRENT; c++)); do check_stored "up-c$c" "$MODS/c$c.wasm"; done
PEAK_KB="$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$RAW/rss-concurrent.txt")"
HWM_KB="$( ((HWM_OK)) && hwm_kb || echo 0)"
CWALL="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
CEACH="$(for ((c = 1; c <= CONCURRENT; c++)); do cat "$RAW/up-c$c.time"; done | awk '{ printf "%s%.2f", (NR > 1 ? "/" : ""), $1 }')"
sleep 3
AFTER_KB="$(rss_kb)"

# --- timed rounds: raw PUT vs. upload, alternating, same bytes -------------------
reset_hwm || true
log "measuring: $ROUNDS rounds x (raw PUT, upload) of $SIZE bytes"
for ((r = 1; r <= ROUNDS; r++)); do
    f="$MODS/r$r.wasm"
    if ((r % 2)); then order=(raw up); else order=(up raw); fi   # alternate who goes first
    for what in "${order[@]}"; do
        if [[ $what == raw ]]; then
            raw_put "raw-r$r" "$f" >"$RAW/raw-r$r.time"
        else
            upload "up-r$r" "$f" "1.0.$r" >"$RAW/up-r$r.time"
            check_stored "up-r$r" "$f"
        fi
    done
    log "round $r: raw $(cat "$RAW/raw-r$r.time") s, upload $(cat "$RAW/up-r$r.time") s"
done
SEQ_HWM_KB="$( ((HWM_OK)) && hwm_kb || echo 0)"

# --- breakdown: when the body was fully sent vs. when the answer came -------------
# A Python client streams the file in 256 KiB writes; "sent" is the return of the last
# write (the body is in the kernel: the server has read all but a socket buffer of it),
# "after" the time from then to the status line: fsync, validation, S3 PUT, commit.
cat >"$WORK/timed_put.py" <<'PY'
import http.client, sys, time, os
host, port, path, token, f = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
size = os.path.getsize(f)
c = http.client.HTTPConnection(host, port)
t0 = time.monotonic()
c.putrequest("PUT", path)
for k, v in (("Authorization", "Bearer " + token), ("Content-Type", "application/wasm"), ("Content-Length", str(size))):
    c.putheader(k, v)
c.endheaders()
with open(f, "rb") as fh:
    while chunk := fh.read(256 * 1024):
        c.send(chunk)
t1 = time.monotonic()
r = c.getresponse(); r.read()
t2 = time.monotonic()
print(r.status, f"{t1 - t0:.3f}", f"{t2 - t1:.3f}", f"{t2 - t0:.3f}")
PY
for ((b = 1; b <= BREAKDOWN; b++)); do
    python3 "$WORK/timed_put.py" 127.0.0.1 "$PORT" "/api/v1/wasm/modules/$MODULE/versions/3.0.$b" "$TOKEN" "$MODS/b$b.wasm" >"$RAW/breakdown-$b.txt"
    [[ $(cut -d' ' -f1 <"$RAW/breakdown-$b.txt") == 201 ]] || die "breakdown upload $b: $(cat "$RAW/breakdown-$b.txt")"
done

# --- report -------------------------------------------------------------------
col() { for ((r = 1; r <= ROUNDS; r++)); do cat "$RAW/$1-r$r.time"; done; }
RAW_MED="$(col raw | median)"; UP_MED="$(col up | median)"
RAW_ALL="$(col raw | awk '{ printf "%s%.3f", (NR > 1 ? "/" : ""), $1 }')"
UP_ALL="$(col up | awk '{ printf "%s%.3f", (NR > 1 ? "/" : ""), $1 }')"
RATIOS="$(paste <(col up) <(col raw) | awk '{ printf "%s%.2f", (NR > 1 ? "/" : ""), $1 / $2 }')"
MEM_GB="$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"

echo
echo "$SIZE-byte module ($KIND variant), SeaweedFS S3 on loopback, $ROUNDS interleaved rounds, medians ($(nproc) cores, $MEM_GB GiB RAM, load $LOAD_START -> $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-10s %10s %9s   %s\n' target "median s" "MB/s" "s per round"
printf '%-10s %10.3f %9.1f   %s\n' raw_put "$RAW_MED" "$(awk -v s="$SIZE" -v t="$RAW_MED" 'BEGIN { print s / 1e6 / t }')" "$RAW_ALL"
printf '%-10s %10.3f %9.1f   %s\n' upload "$UP_MED" "$(awk -v s="$SIZE" -v t="$UP_MED" 'BEGIN { print s / 1e6 / t }')" "$UP_ALL"
awk -v u="$UP_MED" -v r="$RAW_MED" -v g="$GOAL_RATIO" -v per="$RATIOS" 'BEGIN {
    x = u / r
    printf "ratio upload / raw_put: %.2fx (per round %s)   goal <= %.1fx: %s\n", x, per, g, (x <= g ? "MET" : "MISSED") }'
if ((BREAKDOWN > 0)); then
    SENT="$(awk '{ print $2 }' "$RAW"/breakdown-*.txt | median)"
    POST="$(awk '{ print $3 }' "$RAW"/breakdown-*.txt | median)"
    TOT="$(awk '{ print $4 }' "$RAW"/breakdown-*.txt | median)"
    printf 'upload breakdown (Python client, median of %d): body sent %.3f s, then %.3f s until the answer (total %.3f s)\n' \
        "$BREAKDOWN" "$SENT" "$POST" "$TOT"
fi
echo
# Peaks: VmHWM (exact, reset just before) when available, else the highest 50 ms sample.
if ((HWM_OK)); then TOP_KB=$((HWM_KB > PEAK_KB ? HWM_KB : PEAK_KB)); SEQ_TOP_KB="$SEQ_HWM_KB"; PEAKSRC="VmHWM"
else TOP_KB="$PEAK_KB"; SEQ_TOP_KB=0; PEAKSRC="sampled VmRSS"; fi
GROWTH_KB=$((TOP_KB - IDLE_KB))
echo "server RSS (MB = 10^6 bytes; idle: median VmRSS; peaks: $PEAKSRC), $CONCURRENT concurrent uploads of $SIZE bytes"
printf '%-34s %8s MB\n' "idle (after warm-up upload)" "$(mb "$IDLE_KB")"
printf '%-34s %8s MB   (sampled peak %s MB)\n' "peak during $CONCURRENT uploads" "$(mb "$TOP_KB")" "$(mb "$PEAK_KB")"
printf '%-34s %8s MB   (%s MB per upload)\n' "peak - idle" "$(mb "$GROWTH_KB")" "$(mb $((GROWTH_KB / CONCURRENT)))"
printf '%-34s %8s MB\n' "3 s after the uploads" "$(mb "$AFTER_KB")"
((HWM_OK)) && printf '%-34s %8s MB   (peak - idle %s MB)\n' "peak, sequential rounds (1 upload)" "$(mb "$SEQ_TOP_KB")" "$(mb $((SEQ_TOP_KB - IDLE_KB)))"
printf '%-34s %8s s    (each: %s s)\n' "wall time, $CONCURRENT uploads" "$CWALL" "$CEACH"
awk -v g="$GROWTH_KB" -v b="$RSS_BUDGET_MB" -v n="$CONCURRENT" -v s="$SIZE" 'BEGIN {
    gm = g * 1024 / 1e6
    if (gm <= b) v = sprintf("MET (growth %.1f MB <= budget %d MB)", gm, b)
    else v = sprintf("MISSED (growth %.1f MB > budget %d MB; %.1f MB per concurrent upload of %.0f MB)", gm, b, gm / n, s / 1e6)
    print "RSS goal (a few MB over idle, not +" s / 1e6 " MB per upload): " v }'
if [[ -n ${BENCH_RESULTS:-} ]]; then
    awk -v u="$UP_MED" -v r="$RAW_MED" -v g="$GOAL_RATIO" -v k="$KIND" -v s="$SIZE" 'BEGIN {
        printf "upload %.0f MB (%s) / raw SigV4 PUT\t%.2f\tx\t≤ %.1f\t%s\n", s / 1e6, k, u / r, g, (u / r <= g ? "met" : "NOT met") }' >>"$BENCH_RESULTS"
fi
