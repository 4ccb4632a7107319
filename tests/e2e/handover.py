"""The hand-over, seen from the target: descriptors 0-2 and 3..3+N-1 only, in
--bind order, without FD_CLOEXEC, LISTEN_* set for the target's own pid,
stale LISTEN_* replaced, the caller's signal mask and ignored signals kept,
and stdout left to the target."""

import json
import os
import signal
import socket
import subprocess
import tempfile

from common import (BINDRETRY, Stderr, check, debug_bound_address, finish, helper,
                    require_binary, split_hostport, stop)

require_binary()
REPORT = helper("report")


def report_of(binds, env=None, preexec_fn=None, pass_fds=(), extra_args=()):
    """Runs bindretry with BINDS in front of the report target (which prints
    to stdout) and returns (process result, report)."""
    argv = [BINDRETRY, *extra_args]
    for b in binds:
        argv += ["--bind", b]
    argv += ["--", REPORT]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=20, env=env,
                       stdin=subprocess.DEVNULL, preexec_fn=preexec_fn, pass_fds=pass_fds)
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        return r, None


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "app.sock")
    abstract = f"bindretry-test-{os.getpid()}"

    # Descriptors bindretry inherits must not reach the target, whether they
    # sit where the sockets go (3, 4) or far above.
    junk_low = [os.open(os.devnull, os.O_RDONLY) for _ in range(2)]
    pipe_r, pipe_w = os.pipe()
    high = os.dup2(pipe_r, 40)
    inherited_sock = socket.socket()
    inherited_sock.bind(("127.0.0.1", 0))
    inherited_sock.listen()
    extra = tuple(junk_low) + (pipe_w, high, inherited_sock.fileno())

    binds = ["web=127.0.0.1:0", "udp:127.0.0.1:0", f"ctl={path}", f"@{abstract}",
             "six=[::1]:0" if socket.has_ipv6 else "six=127.0.0.2:0"]
    r, rep = report_of(binds, pass_fds=extra)
    check(r.returncode == 0 and rep is not None, "the report target ran",
          (r.returncode, r.stderr, r.stdout))
    check(r.stderr == "", "nothing on stderr when every bind succeeds at once", r.stderr)
    if rep:
        n = len(binds)
        check(rep["fds"] == list(range(3 + n)),
              f"open descriptors are exactly 0..{2 + n} (inherited extras {extra} closed)",
              rep["fds"])
        socks = {s["fd"]: s for s in rep["sockets"]}
        check(all(socks.get(fd, {}).get("socket") for fd in range(3, 3 + n)),
              "every descriptor from 3 is a socket", rep["sockets"])
        check(all(not socks[fd]["cloexec"] for fd in socks), "no socket has FD_CLOEXEC",
              rep["sockets"])
        check(rep["LISTEN_FDS"] == str(n), "LISTEN_FDS is the socket count", rep["LISTEN_FDS"])
        check(rep["LISTEN_PID"] == str(rep["pid"]), "LISTEN_PID is the target's pid",
              (rep["LISTEN_PID"], rep["pid"]))
        check(rep["LISTEN_FDNAMES"] == "web:unknown:ctl:unknown:six",
              "LISTEN_FDNAMES has the names in order, unknown for unnamed", rep["LISTEN_FDNAMES"])
        check(rep["LISTEN_PIDFDID"] is None, "no LISTEN_PIDFDID", rep["LISTEN_PIDFDID"])
        s3, s4, s5, s6, s7 = (socks.get(fd, {}) for fd in range(3, 8))
        check(s3.get("family") == "inet" and s3.get("type") == "stream" and s3.get("listening")
              and s3.get("address", "").startswith("127.0.0.1:")
              and not s3["address"].endswith(":0"),
              "fd 3 is the first --bind: TCP 127.0.0.1, listening", s3)
        check(s4.get("family") == "inet" and s4.get("type") == "dgram" and not s4.get("listening"),
              "fd 4 is UDP, a datagram socket, not listening", s4)
        check(s5.get("family") == "unix" and s5.get("type") == "stream" and s5.get("listening")
              and s5.get("address") == path, "fd 5 is the Unix path socket, listening", s5)
        check(s6.get("family") == "unix" and s6.get("address") == "@" + abstract
              and s6.get("listening"), "fd 6 is the abstract socket, listening", s6)
        check(s7.get("type") == "stream" and s7.get("listening"), "fd 7 is the last --bind", s7)
        check(rep["blocked"] == [] and set(rep["dispositions"].values()) == {"default"},
              "default signal state passes through as default", rep)
    check(os.path.exists(path), "the Unix socket file belongs to the target and stays")
    for fd in extra + (pipe_r,):
        os.close(fd)
    inherited_sock.detach()

    # The other address spellings, seen from the target.
    path2 = os.path.join(tmp, "other.sock")
    r, rep = report_of(["0", "localhost:0", "tcp:127.0.0.1:0", f"unix:{path2}",
                        f"unix:@{abstract}-2"])
    if check(rep is not None, "the address forms bind", r.stderr):
        socks = {s["fd"]: s for s in rep["sockets"]}
        any_addr = socks[3]["address"].rsplit(":", 1)[0]
        check((socks[3]["family"], any_addr) in (("inet6", "[::]"), ("inet", "0.0.0.0")) and
              socks[3]["listening"], "a bare port binds every address", socks[3])
        check(socks[4]["address"].startswith("127.0.0.1:") and socks[4]["listening"],
              "localhost:0 resolves to 127.0.0.1", socks[4])
        check(f"Bound localhost:0 as {socks[4]['address']}" in r.stderr,
              "a resolved host name is logged with its address", r.stderr)
        check(socks[5]["family"] == "inet" and socks[5]["type"] == "stream",
              "tcp: is a TCP socket", socks[5])
        check(socks[6]["address"] == path2 and socks[7]["address"] == f"@{abstract}-2",
              "unix:PATH and unix:@NAME", (socks[6], socks[7]))

    # A connection to fd 3 reaches the target's socket (served once).
    os.unlink(path)
    out = os.path.join(tmp, "serve.json")
    proc = subprocess.Popen([BINDRETRY, "--log-level", "debug", "--bind", "127.0.0.1:0",
                             "--", REPORT, out, "serve"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = Stderr(proc.stderr)
    bound = debug_bound_address(err, "127.0.0.1:0")
    check(bound is not None, "debug log names the bound address", err.seen)
    if bound:
        with socket.create_connection(split_hostport(bound), timeout=10) as c:
            c.settimeout(10)
            data = c.makefile("rb").read()
        check(data == b"hello\n", "a client reaches the target through fd 3", data)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        stop(proc)
    check(proc.returncode == 0, "the serving target exited 0", proc.returncode)
    with open(out) as f:
        served = json.load(f)
    check(served["pid"] == proc.pid and served["LISTEN_PID"] == str(proc.pid),
          "exec kept bindretry's pid: LISTEN_PID == target pid == bindretry pid",
          (served["pid"], served["LISTEN_PID"], proc.pid))

    # Stale LISTEN_* in the environment (addressed to another pid, malformed,
    # or a LISTEN_PIDFDID) are replaced or removed.
    stale_cases = [
        {"LISTEN_PID": "1", "LISTEN_FDS": "4", "LISTEN_FDNAMES": "a:b:c:d",
         "LISTEN_PIDFDID": "12345"},
        {"LISTEN_PID": "garbage", "LISTEN_FDS": "-3", "LISTEN_FDNAMES": "x"},
        {"LISTEN_FDS": "2", "LISTEN_PIDFDID": "99"},
    ]
    for stale in stale_cases:
        env = dict(os.environ, **stale, KEEP_ME="yes")
        r, rep = report_of(["one=127.0.0.1:0"], env=env)
        ok = rep is not None
        check(ok and rep["LISTEN_FDS"] == "1" and rep["LISTEN_PID"] == str(rep["pid"]) and
              rep["LISTEN_FDNAMES"] == "one" and rep["LISTEN_PIDFDID"] is None and
              rep["fds"] == [0, 1, 2, 3],
              f"stale {sorted(stale)} replaced/removed", (r.stderr, rep))

    env = dict(os.environ, KEEP_ME="yes")
    r = subprocess.run([BINDRETRY, "--bind", "127.0.0.1:0", "--", "/usr/bin/env"],
                       capture_output=True, text=True, timeout=20, env=env,
                       stdin=subprocess.DEVNULL)
    check("KEEP_ME=yes" in r.stdout.splitlines(), "the rest of the environment is kept",
          r.stdout)

    # The signal mask and ignored signals bindretry was started with reach
    # the target, including signals bindretry itself would handle.
    def blocked_and_ignored():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    r, rep = report_of(["127.0.0.1:0"], preexec_fn=blocked_and_ignored)
    check(rep is not None and rep["blocked"] == sorted([signal.SIGUSR1, signal.SIGTERM]),
          "the blocked set reaches the target unchanged", rep and rep["blocked"])
    check(rep is not None and rep["dispositions"] == {
        "SIGTERM": "default", "SIGINT": "default", "SIGHUP": "ignored", "SIGPIPE": "ignored"},
        "ignored signals stay ignored, the others default", rep and rep["dispositions"])

    def ignore_int():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    r, rep = report_of(["127.0.0.1:0"], preexec_fn=ignore_int)
    check(rep is not None and rep["blocked"] == [] and
          rep["dispositions"]["SIGINT"] == "ignored" and rep["dispositions"]["SIGTERM"] == "default",
          "SIGINT ignored by the caller stays ignored", rep)

    # A closed stdout stays closed: no socket lands on descriptor 1.
    closed_out = os.path.join(tmp, "closed-stdout.json")
    r = subprocess.run([BINDRETRY, "--bind", "127.0.0.1:0", "--bind", "udp:127.0.0.1:0",
                        "--", REPORT, closed_out], stdin=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=20,
                       preexec_fn=lambda: os.close(1))
    try:
        with open(closed_out) as f:
            rep = json.load(f)
    except (OSError, ValueError):
        rep = None
    check(rep is not None and rep["fds"] == [0, 2, 3, 4] and rep["LISTEN_FDS"] == "2",
          "with stdout closed the target gets 0, 2 and the sockets at 3, 4",
          (r.stderr, rep))

    # stdio is left as it was: the target's stdout and stdin are the caller's.
    r = subprocess.run([BINDRETRY, "--bind", "127.0.0.1:0", "--", "cat"], input="through\n",
                       capture_output=True, text=True, timeout=20)
    check(r.returncode == 0 and r.stdout == "through\n" and r.stderr == "",
          "stdin and stdout pass straight to the target", (r.stdout, r.stderr))

finish()
