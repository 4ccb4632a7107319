"""Retrying a busy port: an occupied port freed while bindretry waits is bound
on a later attempt and the target runs; exhaustion exits 1 with the exact
message; a first-attempt success says nothing; --quiet keeps only errors."""

import json
import os
import re
import subprocess
import tempfile
import time

from common import (BINDRETRY, Stderr, check, finish, held_port, helper, lines,
                    require_binary, run, stop, wait_exit)

require_binary()
REPORT = helper("report")

with tempfile.TemporaryDirectory() as tmp:
    # Two ports are held by listeners; bindretry waits 0.5 s then 1 s. The
    # test frees them as soon as attempt 2 has failed (about 0.5 s in), so
    # attempt 3, about 1.5 s after the start, binds them. A third, free
    # address binds on attempt 1 and stays bound meanwhile.
    holders = [held_port(), held_port()]
    addr, addr2 = (f"127.0.0.1:{h.getsockname()[1]}" for h in holders)
    out = os.path.join(tmp, "report.json")
    started = time.monotonic()
    proc = subprocess.Popen([BINDRETRY, "--initial-retry-delay", "500ms", "--bind", addr,
                             "--bind", "udp:127.0.0.1:0", "--bind", addr2, "--", REPORT, out],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    err = Stderr(proc.stderr)
    first = err.wait_for(r"Bind attempt 1 failed", 10)
    check(first is not None and first.string ==
          f"bindretry: warning: Bind attempt 1 failed for {addr}: Address already in use. "
          "Retrying in 0.5s...",
          "attempt 1 failure line is exact", first and first.string)
    second = err.wait_for(r"Bind attempt 2 failed for " + re.escape(addr2), 10)
    check(second is not None and second.string.endswith(
          f"Bind attempt 2 failed for {addr2}: Address already in use. Retrying in 1s..."),
          "attempt 2 failure line is exact (delay doubled)", second and second.string)
    for h in holders:
        h.close()
    freed = time.monotonic() - started
    status = wait_exit(proc, 15)
    elapsed = time.monotonic() - started
    if status is None:
        stop(proc)
    stdout = proc.stdout.read()
    stderr = err.rest()
    success = [l for l in stderr if "Successfully bound" in l]
    check(status == 0, "the target ran and exited 0", (status, stderr))
    check(len(success) == 2 and all(
          re.fullmatch(rf"bindretry: info: Successfully bound to {re.escape(a)} on attempt [23]",
                       line) for a, line in zip((addr, addr2), success)),
          "success lines name each address and attempt 2 or 3", stderr)
    check(not any("attempt 3 failed" in l or "attempt 4" in l for l in stderr),
          "no attempt after the ports were freed failed", stderr)
    check(not any("udp:" in l for l in stderr), "the free address is never mentioned", stderr)
    print(f"     ports freed after {freed:.2f}s, bound and target done after {elapsed:.2f}s")
    check(1.2 <= elapsed <= 5, "the wait followed the 0.5s, 1s schedule", elapsed)
    check(stdout == "", "bindretry wrote nothing on stdout", stdout)
    try:
        with open(out) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        report = None
        check(False, "the target wrote its report", e)
    if report:
        sockets = {s["fd"]: s for s in report["sockets"]}
        check(report["fds"] == [0, 1, 2, 3, 4, 5] and report["LISTEN_FDS"] == "3",
              "after waiting, the target got exactly fds 0-5", report)
        check(sockets.get(3, {}).get("address") == addr and sockets[3]["listening"] and
              sockets.get(4, {}).get("type") == "dgram" and
              sockets.get(5, {}).get("address") == addr2 and sockets[5]["listening"],
              "the sockets are at 3, 4, 5 in --bind order", report)
        check(report["blocked"] == [] and
              set(report["dispositions"].values()) == {"default"},
              "signals blocked while waiting are restored before exec", report)

    # Exhaustion: --max-bind-retries 0 is one attempt, 2 is three.
    holder = held_port()
    addr = f"127.0.0.1:{holder.getsockname()[1]}"
    r = run(["--max-bind-retries", "0", "--bind", addr, "--", REPORT])
    check(r.returncode == 1, "--max-bind-retries 0 exhausted exits 1", (r.returncode, r.stderr))
    check(lines(r.stderr) == [f"bindretry: error: Failed to bind to {addr} after 1 attempt: "
                              "Address already in use"],
          "one attempt, one exact error line", r.stderr)
    check(r.stdout == "", "the target did not run", r.stdout)

    r = run(["--max-bind-retries", "2", "--initial-retry-delay", "100ms", "--bind", addr,
             "--", REPORT])
    check(r.returncode == 1, "--max-bind-retries 2 exhausted exits 1", (r.returncode, r.stderr))
    check(lines(r.stderr) == [
        f"bindretry: warning: Bind attempt 1 failed for {addr}: Address already in use. "
        "Retrying in 0.1s...",
        f"bindretry: warning: Bind attempt 2 failed for {addr}: Address already in use. "
        "Retrying in 0.2s...",
        f"bindretry: error: Failed to bind to {addr} after 3 attempts: Address already in use",
    ], "three attempts: two warnings and the exact error", r.stderr)

    # One address busy, the other free: the free one stays bound across attempts,
    # and the failure is reported for the busy one only.
    r = run(["--max-bind-retries", "1", "--initial-retry-delay", "100ms",
             "--bind", "127.0.0.1:0", "--bind", addr, "--", REPORT])
    check(r.returncode == 1 and all(addr in l for l in lines(r.stderr)),
          "only the busy address is reported", r.stderr)

    r = run(["--quiet", "--max-bind-retries", "1", "--initial-retry-delay", "100ms",
             "--bind", addr, "--", REPORT])
    check(r.returncode == 1 and lines(r.stderr) == [
        f"bindretry: error: Failed to bind to {addr} after 2 attempts: Address already in use"],
        "--quiet shows the error and no warnings", r.stderr)
    holder.close()

    # Everything binds on attempt 1: nothing at all on stderr, even with several sockets.
    r = run(["--bind", "127.0.0.1:0", "--bind", "udp:127.0.0.1:0", "--", REPORT])
    check(r.returncode == 0 and r.stderr == "", "first-attempt success prints nothing",
          (r.returncode, r.stderr))
    r = run(["--quiet", "--bind", "127.0.0.1:0", "--", REPORT])
    check(r.returncode == 0 and r.stderr == "", "--quiet success prints nothing", r.stderr)
    r = run(["--log-level", "debug", "--bind", "127.0.0.1:0", "--", REPORT])
    check(re.search(r"^bindretry: debug: Bound 127\.0\.0\.1:0 as 127\.0\.0\.1:\d+$", r.stderr,
                    re.M) is not None,
          "--log-level debug names the port the kernel picked", r.stderr)

finish()
