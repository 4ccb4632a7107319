"""A privileged port as an unprivileged user: bindretry says why and exits 1
at once instead of sleeping through retries that cannot help."""

import os
import socket
import subprocess
import time

from common import BINDRETRY, check, finish, lines, require_binary, skip

require_binary()
NOBODY = 65534
if os.geteuid() != 0:
    skip("needs root to run bindretry as nobody")
try:
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
        unprivileged_start = int(f.read())
except OSError:
    unprivileged_start = 1024
if unprivileged_start <= 1:
    skip("every port is unprivileged here (net.ipv4.ip_unprivileged_port_start)")
port = unprivileged_start - 1  # the highest privileged port


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


probe = subprocess.run([BINDRETRY, "--version"], preexec_fn=as_nobody, capture_output=True,
                       timeout=10)
if probe.returncode != 0:
    skip("nobody cannot run the built binary (directory permissions)")

started = time.monotonic()
r = subprocess.run([BINDRETRY, "--bind", f"127.0.0.1:{port}", "--", "true"],
                   preexec_fn=as_nobody, capture_output=True, text=True, timeout=30,
                   stdin=subprocess.DEVNULL)
took = time.monotonic() - started
err = lines(r.stderr)
check(r.returncode == 1, "privileged port as nobody exits 1", (r.returncode, r.stderr))
check(len(err) == 1 and f"127.0.0.1:{port}" in err[0] and "Permission denied" in err[0]
      and "not retrying" in err[0] and "attempt 1" in err[0],
      "one error line naming the address, the cause and 'not retrying'", r.stderr)
check(not any("Retrying in" in l for l in err), "no retry was scheduled", r.stderr)
check(took < 0.9, "it stopped at once, well before the 1s first delay", took)
print(f"     exited after {took * 1000:.0f} ms: {err[0] if err else ''}")

# The same port as root binds (when free): the failure above was the privilege.
s = socket.socket()
try:
    s.bind(("127.0.0.1", port))
    free = True
except OSError:
    free = False
finally:
    s.close()
if free:
    r = subprocess.run([BINDRETRY, "--bind", f"127.0.0.1:{port}", "--", "true"],
                       capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    check(r.returncode == 0 and r.stderr == "", "as root the same port binds", r.stderr)

finish()
