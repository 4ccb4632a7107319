#!/usr/bin/python3
"""--socket-owner and owner=: owner, group and mode as asked, and no moment in
which the file is open to anyone with the final mode but the wrong owner."""
import grp
import os
import pwd
import stat
import tempfile
import threading

from sockets_common import Running, check, finish, require_root, run_info

require_root()
d = tempfile.mkdtemp(prefix="bindretry-owner-")
os.chmod(d, 0o755)
nobody = pwd.getpwnam("nobody")
daemon = pwd.getpwnam("daemon")
nogroup = grp.getgrgid(nobody.pw_gid)


def owner_of(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


info, p = run_info(["--socket-owner", "nobody", "--socket-mode", "0660",
                    "--bind", f"{d}/a.sock",
                    "--bind", f"unix-dgram:{d}/b.sock,owner=daemon:{nogroup.gr_name},mode=0620",
                    "--bind", f"unix-seqpacket:{d}/c.sock,owner=:{nogroup.gr_name}",
                    "--bind", f"{d}/d.sock,owner={daemon.pw_uid}"])
check(p.returncode == 0, f"owners: exit {p.returncode}, {p.stderr!r}")
expected = {
    "a.sock": (nobody.pw_uid, nobody.pw_gid, 0o660),    # --socket-owner USER: its group
    "b.sock": (daemon.pw_uid, nogroup.gr_gid, 0o620),   # owner= replaces the global owner
    "c.sock": (0, nogroup.gr_gid, 0o660),               # :GROUP changes the group only
    "d.sock": (daemon.pw_uid, daemon.pw_gid, 0o660),    # numeric id with a passwd entry
}
for name, want in expected.items():
    got = owner_of(f"{d}/{name}")
    check(got == want, f"{name}: uid/gid/mode {got}, want {want}")

# Unknown owners: exit 2 naming them, before any socket file exists.
for options, named in ((["--socket-owner", "no-such-user-x"], "'no-such-user-x'"),
                       (["--socket-owner", "nobody:no-such-group-x"], "'no-such-group-x'")):
    info, p = run_info([*options, "--bind", f"{d}/never.sock"])
    check(p.returncode == 2 and named in p.stderr, f"{options}: {p.returncode} {p.stderr!r}")
    check(not os.path.exists(f"{d}/never.sock"), f"{options}: no socket file created")
info, p = run_info(["--bind", f"{d}/never.sock,owner=ghost-owner-x"])
check(p.returncode == 2 and "'ghost-owner-x'" in p.stderr, f"owner=ghost: {p.stderr!r}")

# Watch the file while it is created: every state seen must be either not
# yet accessible (mode 0) or final. A datagram socket is the strict case: it
# receives as soon as it is bound. Sampling, so run it a number of times.
path = f"{d}/watched.sock"
final = (nobody.pw_uid, nobody.pw_gid, 0o660)
seen = set()
for _ in range(15):
    if os.path.exists(path):
        os.unlink(path)
    done = threading.Event()

    def watch():
        while not done.is_set():
            try:
                seen.add(owner_of(path))
            except FileNotFoundError:
                pass

    t = threading.Thread(target=watch)
    t.start()
    with Running(["--bind", f"unix-dgram:{path},owner=nobody,mode=0660"]) as r:
        check(r.info is not None, "watched run started")
        r.close()
    done.set()
    t.join()
print("states seen:", sorted(seen))
bad = {s for s in seen if s[2] != 0 and s != final}
check(final in seen, f"final state seen: {seen}")
check(not bad, f"states with permissions but the wrong owner: {bad}")

finish()
