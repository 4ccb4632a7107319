#!/usr/bin/python3
"""Socket-activated target for the end-to-end tests.

Prints one JSON line describing the sockets it was handed (fd, family, SO_TYPE,
address, options, LISTEN_FDNAMES) and the process's credentials. Then, by the
first argument:
  info   exit
  wait   keep the sockets open until stdin closes
  serve  answer each socket once: accept a connection and send "uid=<uid>\n",
         or receive a datagram and print {"fd": N, "datagram": "..."}
"""
import json
import os
import select
import socket
import sys

SO_TYPES = {socket.SOCK_STREAM: "stream", socket.SOCK_DGRAM: "dgram",
            socket.SOCK_SEQPACKET: "seqpacket"}
FAMILIES = {socket.AF_INET: "inet", socket.AF_INET6: "inet6", socket.AF_UNIX: "unix"}
IP_FREEBIND = 15
IPV6_FREEBIND = 78


def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid"):
                out[key.lower()] = [int(v) for v in value.split()]
            elif key == "Groups":
                out["groups"] = sorted(int(v) for v in value.split())
            elif key == "NoNewPrivs":
                out["no_new_privs"] = int(value)
    return out


def describe(fd):
    s = socket.socket(fileno=os.dup(fd))
    d = {"fd": fd, "family": FAMILIES.get(s.family, str(s.family)),
         "type": SO_TYPES.get(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), "?"),
         "listening": bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)),
         "inheritable": os.get_inheritable(fd)}
    name = s.getsockname()
    if s.family == socket.AF_UNIX:
        if isinstance(name, bytes):
            name = "@" + name[1:].decode() if name[:1] == b"\0" else name.decode()
        d["address"] = name
    else:
        d["address"], d["port"] = name[0], name[1]
        d["reuseport"] = bool(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT))
        if s.family == socket.AF_INET6:
            d["v6only"] = bool(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY))
            d["freebind"] = bool(s.getsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND)
                                 or s.getsockopt(socket.IPPROTO_IP, IP_FREEBIND))
        else:
            d["freebind"] = bool(s.getsockopt(socket.IPPROTO_IP, IP_FREEBIND))
        device = s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16)
        d["device"] = device.rstrip(b"\0").decode()
    s.close()
    return d


def serve(fds):
    socks = {fd: socket.socket(fileno=fd) for fd in fds}
    pending = set(fds)
    while pending:
        ready, _, _ = select.select(list(pending), [], [], 30)
        if not ready:
            sys.exit("sockinfo: nothing arrived within 30 s")
        for fd in ready:
            s = socks[fd]
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                conn, _ = s.accept()
                conn.sendall(b"uid=%d\n" % os.getuid())
                conn.close()
            else:
                data = s.recv(65536)
                print(json.dumps({"fd": fd, "datagram": data.decode()}), flush=True)
            pending.discard(fd)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "info"
    pid_ok = os.environ.get("LISTEN_PID") == str(os.getpid())
    n = int(os.environ.get("LISTEN_FDS", "0")) if pid_ok else 0
    fds = list(range(3, 3 + n))
    info = {"listen_pid_ok": pid_ok, "listen_fds": n,
            "names": os.environ.get("LISTEN_FDNAMES", "").split(":") if n else [],
            "sockets": [describe(fd) for fd in fds],
            "env": {k: os.environ.get(k) for k in ("USER", "LOGNAME", "HOME")}}
    info.update(status())
    print(json.dumps(info), flush=True)
    if mode == "wait":
        sys.stdin.read()
    elif mode == "serve":
        serve(fds)


main()
