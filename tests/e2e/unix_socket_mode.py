#!/usr/bin/python3
"""--socket-mode and mode=: the file has the asked-for mode whatever the umask."""
import os
import stat
import tempfile

from sockets_common import check, finish, run_info

d = tempfile.mkdtemp(prefix="bindretry-mode-")


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


cases = [
    # (options, umask, {file: expected mode})
    (["--bind", f"{d}/default.sock"], 0o077, {"default.sock": 0o666}),
    (["--socket-mode", "0640", "--bind", f"{d}/g.sock", "--bind", f"unix-dgram:{d}/gd.sock"],
     0o022, {"g.sock": 0o640, "gd.sock": 0o640}),
    (["--socket-mode", "660", "--bind", f"{d}/a.sock,mode=0600", "--bind", f"{d}/b.sock"],
     0o000, {"a.sock": 0o600, "b.sock": 0o660}),
    (["--bind", f"unix-seqpacket:{d}/s.sock,mode=0"], 0o022, {"s.sock": 0o000}),
]
for options, umask, expected in cases:
    for name in expected:
        if os.path.exists(f"{d}/{name}"):
            os.unlink(f"{d}/{name}")
    info, p = run_info(options, umask=umask)
    check(p.returncode == 0, f"{options}: exit {p.returncode}, {p.stderr!r}")
    for name, mode in expected.items():
        got = mode_of(f"{d}/{name}")
        check(got == mode, f"{options}: {name} has mode {got:04o}, want {mode:04o}")

for bad in ("0999", "rw-r--r--", "01777", "-1", "77777"):
    info, p = run_info(["--socket-mode", bad, "--bind", f"{d}/bad.sock"])
    check(p.returncode == 2 and f"'{bad}'" in p.stderr and "--socket-mode" in p.stderr,
          f"--socket-mode {bad}: exit {p.returncode}, {p.stderr!r}")
    check(not os.path.exists(f"{d}/bad.sock"), f"--socket-mode {bad}: nothing created")

finish()
