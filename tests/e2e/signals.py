"""SIGTERM, SIGINT or SIGHUP during a long backoff ends bindretry at once
(not after the delay), by that very signal, without running the target."""

import os
import signal
import subprocess
import tempfile
import time

from common import (BINDRETRY, Stderr, check, finish, held_port, helper, require_binary,
                    stop, wait_exit)

require_binary()
REPORT = helper("report")
DEADLINE = 0.2  # the contract: ended within 200 ms of the signal

holder = held_port()
addr = f"127.0.0.1:{holder.getsockname()[1]}"
with tempfile.TemporaryDirectory() as tmp:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        out = os.path.join(tmp, f"{sig.name}.json")
        sock_path = os.path.join(tmp, f"{sig.name}.sock")
        # The Unix socket binds at once and waits for the busy port with it;
        # bindretry created its file, so bindretry removes it when it gives up.
        proc = subprocess.Popen([BINDRETRY, "--initial-retry-delay", "30s",
                                 "--max-retry-delay", "60s",
                                 "--bind", sock_path, "--bind", addr, "--", REPORT, out],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        err = Stderr(proc.stderr)
        try:
            waiting = err.wait_for(r"Bind attempt 1 failed .* Retrying in 30s\.\.\.$", 10)
            check(waiting is not None, f"{sig.name}: bindretry is in its 30s backoff", err.seen)
            sent = time.monotonic()
            proc.send_signal(sig)
            status = wait_exit(proc, 5)
            took = time.monotonic() - sent
            print(f"     {sig.name}: exited {took * 1000:.1f} ms after the signal")
            check(status == -sig, f"{sig.name}: bindretry died by {sig.name}", status)
            check(status is not None and took <= DEADLINE,
                  f"{sig.name}: ended within {DEADLINE * 1000:.0f} ms", f"{took:.3f}s")
            check(not os.path.exists(out), f"{sig.name}: the target never ran")
            check(not os.path.exists(sock_path),
                  f"{sig.name}: the socket file bindretry created is removed")
        finally:
            stop(proc, signal.SIGKILL)
        check(proc.stdout.read() == "", f"{sig.name}: nothing on stdout")
holder.close()

finish()
