"""Command line: --help, --version, usage errors (exit 2, one line naming the
value, nothing created) and the exec failures 126/127."""

import os
import socket
import stat
import tempfile

from common import BINDRETRY, check, finish, lines, require_binary, run

require_binary()

HELP_LINE = ("Maximum number of bind retry attempts (0 = no retries, just 1 attempt) "
             "[default: 5]")

r = run(["--help"])
check(r.returncode == 0, "--help exits 0", r.returncode)
check(any(line.strip().startswith("--max-bind-retries") and line.rstrip().endswith(HELP_LINE)
          for line in r.stdout.splitlines()),
      "--help has the exact --max-bind-retries line", r.stdout)
for option in ("--bind", "--initial-retry-delay", "--max-retry-delay", "--log-level", "--quiet"):
    check(option in r.stdout, f"--help lists {option}")
check(r.stderr == "", "--help writes nothing on stderr", r.stderr)

r = run(["--version"])
check(r.returncode == 0 and r.stdout.startswith("bindretry "), "--version prints the version",
      (r.returncode, r.stdout))
check(any(c.isdigit() for c in r.stdout), "--version names a number", r.stdout)

with tempfile.TemporaryDirectory() as tmp:
    sock_path = os.path.join(tmp, "never.sock")
    usage_cases = [
        (["--bind", "1.2.3:80", "--", "true"], "1.2.3:80"),
        (["--bind", "65536", "--", "true"], "65536"),
        (["--bind", "127.0.0.1:65536", "--", "true"], "127.0.0.1:65536"),
        (["--max-bind-retries", "-1", "--bind", "0", "--", "true"], "-1"),
        (["--max-bind-retries", "x", "--bind", "0", "--", "true"], "--max-bind-retries"),
        (["--initial-retry-delay", "soon", "--bind", "0", "--", "true"], "soon"),
        (["--bind", "bad:name=127.0.0.1:0", "--", "true"], "bad:name"),
        (["--", "true"], "--bind"),
        (["--bind", "127.0.0.1:0"], "COMMAND"),
        (["--bind", "127.0.0.1:0", "--"], "COMMAND"),
        (["--no-such-option", "--bind", "0", "--", "true"], "--no-such-option"),
        # A later bad value stops everything: the earlier socket file is never created.
        (["--bind", sock_path, "--bind", "65536", "--", "true"], "65536"),
    ]
    for argv, named in usage_cases:
        r = run(argv)
        err = lines(r.stderr)
        what = " ".join(argv)
        check(r.returncode == 2, f"usage error exits 2: {what}", (r.returncode, r.stderr))
        check(len(err) == 1, f"usage error is one line: {what}", r.stderr)
        check(named in r.stderr, f"usage error names {named!r}: {what}", r.stderr)
        check(r.stdout == "", f"usage error writes nothing on stdout: {what}", r.stdout)
    check(not os.path.exists(sock_path), "no socket file is created on a usage error")

    # Exec failures: as env(1), 127 not found, 126 found but not executable.
    r = run(["--bind", "127.0.0.1:0", "--", "bindretry-test-no-such-command"])
    check(r.returncode == 127, "command not in PATH exits 127", (r.returncode, r.stderr))
    check("bindretry-test-no-such-command" in r.stderr, "the 127 message names the command",
          r.stderr)
    missing = os.path.join(tmp, "missing")
    r = run(["--bind", "127.0.0.1:0", "--", missing])
    check(r.returncode == 127, "missing path exits 127", (r.returncode, r.stderr))
    check(missing in r.stderr, "the 127 message names the path", r.stderr)

    plain = os.path.join(tmp, "not-executable")
    with open(plain, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(plain, stat.S_IRUSR | stat.S_IWUSR)
    r = run(["--bind", "127.0.0.1:0", "--", plain])
    check(r.returncode == 126, "file without execute permission exits 126",
          (r.returncode, r.stderr))
    check(plain in r.stderr, "the 126 message names the file", r.stderr)
    r = run(["--bind", "127.0.0.1:0", "--", tmp])
    check(r.returncode == 126, "a directory as COMMAND exits 126", (r.returncode, r.stderr))

    # Both are known before any waiting: with the only address busy and a long
    # backoff, bindretry still answers at once, without a single attempt.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for command, status in ((plain, 126), (missing, 127)):
            r = run(["--bind", f"127.0.0.1:{port}", "--initial-retry-delay", "30s", "--", command])
            check(r.returncode == status, f"{command}: exits {status} before waiting",
                  (r.returncode, r.stderr))
            check("Bind attempt" not in r.stderr, f"{command}: no bind was attempted", r.stderr)

    # One address spelled two ways (a name and what it resolves to) can only be
    # found when binding: the second must not wait for a port we hold ourselves.
    first = socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)[0][4][0]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if first == "127.0.0.1":
        r = run(["--bind", f"localhost:{port}", "--bind", f"127.0.0.1:{port}",
                 "--initial-retry-delay", "30s", "--", "true"])
        check(r.returncode == 1, "a port held by our own other --bind exits 1 at once",
              (r.returncode, r.stderr))
        check(f"already taken by --bind 'localhost:{port}'" in r.stderr,
              "the message names our own --bind that holds the port", r.stderr)
        check("Bind attempt" not in r.stderr, "our own port is not retried", r.stderr)

    # A successful exec: bindretry's status is the target's.
    r = run(["--bind", "127.0.0.1:0", "--", "sh", "-c", "exit 42"])
    check(r.returncode == 42, "the target's exit status is bindretry's", r.returncode)
    check(r.stderr == "", "binding on attempt 1 logs nothing at the default level", r.stderr)

finish()
