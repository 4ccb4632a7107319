#!/usr/bin/python3
"""Reaction latency: from the moment an address is added (clock read just
before the rtnetlink request) to the first instruction of the target
bindretry execs, in one private network namespace. Default delays; the
address appears at a random moment of the first 1 s wait. Runs with the
address watch and, for comparison, on the plain schedule
(--no-watch-addresses). Prints one figure per line."""
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
from netns_util import Netlink, Run, enter_namespace, helper, setup, stamp_time, tmpdir  # noqa: E402

import time  # noqa: E402

WATCH_RUNS = int(os.environ.get('BENCH_WATCH_RUNS', '30'))
SCHEDULE_RUNS = int(os.environ.get('BENCH_SCHEDULE_RUNS', '6'))

enter_namespace()
setup()
stamp = helper('stamp')
work = tmpdir()
netlink = Netlink()
rng = random.Random(3)


def one(n, extra):
    marker = os.path.join(work, 'ran-%s' % n)
    run = Run(['--log-level', 'warn'] + extra + ['--bind', '100.64.1.2:0', '--', stamp, marker], echo=False)
    if run.wait_line(r'Bind attempt 1 failed', timeout=5) is None:
        raise SystemExit('run %s: bindretry did not fail its first attempt' % n)
    # Somewhere inside the wait, so the watch is measured waking from sleep.
    time.sleep(rng.uniform(0.05, 0.95))
    added = time.monotonic()
    netlink.address(True, 'tailscale0', '100.64.1.2', 32)
    rc = run.wait(timeout=10)
    netlink.address(False, 'tailscale0', '100.64.1.2', 32)
    if rc != 0:
        raise SystemExit('run %s: exit status %r' % (n, rc))
    return stamp_time(marker) - added


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


results = {}
for name, extra, runs in (('watch', [], WATCH_RUNS),
                          ('schedule', ['--no-watch-addresses'], SCHEDULE_RUNS)):
    results[name] = [one('%s-%d' % (name, i), extra) for i in range(runs)]

for name, values in results.items():
    ms = [v * 1000 for v in values]
    print('%s runs: %d' % (name, len(ms)))
    print('%s p50 ms: %.2f' % (name, percentile(ms, 50)))
    print('%s p95 ms: %.2f' % (name, percentile(ms, 95)))
    print('%s max ms: %.2f' % (name, max(ms)))
