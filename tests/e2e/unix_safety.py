"""Unix socket files: a stale one (nobody listening) is replaced, a live one
is busy and retried, a regular file is never removed, a missing directory is
reported clearly."""

import json
import os
import socket
import stat
import subprocess
import tempfile

from common import BINDRETRY, check, finish, helper, lines, require_binary, run

require_binary()
REPORT = helper("report")
FAST = ["--initial-retry-delay", "100ms"]


def reported(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


with tempfile.TemporaryDirectory() as tmp:
    # Stale: a server bound the path and died without removing it.
    path = os.path.join(tmp, "stale.sock")
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)
    dead.close()
    check(os.path.exists(path), "the stale socket file exists before the run")
    r = run(["--bind", path, "--", REPORT])
    rep = reported(r)
    check(r.returncode == 0 and rep is not None and rep["sockets"][0]["address"] == path and
          rep["sockets"][0]["listening"], "a stale socket file is replaced and bound",
          (r.returncode, r.stderr))
    check(r.stderr == "", "a stale file is replaced silently, on attempt 1", r.stderr)
    check(stat.S_ISSOCK(os.lstat(path).st_mode), "the path is the target's socket file now")

    # Live: someone listens there. Busy, retried, then given up; the file and
    # its server are untouched.
    path = os.path.join(tmp, "live.sock")
    live = socket.socket(socket.AF_UNIX)
    live.bind(path)
    live.listen()
    r = run(FAST + ["--max-bind-retries", "1", "--bind", path, "--", REPORT])
    check(r.returncode == 1, "a live socket is busy: exit 1 after the retries",
          (r.returncode, r.stderr))
    check(lines(r.stderr) == [
        f"bindretry: warning: Bind attempt 1 failed for {path}: Address already in use. "
        "Retrying in 0.1s...",
        f"bindretry: error: Failed to bind to {path} after 2 attempts: Address already in use"],
        "the live socket is 'Address already in use' and retried", r.stderr)
    live.settimeout(5)
    try:
        with socket.socket(socket.AF_UNIX) as c:
            c.settimeout(5)
            c.connect(path)
            live.accept()[0].close()
        answered = True
    except OSError as e:
        answered = e
    check(answered is True, "the live server still answers on its path", answered)
    live.close()

    # A regular file is never removed, whatever its name suggests.
    path = os.path.join(tmp, "precious.sock")
    with open(path, "w") as f:
        f.write("user data\n")
    r = run(FAST + ["--bind", path, "--", REPORT])
    check(r.returncode == 1, "a regular file at the path exits 1", (r.returncode, r.stderr))
    err = lines(r.stderr)
    check(len(err) == 1 and path in err[0] and "attempt 1" in err[0],
          "one message naming the path, at once", r.stderr)
    with open(path) as f:
        check(f.read() == "user data\n", "the regular file is still there, content intact")
    check(r.stdout == "", "the target did not run", r.stdout)

    # A directory at the path is not removed either.
    path = os.path.join(tmp, "adir")
    os.mkdir(path)
    r = run(FAST + ["--bind", path, "--", REPORT])
    check(r.returncode == 1 and os.path.isdir(path), "a directory at the path is left alone",
          (r.returncode, r.stderr))

    # Missing parent directory: a clear message, no retrying.
    path = os.path.join(tmp, "no-such-dir", "app.sock")
    r = run(FAST + ["--bind", path, "--", REPORT])
    err = lines(r.stderr)
    check(r.returncode == 1, "a missing directory exits 1", (r.returncode, r.stderr))
    check(len(err) == 1 and path in err[0] and "No such file or directory" in err[0] and
          "directory" in err[0].split(path)[0] + err[0].split(path)[-1],
          "the message names the path and says the directory is missing", r.stderr)
    check(not os.path.exists(os.path.dirname(path)), "bindretry did not create the directory")

    # When bindretry gives up, the socket file it created for another address is removed.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    path = os.path.join(tmp, "mine.sock")
    r = run(["--max-bind-retries", "0", "--bind", path,
             "--bind", f"127.0.0.1:{holder.getsockname()[1]}", "--", REPORT])
    check(r.returncode == 1 and not os.path.exists(path),
          "on failure the socket file bindretry created is removed", r.stderr)
    holder.close()

    # One file under two names (a symlinked directory): the second --bind is
    # the first one's own socket, which never frees; no retrying for it.
    real = os.path.join(tmp, "real")
    os.mkdir(real)
    os.symlink(real, os.path.join(tmp, "alias"))
    first, second = os.path.join(real, "s.sock"), os.path.join(tmp, "alias", "s.sock")
    r = run(["--initial-retry-delay", "30s", "--bind", first, "--bind", second, "--", REPORT])
    check(r.returncode == 1, "one file under two names exits 1 at once", (r.returncode, r.stderr))
    check(f"already taken by --bind '{first}'" in r.stderr and "Bind attempt" not in r.stderr,
          "the message names the other --bind, and nothing is retried", r.stderr)
    check(not os.path.exists(first), "the socket file bindretry created is removed")

finish()
