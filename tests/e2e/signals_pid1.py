"""As PID 1 of a PID namespace (a container entrypoint), SIGTERM during the
backoff still ends bindretry at once; the kernel ignores default actions for
PID 1, so the status is 128+15 as from a shell."""

import shutil
import signal
import subprocess
import time

from common import (BINDRETRY, Stderr, check, finish, held_port, require_binary, skip,
                    stop, wait_exit)

require_binary()
UNSHARE = shutil.which("unshare", path="/usr/bin:/bin")
if UNSHARE is None:
    skip("unshare(1) not installed (Debian package util-linux)")
probe = subprocess.run([UNSHARE, "--pid", "--fork", "--kill-child", "true"],
                       capture_output=True, text=True, timeout=10)
if probe.returncode != 0:
    skip(f"cannot create a PID namespace here: {probe.stderr.strip()}")

holder = held_port()
addr = f"127.0.0.1:{holder.getsockname()[1]}"
proc = subprocess.Popen([UNSHARE, "--pid", "--fork", "--kill-child", BINDRETRY,
                         "--initial-retry-delay", "30s", "--max-retry-delay", "60s",
                         "--bind", addr, "--", "true"],
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True)
err = Stderr(proc.stderr)
try:
    check(err.wait_for(r"Retrying in 30s", 10) is not None, "bindretry waits as PID 1", err.seen)
    with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
        children = f.read().split()
    check(len(children) == 1, "unshare has one child, bindretry", children)
    sent = time.monotonic()
    subprocess.run(["kill", "-TERM", children[0]], check=True)
    status = wait_exit(proc, 5)
    took = time.monotonic() - sent
    print(f"     exited {took * 1000:.1f} ms after the signal, status {status}")
    # unshare reports a child killed by a signal by killing itself with it, and a
    # child that exited with its status.
    check(status in (128 + signal.SIGTERM, -signal.SIGTERM),
          "PID 1 bindretry ended on SIGTERM", (status, err.rest()))
    check(status is not None and took <= 0.5, "and at once, not after the delay", took)
finally:
    stop(proc, signal.SIGKILL)
holder.close()

finish()
