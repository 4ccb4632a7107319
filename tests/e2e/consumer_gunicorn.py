"""gunicorn (Debian's /usr/bin/gunicorn) finds the socket bindretry passed
through LISTEN_FDS and serves an HTTP request on it."""

import http.client
import os
import subprocess

from common import (BINDRETRY, TESTS_DIR, Stderr, check, debug_bound_address, finish,
                    require_binary, skip, split_hostport, stop)

require_binary()
GUNICORN = "/usr/bin/gunicorn"
if not os.access(GUNICORN, os.X_OK):
    skip("gunicorn not installed (Debian package gunicorn)")

proc = subprocess.Popen([BINDRETRY, "--log-level", "debug", "--bind", "127.0.0.1:0", "--",
                         GUNICORN, "--workers", "1", "--chdir",
                         os.path.join(TESTS_DIR, "helpers"), "hello:app"],
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
err = Stderr(proc.stderr)
try:
    front = debug_bound_address(err, "127.0.0.1:0")
    check(front is not None, "the port is logged at debug", err.seen)
    if front:
        host, port = split_hostport(front)
        # The socket is listening before gunicorn starts: the request queues
        # in the kernel until a worker accepts it.
        conn = http.client.HTTPConnection(host, port, timeout=20)
        try:
            conn.request("GET", "/")
            resp = conn.getresponse()
            body = resp.read()
        except OSError as e:
            resp, body = None, repr(e)
        finally:
            conn.close()
        check(resp is not None and resp.status == 200 and body == b"hello from bindretry\n",
              "gunicorn answered on the passed socket", (body, err.seen))
        listening = err.wait_for(r"Listening at", 10)
        check(listening is not None and f"{host}:{port}" in listening.string,
              "gunicorn reports listening at the passed address", err.seen)
    check(not any("Connection in use" in l or "Retrying in" in l for l in err.seen),
          "gunicorn did not try to bind itself", err.seen)
finally:
    stop(proc)

finish()
