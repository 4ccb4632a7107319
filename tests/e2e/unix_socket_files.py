#!/usr/bin/python3
"""Existing paths: a stale socket is replaced, a live one is "in use", and
anything that is not a socket is never removed."""
import os
import socket
import tempfile

from sockets_common import FAST, Running, check, finish, run_info

d = tempfile.mkdtemp(prefix="bindretry-unix-")
once = ["--max-bind-retries", "1", *FAST]

# A stale socket: bound, then its owner went away without removing it.
stale = os.path.join(d, "stale.sock")
s = socket.socket(socket.AF_UNIX)
s.bind(stale)
s.close()
with Running(["--bind", stale, *once], mode="serve") as r:
    check(r.info and r.info["sockets"][0]["address"] == stale, f"stale socket handed over: {r.info}")
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(30)
    c.connect(stale)  # refused if the stale file were still there
    check(c.makefile().readline().startswith("uid="), "the new socket at the stale path serves")
    c.close()
    code, err = r.close()
    check(code == 0, f"stale socket: exit {code}, stderr {err!r}")

# A live socket: in use, retried, never removed, still serving afterwards.
live = os.path.join(d, "live.sock")
server = socket.socket(socket.AF_UNIX)
server.bind(live)
server.listen()
live_ino = os.stat(live).st_ino
info, p = run_info(["--bind", live, *once])
check(p.returncode == 1, f"live socket: exit {p.returncode} (want 1)")
check("in use" in p.stderr and live in p.stderr, f"live socket message: {p.stderr!r}")
check(p.stderr.count("in use") >= 2, f"live socket was retried: {p.stderr!r}")
check(os.stat(live).st_ino == live_ino, "live socket file untouched")
c = socket.socket(socket.AF_UNIX)
c.connect(live)  # still the old server's
check(server.accept()[0] is not None, "live server still reachable")
c.close()
server.close()

# Not sockets: a regular file, a directory, a symlink to a file. Never removed.
regular = os.path.join(d, "regular")
with open(regular, "w") as f:
    f.write("precious data\n")
directory = os.path.join(d, "dir")
os.mkdir(directory)
link = os.path.join(d, "link")
os.symlink(regular, link)
for path in (regular, directory, link):
    info, p = run_info(["--bind", path, *once])
    check(p.returncode == 1, f"{path}: exit {p.returncode} (want 1)")
    check(f"'{path}'" in p.stderr and "not a socket" in p.stderr, f"{path}: message {p.stderr!r}")
    check(p.stderr.count("not a socket") == 1, f"{path}: not retried: {p.stderr!r}")
with open(regular) as f:
    check(f.read() == "precious data\n", "regular file content intact")
check(os.path.isdir(directory), "directory still there")
check(os.path.islink(link) and os.readlink(link) == regular, "symlink still there")

# A missing directory is an error, not created.
missing = os.path.join(d, "no", "such", "dir", "x.sock")
info, p = run_info(["--bind", missing, "--max-bind-retries", "0"])
check(p.returncode == 1, f"missing directory: exit {p.returncode}")
check(missing in p.stderr, f"missing directory message: {p.stderr!r}")
check(not os.path.exists(os.path.join(d, "no")), "missing directory not created")

# sun_path overflow is a usage error naming the path, before anything is made.
long_path = os.path.join(d, "x" * 120 + ".sock")
info, p = run_info(["--bind", long_path])
check(p.returncode == 2, f"long path: exit {p.returncode} (want 2)")
check("x" * 120 in p.stderr and "too long" in p.stderr, f"long path message: {p.stderr!r}")
finish()
