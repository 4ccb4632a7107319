"""The metrics file passes Prometheus' own checker (promtool check metrics,
Debian package prometheus) after a success, a give-up, and with label
values that need escaping."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile

BINDRETRY = os.environ.get("BINDRETRY", "")
if not BINDRETRY or not os.access(BINDRETRY, os.X_OK):
    print("SKIP: BINDRETRY does not name an executable (run through meson test)")
    sys.exit(77)
PROMTOOL = shutil.which("promtool")
if not PROMTOOL:
    print("SKIP: promtool not found (Debian package prometheus)")
    sys.exit(77)

failures = []
work = tempfile.mkdtemp(prefix="bindretry-promtool-")
prom = os.path.join(work, "bindretry.prom")
# A socket path with a quote and a backslash: label values must be escaped.
odd = os.path.join(work, 'a"b\\c.sock')

held = socket.socket()
held.bind(("127.0.0.1", 0))
held.listen()
busy = "127.0.0.1:%d" % held.getsockname()[1]

runs = {
    "success": ["--bind", "127.0.0.1:0", "--bind", "sock=" + odd, "--bind", "udp:127.0.0.1:0"],
    "gave up": ["--max-bind-retries", "1", "--initial-retry-delay", "50ms", "--bind", busy,
                "--bind", "127.0.0.1:0"],
}
for what, args in runs.items():
    res = subprocess.run([BINDRETRY, "--metrics-file", prom] + args + ["--", "true"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    text = open(prom).read() if os.path.exists(prom) else ""
    check = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=20)
    ok = text != "" and check.returncode == 0 and check.stdout + check.stderr == ""
    print(("ok   " if ok else "FAIL ") + f"{what} (exit {res.returncode}): promtool accepts the file")
    if not ok:
        print(text, check.stdout, check.stderr, res.stderr, sep="\n")
        failures.append(what)
    if what == "success" and '\\"b\\\\c.sock' not in text:
        print("FAIL the odd socket path is escaped\n" + text)
        failures.append("escaping")
    if os.path.exists(odd):
        os.unlink(odd)
held.close()
shutil.rmtree(work)
sys.exit(1 if failures else 0)
