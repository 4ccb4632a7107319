"""--metrics-file: after a run that needed retries and after one that gave
up, the file holds the attempts, the bound state, the wait and the errno
name of the last failure; an unwritable path only warns and the target
still runs."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time

from common import BINDRETRY, check, finish


def parse(text):
    """{(metric, frozenset(labels)): value} from the exposition text."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-z_]+)(?:\{(.*)\})? (\S+)', line)
        assert m, f"malformed sample line {line!r}"
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


def value(samples, metric, **labels):
    for (name, ls), v in samples.items():
        if name == metric and set(labels.items()) <= set(ls):
            return v
    return None


def last_error(samples, **labels):
    for (name, ls), _ in samples.items():
        if name == "bindretry_bind_last_error_info" and set(labels.items()) <= set(ls):
            return dict(ls).get("error")
    return None


def holder():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


if not BINDRETRY or not os.access(BINDRETRY, os.X_OK):
    print("SKIP: BINDRETRY does not name an executable (run through meson test)")
    sys.exit(77)

work = tempfile.mkdtemp(prefix="bindretry-metrics-")
prom = os.path.join(work, "bindretry.prom")

# 1. The port is held until the first attempt has failed, then freed.
held = holder()
addr = "127.0.0.1:%d" % held.getsockname()[1]
wall_before = time.time()
proc = subprocess.Popen([BINDRETRY, "--metrics-file", prom, "--initial-retry-delay", "100ms",
                         "--max-retry-delay", "100ms", "--max-bind-retries", "100",
                         "--bind", "web=" + addr, "--", "true"],
                        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seen = []
for line in proc.stderr:
    seen.append(line.rstrip("\n"))
    if "Bind attempt 1 failed" in line:
        held.close()
        break
_, rest = proc.communicate(timeout=20)
seen += rest.splitlines()
wall_after = time.time()
check(proc.returncode == 0, "retry run: the target ran", seen)
m = next((re.search(r"Successfully bound to .* on attempt (\d+)", l) for l in seen
          if "Successfully bound" in l), None)
check(m is not None, "retry run: success after a retry is logged", seen)
samples = parse(open(prom).read()) if os.path.exists(prom) else {}
check(bool(samples), "retry run: the metrics file was written")
if m and samples:
    attempts = int(m.group(1))
    check(attempts >= 2, "retry run: more than one attempt was needed", attempts)
    check(value(samples, "bindretry_bind_attempts_total", address=addr, name="web") == attempts,
          "retry run: attempts match the log", samples)
    check(value(samples, "bindretry_bind_bound", address=addr, name="web") == 1, "retry run: bound is 1")
    wait = value(samples, "bindretry_bind_wait_seconds", address=addr, name="web")
    check(wait is not None and 0.1 * (attempts - 1) <= wait < 20,
          "retry run: the wait covers the delays", wait)
    check(last_error(samples, address=addr) == "EADDRINUSE", "retry run: last error is EADDRINUSE",
          samples)
    check(value(samples, "bindretry_last_run_success") == 1, "retry run: success is 1")
    ts = value(samples, "bindretry_last_run_timestamp_seconds")
    check(ts is not None and wall_before - 1 <= ts <= wall_after + 1,
          "retry run: the timestamp is the time of the run", (wall_before, ts, wall_after))
check(os.listdir(work) == ["bindretry.prom"], "retry run: no temporary file is left",
      os.listdir(work))

# 2. The port stays held: two retries, then exit 1. A second address binds at once.
held = holder()
addr = "127.0.0.1:%d" % held.getsockname()[1]
res = subprocess.run([BINDRETRY, "--metrics-file", prom, "--initial-retry-delay", "50ms",
                      "--max-bind-retries", "2", "--bind", addr, "--bind", "ok=127.0.0.1:0",
                      "--", "true"],
                     stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
held.close()
check(res.returncode == 1, "gave-up run: exit status 1", res.stderr)
check("after 3 attempts" in res.stderr, "gave-up run: exhaustion is logged", res.stderr)
samples = parse(open(prom).read())
check(value(samples, "bindretry_bind_attempts_total", address=addr, name="unknown") == 3,
      "gave-up run: 3 attempts (2 retries)", samples)
check(value(samples, "bindretry_bind_bound", address=addr) == 0, "gave-up run: bound is 0")
wait = value(samples, "bindretry_bind_wait_seconds", address=addr)
check(wait is not None and 0.15 <= wait < 20, "gave-up run: waited through 50ms + 100ms", wait)
check(last_error(samples, address=addr) == "EADDRINUSE", "gave-up run: last error is EADDRINUSE")
check(value(samples, "bindretry_bind_attempts_total", address="127.0.0.1:0", name="ok") == 1,
      "gave-up run: the free address took one attempt", samples)
check(value(samples, "bindretry_bind_bound", address="127.0.0.1:0", name="ok") == 1,
      "gave-up run: the free address is bound")
check(last_error(samples, name="ok") == "none", "gave-up run: the free address had no error")
check(value(samples, "bindretry_last_run_success") == 0, "gave-up run: success is 0")

# 3. SIGTERM during a long wait: the file is written before bindretry dies by the signal.
held = holder()
addr = "127.0.0.1:%d" % held.getsockname()[1]
proc = subprocess.Popen([BINDRETRY, "--metrics-file", prom, "--initial-retry-delay", "60s",
                         "--bind", addr, "--", "true"],
                        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
first = proc.stderr.readline()
check("Bind attempt 1 failed" in first, "signal run: the first attempt failed", first)
# bindretry blocks SIGTERM (to read it from a signalfd) once it starts
# waiting; signal it only then, as a real stop request during the wait.
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    status = open(f"/proc/{proc.pid}/status").read()
    if int(re.search(r"^SigBlk:\s*([0-9a-f]+)", status, re.M).group(1), 16) & (1 << (15 - 1)):
        break
    time.sleep(0.01)
proc.terminate()
_, rest = proc.communicate(timeout=20)
held.close()
check(proc.returncode == -15, "signal run: bindretry died by SIGTERM", (proc.returncode, rest))
samples = parse(open(prom).read())
check(value(samples, "bindretry_bind_attempts_total", address=addr) == 1, "signal run: 1 attempt",
      samples)
check(value(samples, "bindretry_bind_bound", address=addr) == 0, "signal run: bound is 0")
check(last_error(samples, address=addr) == "EADDRINUSE", "signal run: last error is EADDRINUSE")
check(value(samples, "bindretry_last_run_success") == 0, "signal run: success is 0")

# 4. Unwritable places warn and the target still runs; nothing is removed.
for path, why in [(os.path.join(work, "missing-dir", "m.prom"), "a missing directory"),
                  (work, "an existing directory")]:
    res = subprocess.run([BINDRETRY, "--metrics-file", path, "--bind", "127.0.0.1:0", "--",
                          "/usr/bin/python3", "-c", "print('target ran')"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    check(res.returncode == 0 and res.stdout == "target ran\n",
          f"unwritable ({why}): the target still runs", (res.returncode, res.stdout, res.stderr))
    check(re.search(r"bindretry: warning: cannot write metrics file '" + re.escape(path) + "'",
                    res.stderr) is not None, f"unwritable ({why}): one warning names the path",
          res.stderr)
check(sorted(os.listdir(work)) == ["bindretry.prom"], "unwritable: nothing was created or removed",
      os.listdir(work))

os.unlink(prom)
os.rmdir(work)
finish()
