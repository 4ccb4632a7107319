#!/usr/bin/python3
"""Supervise mode with a real sd_listen_fds() reader: systemd-socket-proxyd
accepts the sockets on its first life and again after it was killed and
restarted (it finds no sockets unless LISTEN_PID is its own pid)."""
import os
import signal
import socket
import subprocess
import tempfile
import threading

from supervise_util import BINDRETRY, check, children_of, fail, skip, wait_for

PROXYD = "/lib/systemd/systemd-socket-proxyd"


def backend():
    """A loopback server answering every connection with one line."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)

    def serve():
        while True:
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"from backend\n")

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def through_proxy(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
    return data


def listen_pid_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
    return int(env[b"LISTEN_PID"])


if not os.access(PROXYD, os.X_OK):
    skip(PROXYD + " is not installed (package systemd)")

port = backend()
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "proxy.sock")
    with open(os.path.join(tmp, "stderr"), "w+") as err:
        proc = subprocess.Popen([BINDRETRY, "--supervise", "--initial-retry-delay", "10ms",
                                 "--bind", "unix:" + path, "--", PROXYD, "127.0.0.1:%d" % port],
                                stdin=subprocess.DEVNULL, stderr=err)
        try:
            # The file appears at bind(), a moment before listen().
            def listening():
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                    try:
                        probe.connect(path)
                        return True
                    except (FileNotFoundError, ConnectionRefusedError):
                        return False
            wait_for(listening, 10, "the socket to accept connections")
            pids = []

            def new_child():
                live = [p for p, state in children_of(proc.pid) if state != "Z" and p not in pids]
                return live[0] if live else None

            for life in range(3):
                check(through_proxy(path) == b"from backend\n", "no answer through the proxy")
                child = wait_for(new_child, 10, "proxy process %d" % (life + 1))
                check(listen_pid_of(child) == child, "LISTEN_PID is not the proxy's pid")
                pids.append(child)
                os.kill(child, signal.SIGKILL)
            wait_for(new_child, 10, "the proxy after the last restart")
            check(through_proxy(path) == b"from backend\n", "no answer after the last restart")
            check(proc.poll() is None, "bindretry ended")
            proc.send_signal(signal.SIGTERM)
            status = proc.wait(10)
            # systemd-socket-proxyd ends on SIGTERM with its own status.
            check(status in (0, 128 + signal.SIGTERM), "exit status %s after SIGTERM" % status)
        finally:
            if proc.poll() is None:
                for pid, _ in children_of(proc.pid):
                    os.kill(pid, signal.SIGKILL)
                proc.kill()
                proc.wait()
            err.seek(0)
            log = err.read()
        check(log.count("exited with signal SIGKILL") == 3, "restarts not logged:\n" + log)
print("ok")
