#!/usr/bin/python3
"""Supervise mode as PID 1 of a fresh PID namespace (a container's init):
an orphaned grandchild is reaped, and SIGTERM from outside stops everything
within the stop timeout. Outside a namespace, the child subreaper does the
reaping."""
import os
import signal
import subprocess
import time

from supervise_util import Run, check, children_of, skip, wait_for

UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc"] + ([] if os.geteuid() == 0 else ["-r"])


def orphan_is_reaped(run, adopter):
    """The grandchild, orphaned, was adopted by bindretry and is reaped."""
    answer = run.ask()
    check(answer["adopted_by"].strip() == str(adopter),
          "the orphan was adopted by pid %s, not by bindretry (%s)" % (answer["adopted_by"], adopter))
    wait_for(lambda: run.ask()["gone"] == "1", 10, "the orphaned grandchild to be reaped")


def namespace_available():
    try:
        probe = subprocess.run(UNSHARE + ["true"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=10)
    except FileNotFoundError:
        skip("unshare(1) is not installed")
    if probe.returncode != 0:
        skip("cannot create a PID namespace: " + probe.stderr.decode().strip())


def as_pid1(target, stop_timeout, expected_status):
    run = Run(target, ["--stop-timeout", stop_timeout], prefix=UNSHARE)
    try:
        run.ask()  # up and serving
        inner = wait_for(lambda: children_of(run.proc.pid), 10, "unshare's child")
        pid = inner[0][0]
        with open("/proc/%d/status" % pid) as f:
            nspid = [l.split()[1:] for l in f if l.startswith("NSpid:")][0]
        check(nspid[-1] == "1", "bindretry is pid %s in its namespace, not 1" % nspid[-1])
        if target == ["orphan"]:
            orphan_is_reaped(run, 1)
            zombies = [p for p, state in children_of(pid) if state == "Z"]
            check(not zombies, "zombies left under PID 1: %s" % zombies)
        sent = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        status = run.wait(30)
        waited = time.monotonic() - sent
        check(status == expected_status, "exit status %s, expected %s\n%s" %
              (status, expected_status, run.stderr()))
        return waited
    finally:
        run.close()


def subreaper_outside_a_namespace():
    run = Run(["orphan"])
    try:
        orphan_is_reaped(run, run.proc.pid)
        zombies = [p for p, state in children_of(run.proc.pid) if state == "Z"]
        check(not zombies, "zombies left under bindretry: %s" % zombies)
    finally:
        run.close()


subreaper_outside_a_namespace()
namespace_available()
as_pid1(["orphan"], "10s", 42)
waited = as_pid1(["serve", "--ignore-term"], "500ms", 128 + signal.SIGKILL)
check(waited >= 0.5, "killed after %.3fs, before the stop timeout" % waited)
print("ok")
