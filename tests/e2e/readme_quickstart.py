"""The README's first command ends by running gunicorn behind bindretry on
127.0.0.1:8080. Run that exact command line (taken from the README), with
the port left to the kernel, and fetch the page from the passed socket."""

import http.client
import os
import re
import shlex
import signal
import subprocess
import sys
import time

BINDRETRY = os.environ.get("BINDRETRY", "")
SOURCE = os.path.dirname(os.environ.get("TESTS_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(77)


if not BINDRETRY or not os.access(BINDRETRY, os.X_OK):
    skip("BINDRETRY does not name an executable (run through meson test)")
if not os.access("/usr/bin/gunicorn", os.X_OK):
    skip("gunicorn not installed (Debian package gunicorn)")

readme = open(os.path.join(SOURCE, "README.md")).read()
blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
assert len(blocks) >= 2, "the README has two set-up commands"
setup, suite = blocks[0].strip(), blocks[1].strip()
assert "\n" not in setup, f"the first set-up command is one line: {setup!r}"
assert suite == "meson test -C build --print-errorlogs", f"the second is the test command: {suite!r}"
launch = setup.split(" && ")[-1]
argv = shlex.split(launch)
assert argv[0] == "build/bindretry" and "127.0.0.1:8080" in argv, f"it launches bindretry: {launch!r}"

# The README's port could be taken on this machine; the kernel picks one.
argv = [BINDRETRY, "--log-level", "debug"] + ["127.0.0.1:0" if a == "127.0.0.1:8080" else a
                                               for a in argv[1:]]
proc = subprocess.Popen(argv, cwd=SOURCE, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True)
failed = False
try:
    port = None
    deadline = time.monotonic() + 20
    for line in proc.stderr:
        m = re.search(r"Bound 127\.0\.0\.1:0 as 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
        if time.monotonic() > deadline:
            break
    assert port, "bindretry logged the bound port"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    ok = resp.status == 200 and body == b"hello from bindretry\n"
    print(("ok   " if ok else "FAIL ") + f"gunicorn answered on the passed socket: {resp.status} {body!r}")
    failed = not ok
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
sys.exit(1 if failed else 0)
