#!/usr/bin/env python3
"""Slow-client attack on akash_exporter, as a hostile network would try it.

Starts the exporter (plain HTTP, or TLS with a throw-away certificate), opens 1,000 connections
from 127.0.0.1 that never send a request and a few that drip one byte at a time, then checks:
  - a scrape from another client address (127.0.0.2) is answered 200 within 1 s;
  - the per-address cap (128) closes the excess connections at once;
  - every slow connection is closed once the 5 s header timeout has passed.
Exits 0 when all hold, 1 otherwise. Used by ctest (slow_clients_plain, slow_clients_tls).

usage: slow_clients.py EXPORTER_BINARY [--tls]
"""

import os
import re
import resource
import select
import socket
import ssl
import subprocess
import sys
import tempfile
import time

IDLE = 1000
DRIPPING = 30
PER_ADDRESS_CAP = 128
HEADER_TIMEOUT_S = 5


def start_exporter(binary, workdir, tls):
    args = [binary, "--web.listen-address=127.0.0.1:0"]
    if tls:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-keyout", os.path.join(workdir, "tls.key"),
             "-out", os.path.join(workdir, "tls.crt")],
            check=True, capture_output=True)
        web = os.path.join(workdir, "web.yml")
        with open(web, "w", encoding="utf-8") as f:
            f.write("tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n")
        args.append("--web.config.file=" + web)
    log = open(os.path.join(workdir, "exporter.log"), "w+", encoding="utf-8")
    proc = subprocess.Popen(args, stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log.seek(0)
        m = re.search(r"ports=(\d+)", log.read())
        if m:
            return proc, int(m.group(1))
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("exporter did not start")


def connect(port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def is_closed(s):
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(1, socket.MSG_DONTWAIT) == b""
    except (ConnectionResetError, BlockingIOError):
        return True


def scrape(port, tls):
    s = connect(port, "127.0.0.2")
    s.settimeout(5)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary, tls = sys.argv[1], "--tls" in sys.argv[2:]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    failures = []
    with tempfile.TemporaryDirectory() as workdir:
        proc, port = start_exporter(binary, workdir, tls)
        try:
            socks = [connect(port, "127.0.0.1") for _ in range(IDLE)]
            dripping = socks[:DRIPPING]
            # The start of a request (or of a TLS record) and then one byte at a time.
            first = b"\x16\x03\x01" if tls else b"GET /metrics HTTP/1.1\r\n"
            for s in dripping:
                s.send(first)
            time.sleep(0.3)
            refused = sum(1 for s in socks if is_closed(s))
            if refused != IDLE - PER_ADDRESS_CAP:
                failures.append(f"per-address cap: {refused} closed, want {IDLE - PER_ADDRESS_CAP}")

            start = time.monotonic()
            reply = scrape(port, tls)
            took = time.monotonic() - start
            if not reply.startswith(b"HTTP/1.1 200"):
                failures.append(f"scrape answered {reply[:40]!r}")
            if took >= 1.0:
                failures.append(f"scrape took {took:.3f} s")

            deadline = time.monotonic() + HEADER_TIMEOUT_S + 3
            open_left = socks
            while open_left and time.monotonic() < deadline:
                for s in dripping:
                    if not is_closed(s):
                        try:
                            s.send(b"X")
                        except OSError:
                            pass
                time.sleep(0.2)
                open_left = [s for s in open_left if not is_closed(s)]
            if open_left:
                failures.append(f"{len(open_left)} slow connections still open after the header timeout")
            print(f"{'tls' if tls else 'plain'}: {refused} of {IDLE} refused by the cap, "
                  f"scrape from 127.0.0.2 in {took * 1000:.1f} ms, "
                  f"{len(open_left)} slow connections left after {HEADER_TIMEOUT_S} s")
            for s in socks:
                s.close()
        finally:
            proc.terminate()
            proc.wait(5)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
