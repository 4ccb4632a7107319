#!/usr/bin/python3
"""Supervise mode: which exits restart (--restart), the restart budget
(--max-restarts), the reset after a healthy run (--restart-reset-after), and
the exit status bindretry reports."""
import os
import signal

from supervise_util import Run, check, wait_for

FAST = ["--initial-retry-delay", "10ms", "--max-retry-delay", "10ms"]


def expect(target, options, status, starts, what):
    run = Run(target, FAST + options)
    try:
        got = run.wait(30)
        check(got == status, "%s: exit status %s, expected %s\n%s" % (what, got, status, run.stderr()))
        check(len(run.starts()) == starts,
              "%s: %d starts, expected %d\n%s" % (what, len(run.starts()), starts, run.stderr()))
        return run.stderr()
    finally:
        run.close()


def killed_child_reports_128_plus_signal():
    run = Run(["run", "60000", "0"], ["--restart", "never"])
    try:
        pid = wait_for(run.starts, 10, "the child to start")[0]
        os.kill(pid, signal.SIGKILL)
        got = run.wait(10)
        check(got == 128 + signal.SIGKILL, "exit status %s, expected 137" % got)
        check("exited with signal SIGKILL" in run.stderr(), "no exit line:\n" + run.stderr())
    finally:
        run.close()


def healthy_runs_reset_the_budget():
    # Every life lasts 300ms, longer than the 200ms reset: each failure is a
    # first failure again, so two restarts never run out and the delay stays short.
    run = Run(["run", "300", "1"], ["--initial-retry-delay", "50ms", "--max-retry-delay", "1s",
                                    "--max-restarts", "2", "--restart-reset-after", "200ms"])
    try:
        wait_for(lambda: len(run.starts()) >= 5, 30, "five lives")
        check(run.proc.poll() is None, "bindretry gave up although every run was healthy")
        err = run.stderr()
        check(err.count("restarting in 0.05s (restart 1)") >= 4 and "(restart 2)" not in err,
              "restarts were not reset:\n" + err)
        run.proc.send_signal(signal.SIGTERM)
        got = run.wait(10)
        check(got == 128 + signal.SIGTERM, "exit status %s after SIGTERM, expected 143" % got)
    finally:
        run.close()
    # The same lives with a long reset window use up the budget.
    err = expect(["run", "300", "1"], ["--max-restarts", "2", "--restart-reset-after", "10s"], 1, 3,
                 "no reset")
    check("(restart 2)" in err and "giving up after 2 restart(s)" in err, "no budget:\n" + err)


expect(["exit", "5"], ["--restart", "never"], 5, 1, "never")
expect(["exit", "0"], [], 0, 1, "on-failure after success")
expect(["exit", "0"], ["--restart", "on-failure", "--max-restarts", "3"], 0, 1, "on-failure, success")
expect(["exit", "4"], ["--max-restarts", "3"], 4, 4, "on-failure after failure")
expect(["exit", "0"], ["--restart", "always", "--max-restarts", "2"], 0, 3, "always")
expect(["exit", "6"], ["--max-restarts", "0"], 6, 1, "no restarts allowed")
killed_child_reports_128_plus_signal()
healthy_runs_reset_the_budget()
print("ok")
