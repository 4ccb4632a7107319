"""Shared plumbing for the end-to-end scripts: where the programs are, a
check() that records failures, and stderr/exit waits with deadlines."""

import os
import queue
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time

BINDRETRY = os.environ.get("BINDRETRY", "")
TESTS_DIR = os.environ.get("TESTS_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_failures = []


def helper(name):
    path = os.environ.get("HELPER_" + name.upper().replace("-", "_"))
    if not path:
        skip(f"HELPER_{name.upper()} is not set (run through meson test)")
    return path


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(77)


def check(condition, what, detail=""):
    if condition:
        print(f"ok   {what}")
    else:
        print(f"FAIL {what}" + (f"\n     {detail}" if detail else ""))
        _failures.append(what)
    return condition


def finish():
    if not BINDRETRY:
        skip("BINDRETRY is not set (run through meson test)")
    if _failures:
        print(f"{len(_failures)} check(s) failed")
        sys.exit(1)
    sys.exit(0)


def require_binary():
    if not BINDRETRY or not os.access(BINDRETRY, os.X_OK):
        skip("BINDRETRY does not name an executable (run through meson test)")


def run(args, timeout=20, **kwargs):
    """bindretry ARGS, waited for; stdout and stderr captured as text."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([BINDRETRY] + list(args), capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def lines(text):
    return [line for line in text.splitlines() if line]


def held_port(family=socket.AF_INET, host="127.0.0.1", kind=socket.SOCK_STREAM):
    """A socket holding a kernel-picked port (listening for stream)."""
    s = socket.socket(family, kind)
    s.bind((host, 0))
    if kind == socket.SOCK_STREAM:
        s.listen()
    return s


class Stderr:
    """Reads a child's stderr in the background so a test can wait for a
    line with a deadline instead of sleeping."""

    def __init__(self, stream):
        self._queue = queue.Queue()
        self.seen = []
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream):
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern, timeout=10.0):
        """The first match of PATTERN in a new line, or None at the deadline or EOF."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                self._queue.put(None)
                return None
            self.seen.append(line)
            match = regex.search(line)
            if match:
                return match

    def rest(self, timeout=10.0):
        """Every remaining line up to EOF (call after the process ended)."""
        self._thread.join(timeout)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
        return self.seen


def wait_exit(proc, timeout):
    """Waits for PROC with a pidfd (no polling interval to blur timing);
    returns the returncode, or None at the deadline."""
    fd = os.pidfd_open(proc.pid)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ready:
        return None
    return proc.wait()


def stop(proc, sig=signal.SIGTERM, timeout=10):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def debug_bound_address(stderr, spec, timeout=10.0):
    """The address bindretry reports at --log-level debug for SPEC ('Bound SPEC as ADDR')."""
    match = stderr.wait_for(r"Bound " + re.escape(spec) + r" as (\S+)$", timeout)
    return match.group(1) if match else None


def split_hostport(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)
