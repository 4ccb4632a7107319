#!/usr/bin/python3
"""Global socket options and per-socket ones after the address."""
import os
import subprocess

from sockets_common import Running, check, finish, run_info


def ss_backlog(port):
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[2]) if len(out) >= 3 else None


have_ipv6 = os.path.exists("/proc/net/if_inet6")

# --backlog and backlog=: what the kernel reports for the listening socket.
with Running(["--backlog", "7", "--bind", "a=127.0.0.1:0", "--bind", "b=127.0.0.1:0,backlog=3"]) as r:
    a, b = r.info["sockets"]
    check(ss_backlog(a["port"]) == 7, f"--backlog 7: ss says {ss_backlog(a['port'])}")
    check(ss_backlog(b["port"]) == 3, f"backlog=3: ss says {ss_backlog(b['port'])}")
    check(r.close()[0] == 0, "backlog run exits 0")

# reuseport: one socket with, one without; the global flag with an override.
info, p = run_info(["--bind", "127.0.0.1:0,reuseport", "--bind", "127.0.0.1:0"])
check(p.returncode == 0, f"reuseport: {p.stderr!r}")
check([s["reuseport"] for s in info["sockets"]] == [True, False], f"reuseport: {info['sockets']}")
info, p = run_info(["--reuse-port", "--bind", "127.0.0.1:0", "--bind", "127.0.0.1:0,reuseport=no"])
check([s["reuseport"] for s in info["sockets"]] == [True, False], "--reuse-port with reuseport=no")

# The same address twice binds when both sockets ask for SO_REUSEPORT.
with Running(["--bind", "a=127.0.0.1:0,reuseport"]) as r:
    port = r.info["sockets"][0]["port"]
    info, p = run_info(["--bind", f"x=127.0.0.1:{port},reuseport",
                        "--bind", f"y=127.0.0.1:{port},reuseport"])
    check(p.returncode == 0 and [s["port"] for s in info["sockets"]] == [port, port],
          f"two reuseport sockets on one port: {p.stderr!r}")
    info, p = run_info(["--bind", f"127.0.0.1:{port},reuseport", "--bind", f"127.0.0.1:{port}"])
    check(p.returncode == 2 and f"127.0.0.1:{port}" in p.stderr and "twice" in p.stderr,
          f"same address without reuseport on both: {p.returncode} {p.stderr!r}")
    r.close()

# freebind: the option is on the one socket that asked for it.
info, p = run_info(["--bind", "127.0.0.1:0,freebind", "--bind", "127.0.0.1:0"])
check([s["freebind"] for s in info["sockets"]] == [True, False], f"freebind: {info['sockets']}")

# ipv6only and the dual-stack default for [::].
if have_ipv6:
    info, p = run_info(["--bind", "[::]:0", "--bind", "[::]:0,ipv6only"])
    check(p.returncode == 0, f"ipv6only: {p.stderr!r}")
    check([s["v6only"] for s in info["sockets"]] == [False, True], f"ipv6only: {info['sockets']}")
    info, p = run_info(["--ipv6-only", "--bind", "[::]:0", "--bind", "[::]:0,ipv6only=no"])
    check([s["v6only"] for s in info["sockets"]] == [True, False], "--ipv6-only with ipv6only=no")

# device= needs CAP_NET_RAW.
if os.geteuid() == 0:
    info, p = run_info(["--bind", "127.0.0.1:0,device=lo", "--bind", "127.0.0.1:0"])
    check(p.returncode == 0, f"device=lo: {p.stderr!r}")
    check([s["device"] for s in info["sockets"]] == ["lo", ""], f"device: {info['sockets']}")

# Bad options: exit 2, one line naming the key or value, nothing run.
bad = [
    ("127.0.0.1:0,bogus", "'bogus'"),
    ("127.0.0.1:0,backlog=0", "'0'"),
    ("127.0.0.1:0,backlog=", "'backlog'"),
    ("127.0.0.1:0,freebind=maybe", "'maybe'"),
    ("127.0.0.1:0,mode=0600", "'mode'"),
    ("/tmp/x.sock,reuseport", "'reuseport'"),
    ("/tmp/x.sock,mode=0900", "'0900'"),
    ("udp:127.0.0.1:0,backlog=4", "'backlog'"),
    ("127.0.0.1:0,ipv6only", "'ipv6only'"),
    ("127.0.0.1:0,device=no/such", "'no/such'"),
]
for spec, named in bad:
    info, p = run_info(["--bind", spec])
    check(p.returncode == 2, f"{spec}: exit {p.returncode} (want 2)")
    check(named in p.stderr and spec in p.stderr and len(p.stderr.splitlines()) == 1,
          f"{spec}: message {p.stderr!r}")
    check(info is None, f"{spec}: target not run")

finish()
