"""bindretry under socket activation itself: sockets addressed to it
(LISTEN_PID = its pid) are passed on at 3 onward, in front of its own, with
their names; a set addressed to another pid is not."""

import json
import os
import socket
import subprocess
import sys

from common import BINDRETRY, check, finish, helper, require_binary

require_binary()
REPORT = helper("report")

# The launcher plays systemd: the child the test forks puts the sockets it
# was given at 3 onward, addresses LISTEN_* to its own pid, and execs
# bindretry (so the pid is bindretry's). argv: NAMES|- FD... -- BINDRETRY ARGS
LAUNCHER = r"""
import os, sys
sep = sys.argv.index("--")
names, fds, argv = sys.argv[1], [int(a) for a in sys.argv[2:sep]], sys.argv[sep + 1:]
# Out of the way first, then into place: the protocol's two-step move.
high = [os.dup(fd) for fd in fds]
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i)
for fd in set(high + fds) - set(range(3, 3 + len(fds))):
    os.close(fd)
env = dict(os.environ, LISTEN_FDS=str(len(fds)), LISTEN_PID=str(os.getpid()))
if names != "-":
    env["LISTEN_FDNAMES"] = names
else:
    env.pop("LISTEN_FDNAMES", None)
os.execve(argv[0], argv, env)
"""


def activated(outer_socks, names, binds, launcher=LAUNCHER):
    fds = [s.fileno() for s in outer_socks]
    argv = [sys.executable, "-c", launcher, names, *map(str, fds), "--", BINDRETRY]
    for b in binds:
        argv += ["--bind", b]
    argv += ["--", REPORT]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=20, pass_fds=fds,
                       stdin=subprocess.DEVNULL)
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        return r, None


def listener(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    if kind == socket.SOCK_STREAM:
        s.listen()
    return s


outer = listener()
outer_addr = "127.0.0.1:%d" % outer.getsockname()[1]
r, rep = activated([outer], "outer", ["own=127.0.0.1:0", "udp:127.0.0.1:0"])
check(r.returncode == 0 and rep is not None, "the activated bindretry ran the target",
      (r.returncode, r.stderr))
if rep:
    socks = {s["fd"]: s for s in rep["sockets"]}
    check(rep["fds"] == [0, 1, 2, 3, 4, 5], "fds 0..5: one passed through, two own", rep["fds"])
    check(socks.get(3, {}).get("address") == outer_addr and socks[3].get("listening"),
          "fd 3 is the inherited socket", socks.get(3))
    check(socks.get(4, {}).get("type") == "stream" and socks[4].get("address") != outer_addr,
          "fd 4 is bindretry's first own socket", socks.get(4))
    check(socks.get(5, {}).get("type") == "dgram", "fd 5 is bindretry's UDP socket", socks.get(5))
    check(rep["LISTEN_FDS"] == "3" and rep["LISTEN_PID"] == str(rep["pid"]),
          "LISTEN_FDS counts both sets, LISTEN_PID is the target's", rep)
    check(rep["LISTEN_FDNAMES"] == "outer:own:unknown", "names in order: outer, own, unknown",
          rep["LISTEN_FDNAMES"])
    check(all(not s["cloexec"] for s in rep["sockets"]), "no FD_CLOEXEC on any passed socket",
          rep["sockets"])

# Two inherited sockets without LISTEN_FDNAMES: both read as "unknown".
second = listener(socket.SOCK_DGRAM)
r, rep = activated([outer, second], "-", ["own=127.0.0.1:0"])
if check(rep is not None, "two inherited sockets without names: target ran", r.stderr):
    socks = {s["fd"]: s for s in rep["sockets"]}
    check(rep["fds"] == [0, 1, 2, 3, 4, 5] and socks[3]["address"] == outer_addr and
          socks[4]["type"] == "dgram" and socks[5]["listening"],
          "inherited at 3 and 4 in their order, own at 5", rep["sockets"])
    check(rep["LISTEN_FDNAMES"] == "unknown:unknown:own", "missing names read as unknown",
          rep["LISTEN_FDNAMES"])

# A set addressed to another pid is not ours: its descriptors are not
# passed on and the variables describe bindretry's sockets only.
STRANGER = LAUNCHER.replace("str(os.getpid())", "str(os.getpid() + 1)")
r, rep = activated([outer], "outer", ["own=127.0.0.1:0"], launcher=STRANGER)
check(rep is not None and rep["fds"] == [0, 1, 2, 3] and rep["LISTEN_FDS"] == "1" and
      rep["LISTEN_FDNAMES"] == "own" and rep["sockets"][0]["address"] != outer_addr,
      "a set for another pid is dropped, not passed through", (r.stderr, rep))

# A set that claims more descriptors than are open is not trusted at all.
OVERCLAIM = LAUNCHER.replace("LISTEN_FDS=str(len(fds))", "LISTEN_FDS=str(len(fds) + 1)")
assert OVERCLAIM != LAUNCHER
r, rep = activated([outer], "outer:ghost", ["own=127.0.0.1:0"], launcher=OVERCLAIM)
check(rep is not None and rep["fds"] == [0, 1, 2, 3] and rep["LISTEN_FDS"] == "1" and
      rep["LISTEN_FDNAMES"] == "own", "a set with a closed descriptor is not passed through",
      (r.stderr, rep))
check("LISTEN_FDS" in r.stderr and "warning" in r.stderr,
      "and bindretry warns that it ignored it", r.stderr)

finish()
