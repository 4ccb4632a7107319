#!/usr/bin/python3
"""--user and --no-new-privs, as root: bind a privileged port, run the target
as nobody, and the target serves on it."""
import ctypes
import os
import pwd
import socket
import subprocess
import tempfile

from sockets_common import BINDRETRY, TARGET, Running, check, finish, require_root, run_info, skip

require_root()
# A network namespace of our own: port 80 on its loopback is certainly free
# and no traffic leaves it.
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(CLONE_NEWNET) != 0:
    skip(f"cannot create a network namespace: {os.strerror(ctypes.get_errno())}")
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

nobody = pwd.getpwnam("nobody")
d = tempfile.mkdtemp(prefix="bindretry-user-")
os.chmod(d, 0o755)

# The classic case: port 80 as root, served by nobody.
with Running(["--user", "nobody", "--no-new-privs", "--bind", "http=127.0.0.1:80",
              "--bind", f"admin={d}/admin.sock,owner=nobody,mode=0600"], mode="serve") as r:
    info = r.info
    check(info is not None, "target started")
    check(info["uid"] == [nobody.pw_uid] * 4, f"uid (real, effective, saved, fs): {info['uid']}")
    check(info["gid"] == [nobody.pw_gid] * 4, f"gid: {info['gid']}")
    check(info["groups"] == sorted(os.getgrouplist("nobody", nobody.pw_gid)),
          f"groups: {info['groups']}")
    check(info["no_new_privs"] == 1, "NoNewPrivs: 1")
    check(info["env"] == {"USER": "nobody", "LOGNAME": "nobody", "HOME": nobody.pw_dir},
          f"environment: {info['env']}")
    check(info["names"] == ["http", "admin"], f"names: {info['names']}")
    st = os.stat(f"{d}/admin.sock")
    check((st.st_uid, st.st_mode & 0o777) == (nobody.pw_uid, 0o600), "admin socket owner and mode")
    c = socket.create_connection(("127.0.0.1", 80), timeout=30)
    check(c.makefile().readline() == f"uid={nobody.pw_uid}\n", "port 80 served by nobody")
    c.close()
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(30)
    c.connect(f"{d}/admin.sock")
    check(c.makefile().readline() == f"uid={nobody.pw_uid}\n", "admin socket served by nobody")
    c.close()
    code, err = r.close()
    check(code == 0, f"exit {code}: {err!r}")

# USER:GROUP, and without --no-new-privs the flag stays off.
info, p = run_info(["--user", "nobody:daemon", "--bind", "127.0.0.1:81"])
check(p.returncode == 0, f"nobody:daemon: {p.stderr!r}")
check(info["uid"][0] == nobody.pw_uid and info["gid"] == [1] * 4, f"nobody:daemon ids: {info}")
check(info["groups"] == sorted(os.getgrouplist("nobody", 1)), f"nobody:daemon groups: {info['groups']}")
check(info["no_new_privs"] == 0, "NoNewPrivs stays 0 without --no-new-privs")

# Numeric ids without a password entry: no supplementary groups, USER unset.
info, p = run_info(["--user", "54321:54321", "--bind", "127.0.0.1:82"],
                   env={**os.environ, "USER": "root", "HOME": "/root"})
check(p.returncode == 0, f"54321:54321: {p.stderr!r}")
check(info["uid"] == [54321] * 4 and info["gid"] == [54321] * 4 and info["groups"] == [],
      f"numeric ids: {info}")
check(info["env"] == {"USER": None, "LOGNAME": None, "HOME": "/"}, f"numeric env: {info['env']}")

# Unknown users and groups: exit 2 before anything is bound or created.
for spec, named in (("no-such-user-x", "'no-such-user-x'"), ("nobody:no-such-group-x", "'no-such-group-x'"),
                    ("54321", "'54321'"), ("nobody:", "missing group")):
    info, p = run_info(["--user", spec, "--bind", f"{d}/never.sock"])
    check(p.returncode == 2 and named in p.stderr and "--user" in p.stderr,
          f"--user {spec}: {p.returncode} {p.stderr!r}")
    check(not os.path.exists(f"{d}/never.sock"), f"--user {spec}: nothing created")


def as_nobody():
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)


# A COMMAND only root may run is found out before any waiting: the lookup
# is made as the --user, with the only address busy and a long backoff.
with tempfile.TemporaryDirectory() as d:
    os.chmod(d, 0o755)
    prog = os.path.join(d, "root-only")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(prog, 0o700)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run([BINDRETRY, "--user", "nobody", "--initial-retry-delay", "30s",
                            "--bind", f"127.0.0.1:{port}", "--", prog],
                           capture_output=True, text=True, timeout=20)
    check(p.returncode == 126 and "Permission denied" in p.stderr and "Bind attempt" not in p.stderr,
          f"root-only COMMAND with --user nobody: exit 126 before waiting: {p.returncode} {p.stderr!r}")

# Not root: --user is an error before binding, unless it names who we are.
p = subprocess.run([BINDRETRY, "--user", "daemon", "--bind", "127.0.0.1:0", "--", *TARGET],
                   capture_output=True, text=True, timeout=30, preexec_fn=as_nobody)
check(p.returncode == 2 and "--user 'daemon'" in p.stderr and "root" in p.stderr,
      f"not root: {p.returncode} {p.stderr!r}")
check(p.stdout == "", "not root: target not run")
p = subprocess.run([BINDRETRY, "--user", "nobody", "--bind", "127.0.0.1:0", "--", *TARGET],
                   capture_output=True, text=True, timeout=30, preexec_fn=as_nobody)
check(p.returncode == 0 and f'"uid": [{nobody.pw_uid}' in p.stdout, f"already nobody: {p.returncode} {p.stderr!r}")

finish()
