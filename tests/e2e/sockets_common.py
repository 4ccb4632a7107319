"""Shared by the socket and privilege end-to-end tests: run bindretry with the
sockinfo target and read what the target saw."""
import json
import os
import select
import subprocess
import time

BINDRETRY = os.environ["BINDRETRY"]
TARGET = ["/usr/bin/python3", os.path.join(os.environ["TESTS_DIR"], "helpers", "sockinfo.py")]
FAST = ["--initial-retry-delay", "100ms", "--max-retry-delay", "200ms"]
from common import check, finish, skip  # noqa: F401 (the scripts import them from here)


def require_root():
    if os.geteuid() != 0:
        skip("needs root")


def run(options, mode="info", timeout=30, **kw):
    """bindretry OPTIONS -- sockinfo MODE; returns the CompletedProcess."""
    return subprocess.run([BINDRETRY, *options, "--", *TARGET, mode], capture_output=True,
                          text=True, timeout=timeout, **kw)


def run_info(options, **kw):
    """Runs to completion; returns (info dict or None, CompletedProcess)."""
    p = run(options, **kw)
    line = p.stdout.splitlines()[0] if p.stdout else ""
    return (json.loads(line) if line.startswith("{") else None), p


class Running:
    """bindretry with a target that stays up (wait or serve) until closed."""

    def __init__(self, options, mode="wait", **kw):
        self.proc = subprocess.Popen([BINDRETRY, *options, "--", *TARGET, mode],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, **kw)
        self.info = self.read_json(30)

    def read_json(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], deadline - time.monotonic())
            if ready:
                line = self.proc.stdout.readline()
                return json.loads(line) if line.startswith("{") else None
        return None

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode, self.proc.stderr.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.close()
