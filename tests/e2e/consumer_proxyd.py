"""systemd-socket-proxyd, an unmodified socket-activated server, proxies from
the socket bindretry passed it to a backend."""

import os
import socket
import subprocess
import threading

from common import (BINDRETRY, Stderr, check, debug_bound_address, finish, held_port,
                    require_binary, skip, split_hostport, stop)

require_binary()
PROXYD = next((p for p in ("/lib/systemd/systemd-socket-proxyd",
                           "/usr/lib/systemd/systemd-socket-proxyd") if os.access(p, os.X_OK)),
              None)
if PROXYD is None:
    skip("systemd-socket-proxyd not installed (Debian package systemd)")

PAYLOAD = b"bytes from the backend\n"
backend = held_port()
backend_port = backend.getsockname()[1]


def serve():
    while True:
        try:
            conn, _ = backend.accept()
        except OSError:
            return
        with conn:
            conn.sendall(PAYLOAD)


threading.Thread(target=serve, daemon=True).start()

proc = subprocess.Popen([BINDRETRY, "--log-level", "debug", "--bind", "127.0.0.1:0", "--",
                         PROXYD, f"127.0.0.1:{backend_port}"],
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
err = Stderr(proc.stderr)
try:
    front = debug_bound_address(err, "127.0.0.1:0")
    check(front is not None, "the front port is logged at debug", err.seen)
    if front:
        for round_ in (1, 2):
            with socket.create_connection(split_hostport(front), timeout=10) as c:
                c.settimeout(10)
                data = c.makefile("rb").read()
            check(data == PAYLOAD, f"client {round_} got the backend's bytes through proxyd",
                  (data, err.seen))
    check(proc.poll() is None, "proxyd keeps serving", proc.returncode)
finally:
    stop(proc)
    backend.close()

finish()
