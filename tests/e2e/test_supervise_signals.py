#!/usr/bin/python3
"""Supervise mode: signals reach the child, SIGTERM/SIGINT stop the service
with the child's status, a child ignoring SIGTERM is killed after
--stop-timeout, and the child starts with the signal state and descriptors
bindretry was given, nothing of the supervisor's."""
import signal
import time

from supervise_util import Run, check, wait_for

FORWARDED = [signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH]


def sig_bit(sig):
    return 1 << (sig - 1)


def forwards_each_signal_then_stops_on_sigterm():
    run = Run(["serve"])
    try:
        first = run.ask()
        for sig in FORWARDED:
            run.proc.send_signal(sig)
            name = signal.Signals(sig).name[3:]
            answer = wait_for(lambda: (lambda a: a if name in a["signals"].split(",") else None)(
                run.ask()), 10, "the child to receive " + name)
            check(answer["pid"] == first["pid"], "%s restarted the child" % name)
        run.proc.send_signal(signal.SIGTERM)
        status = run.wait(10)
        check(status == 42, "exit status %s, expected the child's 42" % status)
        check(len(run.starts()) == 1, "the child was restarted after SIGTERM")
    finally:
        run.close()


def sigint_stops_too():
    run = Run(["serve"])
    try:
        run.ask()
        run.proc.send_signal(signal.SIGINT)
        status = run.wait(10)
        check(status == 43, "exit status %s, expected the child's 43" % status)
    finally:
        run.close()


def child_ignoring_sigterm_is_killed():
    run = Run(["serve", "--ignore-term"], ["--stop-timeout", "300ms"])
    try:
        run.ask()
        sent = time.monotonic()
        run.proc.send_signal(signal.SIGTERM)
        status = run.wait(10)
        waited = time.monotonic() - sent
        check(status == 128 + signal.SIGKILL, "exit status %s, expected 137" % status)
        check(waited >= 0.3, "killed after %.3fs, before the 0.3s stop timeout" % waited)
        check("sending SIGKILL" in run.stderr(), "no SIGKILL line:\n" + run.stderr())
    finally:
        run.close()


def sigterm_between_restarts_ends_promptly():
    run = Run(["exit", "1"], ["--initial-retry-delay", "30s", "--max-retry-delay", "30s"])
    try:
        wait_for(lambda: "restarting in 30s" in run.stderr(), 10, "the first restart to be scheduled")
        run.proc.send_signal(signal.SIGTERM)
        status = run.wait(5)
        check(status == 128 + signal.SIGTERM, "exit status %s, expected 143" % status)
    finally:
        run.close()


def child_gets_entry_signal_state_and_only_the_sockets():
    run = Run(["serve"])
    try:
        answer = run.ask()
        check(answer["fds"] == "0,1,2,3", "child has descriptors %s" % answer["fds"])
        check(int(answer["sigblk"], 16) == 0, "child starts with signals blocked: " + answer["sigblk"])
        check(int(answer["sigign"], 16) == 0, "child starts with signals ignored: " + answer["sigign"])
    finally:
        run.close()

    # What the caller blocked or ignored stays so, and is not forwarded;
    # an ignored SIGCHLD does not keep bindretry from seeing how the child ended.
    def inherit():
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    run = Run(["serve"], ["--restart", "never"], preexec_fn=inherit)
    try:
        answer = run.ask()
        check(int(answer["sigblk"], 16) == sig_bit(signal.SIGUSR2),
              "child mask %s, expected only SIGUSR2" % answer["sigblk"])
        check(int(answer["sigign"], 16) == sig_bit(signal.SIGCHLD) | sig_bit(signal.SIGHUP),
              "child ignores %s, expected SIGCHLD and SIGHUP" % answer["sigign"])
        run.proc.send_signal(signal.SIGTERM)
        status = run.wait(10)
        check(status == 42, "exit status %s with SIGCHLD ignored, expected 42" % status)
    finally:
        run.close()


forwards_each_signal_then_stops_on_sigterm()
sigint_stops_too()
child_ignoring_sigterm_is_killed()
sigterm_between_restarts_ends_promptly()
child_gets_entry_signal_state_and_only_the_sockets()
print("ok")
