# Shared helpers for the benchmarks in bench/. Source it; it expects RAW, WORK and PIDS.

log() { printf '[bench] %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------------
have_nginx() { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; }
if ! have_nginx || ! command -v wrk >/dev/null 2>&1; then
    log "installing nginx-light and wrk"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light wrk >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
for t in curl python3 swift; do
    command -v "$t" >/dev/null 2>&1 || { log "missing $t"; exit 1; }
done

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_http() { # url [extra curl args...]
    local url="$1"; shift
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    log "not ready: $url"; return 1
}

# start_nginx: a one-worker nginx answering a static 200 "ok"; sets P_NGINX.
start_nginx() {
    P_NGINX="$(free_port)"
    mkdir -p "$WORK/nginx/logs"
    cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$P_NGINX;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
EOF
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$RAW/nginx.log" 2>&1 &
    PIDS+=($!)
}

# --- parse --------------------------------------------------------------------
# Prints "rps p50_ms p99_ms non2xx errors" for one wrk --latency output.
parse() {
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v + 0
        }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        /Socket errors:/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
        END { printf "%s %.3f %.3f %d %d\n", rps, p50, p99, bad, err }
    ' "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure_rounds: a warm-up, then ROUNDS interleaved rounds over NAMES through the caller's
# run_wrk NAME DURATION OUTFILE; outputs land in $RAW/NAME-ROUND.txt.
measure_rounds() {
    log "warm-up ($WARMUP each)"
    for n in "${NAMES[@]}"; do run_wrk "$n" "$WARMUP" "$RAW/warmup-$n.txt"; done

    # Round-robin, rotating the starting target each round so position bias is shared.
    log "measuring: $ROUNDS rounds x ${#NAMES[@]} targets x $DURATION (wrk -t1 -c$CONNS)"
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((i = 0; i < ${#NAMES[@]}; i++)); do
            n="${NAMES[$(((i + r - 1) % ${#NAMES[@]}))]}"
            log "round $r: $n"
            run_wrk "$n" "$DURATION" "$RAW/$n-$r.txt"
        done
    done
}

# summarize: medians per target from $RAW/NAME-ROUND.txt into RPS, P50, P99, BAD (non-2xx/3xx + socket errors), ALL_RPS.
summarize() {
    declare -gA RPS P50 P99 BAD ALL_RPS
    for n in "${NAMES[@]}"; do
        rows="$(for ((r = 1; r <= ROUNDS; r++)); do parse "$RAW/$n-$r.txt"; done)"
        RPS[$n]="$(awk '{print $1}' <<<"$rows" | median)"
        P50[$n]="$(awk '{print $2}' <<<"$rows" | median)"
        P99[$n]="$(awk '{print $3}' <<<"$rows" | median)"
        BAD[$n]="$(awk '{b += $4 + $5} END {print b + 0}' <<<"$rows")"
        ALL_RPS[$n]="$(awk '{printf "%s%.0f", (NR > 1 ? "/" : ""), $1}' <<<"$rows")"
    done
}
