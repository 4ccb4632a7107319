#!/usr/bin/python3
"""Every kind of socket reaches the target with the right SO_TYPE, in order
and with its name; datagram sockets receive."""
import os
import socket
import tempfile

from sockets_common import Running, check, finish

d = tempfile.mkdtemp(prefix="bindretry-kinds-")
abstract = f"bindretry-test-{os.getpid()}"
binds = [
    ("web", "127.0.0.1:0", "inet", "stream", True),
    ("dns", "udp:127.0.0.1:0", "inet", "dgram", False),
    ("v6", "[::1]:0", "inet6", "stream", True),
    ("file", f"unix:{d}/stream.sock", "unix", "stream", True),
    ("abs", f"@{abstract}", "unix", "stream", True),
    ("dg", f"unix-dgram:{d}/dgram.sock", "unix", "dgram", False),
    ("sp", f"unix-seqpacket:{d}/seq.sock", "unix", "seqpacket", True),
    ("absdg", f"unix-dgram:@{abstract}-dg", "unix", "dgram", False),
]
have_ipv6 = os.path.exists("/proc/net/if_inet6")
if not have_ipv6:
    binds = [b for b in binds if b[0] != "v6"]

args = []
for name, addr, *_ in binds:
    args += ["--bind", f"{name}={addr}"]

with Running(args, mode="serve") as r:
    info = r.info
    check(info is not None, "target reported")
    check(info["listen_pid_ok"], "LISTEN_PID is the target's pid")
    check(info["names"] == [b[0] for b in binds], f"names in order: {info['names']}")
    socks = info["sockets"]
    check([s["fd"] for s in socks] == list(range(3, 3 + len(binds))), "fds from 3, in order")
    for (name, addr, family, kind, listening), s in zip(binds, socks):
        check(s["family"] == family, f"{name}: family {s['family']} (want {family})")
        check(s["type"] == kind, f"{name}: SO_TYPE {s['type']} (want {kind})")
        check(s["listening"] == listening, f"{name}: listening {s['listening']}")
        check(s["inheritable"], f"{name}: no FD_CLOEXEC")
    by_name = dict(zip([b[0] for b in binds], socks))
    check(by_name["abs"]["address"] == "@" + abstract, f"abstract name: {by_name['abs']['address']}")
    check(by_name["file"]["address"] == f"{d}/stream.sock", "file socket path")

    # Reach every socket: stream ones answer "uid=", datagram ones print.
    got = []
    for (name, addr, family, kind, listening), s in zip(binds, socks):
        if family == "unix":
            target = "\0" + s["address"][1:] if s["address"].startswith("@") else s["address"]
            c = socket.socket(socket.AF_UNIX, {"stream": socket.SOCK_STREAM,
                                               "dgram": socket.SOCK_DGRAM,
                                               "seqpacket": socket.SOCK_SEQPACKET}[kind])
        else:
            target = (s["address"], s["port"])
            c = socket.socket(socket.AF_INET6 if family == "inet6" else socket.AF_INET,
                              socket.SOCK_STREAM if kind == "stream" else socket.SOCK_DGRAM)
        c.settimeout(30)
        if kind == "dgram":
            c.sendto(f"ping {name}".encode(), target)
            got.append(f"ping {name}")
        else:
            c.connect(target)
            reply = c.recv(100).decode()
            check(reply.startswith("uid="), f"{name}: reply {reply!r}")
        c.close()
    received = []
    for _ in got:
        line = r.read_json(30)
        received.append(line and line["datagram"])
    check(sorted(received) == sorted(got), f"datagrams received: {received}")
    code, err = r.close()
    check(code == 0, f"exit {code}: {err!r}")

finish()
