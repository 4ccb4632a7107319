"""The metrics file passes Prometheus' own checker (promtool check metrics,
Debian package prometheus) after a success, a give-up, and with label
values that need escaping."""

import os
import shutil
import socket
import subprocess
import tempfile

from common import BINDRETRY, check, finish, require_binary, skip

require_binary()
PROMTOOL = shutil.which("promtool")
if not PROMTOOL:
    skip("promtool not found (Debian package prometheus)")

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
    promtool = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                              text=True, timeout=20)
    check(text != "" and promtool.returncode == 0 and promtool.stdout + promtool.stderr == "",
          f"{what} (exit {res.returncode}): promtool accepts the file",
          "\n".join([text, promtool.stdout, promtool.stderr, res.stderr]))
    if what == "success":
        check('\\"b\\\\c.sock' in text, "the odd socket path is escaped", text)
    if os.path.exists(odd):
        os.unlink(odd)
held.close()
shutil.rmtree(work)
finish()
