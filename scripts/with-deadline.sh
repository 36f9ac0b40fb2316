#!/usr/bin/env bash
# with-deadline.sh SECONDS LOG COMMAND [ARGS...]
#
# Runs COMMAND (its output line-buffered, shown and kept in LOG) and ends it if it
# runs longer than SECONDS. A test that hangs then fails the run with its name and
# every thread's stack, long before CI's own limit would cut the run without either:
#   - the tests that started and never finished (from swift-testing's "◇ … started." lines),
#   - `thread apply all bt` of every test process, when gdb is installed,
#   - then SIGTERM to the command's process group, SIGKILL 10 s later.
# Exits with COMMAND's status, or 124 after a timeout (as timeout(1) does).
set -uo pipefail

seconds=$1
log=$2
shift 2

: >"$log"
# setsid: the command and its children form one process group that can be ended together.
setsid stdbuf -oL -eL "$@" >>"$log" 2>&1 &
pid=$!
tail -n +1 -f --pid="$pid" "$log" &
tail_pid=$!

started=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - started > seconds)); then
        sleep 2 # let tail print what is already in the log
        echo
        echo "DEADLINE: '$*' ran longer than ${seconds} s; ending it."
        echo "Tests that started and did not finish:"
        python3 - "$log" <<'EOF'
import re, sys
started, finished = [], set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r'◇ Test (.+?) started\.', line)
    if m:
        started.append(m.group(1))
        continue
    m = re.search(r'Test (.+?) (?:with \d+ test cases? )?(?:passed|failed|skipped)\b', line)
    if m:
        finished.add(m.group(1))
for name in dict.fromkeys(started):
    if name not in finished:
        print("  -", name)
EOF
        if command -v gdb >/dev/null 2>&1; then
            for test_pid in $(pgrep -f '\.xctest' || true); do
                echo "Threads of test process $test_pid ($(tr '\0' ' ' <"/proc/$test_pid/cmdline" 2>/dev/null | cut -c1-200)):"
                timeout 120 gdb -p "$test_pid" -batch -ex "thread apply all bt 40" 2>/dev/null | grep -E '^(Thread|#)' | head -n 4000
            done
        else
            echo "(gdb is not installed: no thread stacks)"
        fi
        kill -TERM -- "-$pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null
        wait "$tail_pid" 2>/dev/null
        exit 124
    fi
    sleep 2
done
wait "$pid"
status=$?
wait "$tail_pid" 2>/dev/null
exit "$status"
