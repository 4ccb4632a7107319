#!/usr/bin/python3
"""Supervise mode: the sockets stay bound while the server crashes and comes
back, so clients wait in the backlog instead of being refused; restarts
follow the backoff schedule."""
import time

from supervise_util import Run, check

CONNECTIONS = 200


def crash_after_every_request():
    run = Run(["serve-once"], ["--initial-retry-delay", "1ms", "--max-retry-delay", "10ms"])
    try:
        pids = set()
        for i in range(CONNECTIONS):
            try:
                answer = run.ask()
            except ConnectionRefusedError:
                check(False, "connection %d refused" % i)
            check(answer["listen_pid"] == answer["pid"],
                  "LISTEN_PID %s is not the child's pid %s" % (answer["listen_pid"], answer["pid"]))
            check(answer["listen_fds"] == "1", "LISTEN_FDS=%s" % answer["listen_fds"])
            check(answer["fds"] == "0,1,2,3", "child has descriptors %s" % answer["fds"])
            pids.add(answer["pid"])
        check(len(pids) == CONNECTIONS,
              "expected one life per request, got %d pids for %d answers" % (len(pids), CONNECTIONS))
        check(run.proc.poll() is None, "bindretry ended while the child kept crashing")
    finally:
        run.close()


def restarts_follow_the_schedule():
    started = time.monotonic()
    run = Run(["exit", "1"], ["--initial-retry-delay", "20ms", "--max-retry-delay", "80ms",
                              "--max-restarts", "5"])
    try:
        status = run.wait(30)
        elapsed = time.monotonic() - started
        err = run.stderr()
        check(status == 1, "exit status %s, expected the child's 1" % status)
        check(len(run.starts()) == 6, "expected 6 starts, got %d" % len(run.starts()))
        for n, delay in enumerate(["0.02", "0.04", "0.08", "0.08", "0.08"], start=1):
            check("exited with status 1 after" in err and
                  "restarting in %ss (restart %d)" % (delay, n) in err,
                  "restart %d not logged with delay %ss:\n%s" % (n, delay, err))
        check("giving up after 5 restart(s)" in err, "no give-up line:\n" + err)
        check(elapsed >= 0.3, "5 restarts took %.3fs, less than the 0.3s of delays" % elapsed)
    finally:
        run.close()


crash_after_every_request()
restarts_follow_the_schedule()
print("ok")
