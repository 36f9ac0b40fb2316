#!/usr/bin/env bash
# services-down.sh DIR
#
# Stops the services that scripts/services-up.sh DIR started: PostgreSQL
# (pg_ctl stop -m fast), Redis (pidfile) and SeaweedFS (its process group).
# Safe to run any number of times, and after a start that failed half way:
# whatever is not running is skipped. Leaves DIR (and its logs) in place.
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
[[ -d $1 ]] || exit 0
DIR=$(cd "$1" && pwd)
status=0

# alive PID NAME: PID is running (a zombie does not count) and is ours: its
# command name is NAME, or its command line mentions DIR (guards against
# killing an unrelated process that reused a stale pid).
alive() {
    local stat
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    if [[ $(cat "/proc/$1/comm" 2>/dev/null) != "$2"* ]]; then
        { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$DIR/" || return 1
    fi
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }               # fields after "(comm) "; first is the state
    [[ ${stat%% *} != Z ]]
}

# wait_gone PID NAME SECS: wait until PID has exited; 1 if it has not.
wait_gone() {
    local deadline=$((SECONDS + $3))
    while alive "$1" "$2"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# stop_pid PID NAME GRACE: SIGTERM (to its process group too if it leads
# one), wait up to GRACE seconds, then SIGKILL.
stop_pid() {
    local pid=$1 name=$2 grace=$3 pgid
    alive "$pid" "$name" || return 0
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)
    if [[ $pgid == "$pid" ]]; then
        kill -TERM -- "-$pid" 2>/dev/null || true     # the whole group
    else
        pkill -TERM -P "$pid" 2>/dev/null || true      # its direct children
        kill -TERM "$pid" 2>/dev/null || true
    fi
    if ! wait_gone "$pid" "$name" "$grace"; then
        [[ $name == weed ]] || echo "services-down: $name ($pid) ignored SIGTERM; sending SIGKILL" >&2
        if [[ $pgid == "$pid" ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
        kill -KILL "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" "$name" 5; then
            echo "services-down: could not stop $name ($pid)" >&2
            status=1
            return 1
        fi
    fi
}

# --- SeaweedFS ----------------------------------------------------------------
# `weed server` needs ~17 s to exit on SIGTERM/SIGINT (its gRPC servers stop
# "gracefully"); its data is disposable, so it gets 3 s and then SIGKILL.
if [[ -f $DIR/weed/weed.pid ]]; then
    if stop_pid "$(cat "$DIR/weed/weed.pid")" weed 3; then rm -f "$DIR/weed/weed.pid"; fi
fi
# weed leaves gRPC unix sockets in /tmp; remove the ones for our ports.
if [[ -f $DIR/weed/grpc-ports && ! -f $DIR/weed/weed.pid ]]; then
    read -r -a grpc_ports <"$DIR/weed/grpc-ports" || true
    for port in "${grpc_ports[@]}"; do
        [[ $port =~ ^[0-9]+$ ]] || continue
        rm -f "/tmp/seaweedfs-master-grpc-$port.sock" "/tmp/seaweedfs-volume-grpc-$port.sock" \
            "/tmp/seaweedfs-filer-grpc-$port.sock" "/tmp/seaweedfs-s3-grpc-$port.sock"
    done
    rm -f "$DIR/weed/grpc-ports"
fi

# --- Redis -------------------------------------------------------------------------
# SIGTERM is a clean shutdown (nothing is saved: --save '' --appendonly no).
if [[ -f $DIR/redis/redis.pid ]]; then
    if stop_pid "$(cat "$DIR/redis/redis.pid")" redis-server 10; then rm -f "$DIR/redis/redis.pid"; fi
fi

# --- PostgreSQL ------------------------------------------------------------------
PG_DATA=$DIR/pg/data
if [[ -f $PG_DATA/postmaster.pid ]]; then
    pg_pid=$(head -n 1 "$PG_DATA/postmaster.pid")
    if alive "$pg_pid" postgres; then
        PG_BIN=/usr/lib/postgresql/15/bin
        [[ -x $PG_BIN/pg_ctl ]] || PG_BIN=$(dirname "$(command -v pg_ctl || echo /nonexistent/pg_ctl)")
        if [[ $(id -u) -eq 0 ]]; then
            as_pg() { (cd "$DIR/pg" && runuser -u postgres -- "$@"); }
        else
            as_pg() { (cd "$DIR/pg" && "$@"); }
        fi
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
        # Fallback if pg_ctl could not stop it.
        stop_pid "$pg_pid" postgres 10 || true
    fi
fi

exit "$status"
