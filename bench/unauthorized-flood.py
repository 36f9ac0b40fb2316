#!/usr/bin/env python3
"""Server memory under a flood of large bodies from callers who are not authorized.

Issue 11 reproduced it: six POSTs of 40 MB with a bearer shaped like an
enrollment token (`wet_…`) and an Idempotency-Key raised the server's RSS by
287 MB before each was answered 401. This starts the built server on the
embedded default, sends FLOOD_REQUESTS (6) such requests at once, each
FLOOD_MB (40) MB, written whole before the answer is read (as Python's http
client does), and prints the server's RSS before and after and its peak
(VmHWM), and every status.

    python3 bench/unauthorized-flood.py [path/to/wasm-orchestrator]

The debug build is the default binary (`swift build --product wasm-orchestrator`).
"""
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/wasm-orchestrator"
REQUESTS = int(os.environ.get("FLOOD_REQUESTS", "6"))
MEGABYTES = int(os.environ.get("FLOOD_MB", "40"))
CHUNK = b"x" * (1 << 20)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    return fields


def flood_one(port, results, index):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.putrequest("POST", "/api/v1/wasm/deployments")
        connection.putheader("Authorization", "Bearer wet_" + "a" * 43)
        connection.putheader("Idempotency-Key", f"flood-{index}")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(MEGABYTES << 20))
        connection.endheaders()
        try:
            for _ in range(MEGABYTES):
                connection.send(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed; the answer is still readable
        response = connection.getresponse()
        results[index] = response.status
    except Exception as error:  # noqa: BLE001 - reported, not hidden
        results[index] = f"error: {error}"
    finally:
        connection.close()


def main():
    port = free_port()
    data = tempfile.mkdtemp(prefix="flood-")
    server = subprocess.Popen(
        [BINARY, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "LOG_LEVEL": "error"})
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/health/ready")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            sys.exit("the server did not become ready")
        time.sleep(1)
        before = memory(server.pid)
        results = [None] * REQUESTS
        threads = [threading.Thread(target=flood_one, args=(port, results, i)) for i in range(REQUESTS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        time.sleep(1)
        after = memory(server.pid)
        print(f"{REQUESTS} requests × {MEGABYTES} MB with an enrollment-shaped bearer, answered in {elapsed:.1f} s: {results}")
        print(f"server RSS before {before['VmRSS']:.1f} MB, after {after['VmRSS']:.1f} MB "
              f"(+{after['VmRSS'] - before['VmRSS']:.1f} MB); peak (VmHWM) {after['VmHWM']:.1f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
