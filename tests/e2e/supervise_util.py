"""Shared pieces of the supervise-mode end-to-end tests."""
import os
import socket
import subprocess
import sys
import tempfile
import time

from common import skip  # noqa: F401 (the scripts import it from here)

BINDRETRY = os.environ["BINDRETRY"]
TARGET = os.environ["HELPER_SUPERVISE_TARGET"]


def fail(message):
    print("FAIL:", message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)




def wait_for(predicate, timeout, what):
    """Polls predicate until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            fail("timed out waiting for " + what)
        time.sleep(0.01)


class Run:
    """bindretry --supervise on a Unix socket in a fresh directory."""

    def __init__(self, target_args, options=(), prefix=(), preexec_fn=None):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "s.sock")
        self.log = os.path.join(self.dir.name, "starts")
        self.stderr_path = os.path.join(self.dir.name, "stderr")
        env = dict(os.environ, SUPERVISE_TARGET_LOG=self.log)
        argv = list(prefix) + [BINDRETRY, "--supervise", *options, "--bind", "unix:" + self.path,
                               "--", TARGET, *target_args]
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stderr=err, env=env,
                                         preexec_fn=preexec_fn)

    def starts(self):
        try:
            with open(self.log) as f:
                return [int(line.split()[1]) for line in f if line.startswith("start ")]
        except FileNotFoundError:
            return []

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def ask(self, timeout=10):
        """One request; returns the target's answer as a dict."""
        # The file appears at bind(), a moment before listen(): until then a
        # connection is refused, so the socket accepting one is the signal.
        def connected(s):
            try:
                s.connect(self.path)
                return True
            except (FileNotFoundError, ConnectionRefusedError):
                return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            wait_for(lambda: connected(s), timeout, "the socket to accept a connection")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        check(data.endswith(b"\n"), "incomplete answer %r" % data)
        return dict(item.split("=", 1) for item in data.decode().split())

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid, _ in children_of(self.proc.pid):
                os.kill(pid, 9)
            self.proc.kill()
            self.proc.wait()
            fail("bindretry did not exit within %ss; stderr:\n%s" % (timeout, self.stderr()))

    def close(self):
        """Stops bindretry the polite way, so that no child outlives the test."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                for pid, _ in children_of(self.proc.pid):
                    os.kill(pid, 9)
                self.proc.kill()
                self.proc.wait()
        self.dir.cleanup()


def children_of(pid):
    """Pids (and states) of the processes whose parent is pid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append((int(entry), fields[0]))
    return found
