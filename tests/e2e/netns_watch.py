#!/usr/bin/python3
"""The address watch: an address added 2.5 s after start (default delays,
attempts at 0, 1 and 3 s) gets the target running at once, not at the 3 s
schedule point; with --no-watch-addresses it runs at the schedule point."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import Run, check, enter_namespace, finish, helper, ip, setup, stamp_time, tmpdir  # noqa: E402

enter_namespace()
setup()
stamp = helper('stamp')
work = tmpdir()
ADD_AT = 2.5


def scenario(name, extra):
    marker = os.path.join(work, name)
    run = Run(extra + ['--bind', '100.64.1.2:0', '--', stamp, marker])
    check(run.wait_line(r'Bind attempt 2 failed', timeout=5) is not None,
          '%s: attempt 2 failed on schedule' % name)
    time.sleep(max(0.0, run.start + ADD_AT - time.monotonic()))
    added = time.monotonic()
    ip('addr', 'add', '100.64.1.2/32', 'dev', 'tailscale0')
    rc = run.wait(timeout=10)
    check(rc == 0, '%s: bindretry and target exit 0 (got %r)' % (name, rc))
    ran = stamp_time(marker) if os.path.exists(marker) else None
    check(run.wait_line(r'Successfully bound to 100\.64\.1\.2:0 on attempt 3', timeout=1)
          is not None, '%s: bound on attempt 3' % name)
    ip('addr', 'del', '100.64.1.2/32', 'dev', 'tailscale0')
    if not check(ran is not None, '%s: target ran' % name):
        return None, None
    print('%s: target ran %.1f ms after the address was added, %.3f s after start'
          % (name, (ran - added) * 1000, ran - run.start))
    return ran - added, ran - run.start


after_add, after_start = scenario('watch', [])
if after_add is not None:
    # The next scheduled attempt is 3 s after the first, and the first comes
    # after run.start: anything earlier than that was woken by the address.
    check(after_add < 0.4 and after_start < 2.95,
          'watch: target runs right after the address appears, before the 3 s schedule point')

after_add, after_start = scenario('schedule', ['--no-watch-addresses'])
if after_start is not None:
    check(after_start >= 2.99, 'no-watch: target runs at the 3 s schedule point, not before')
    check(after_start < 4.5, 'no-watch: target runs at the 3 s schedule point, not later')

finish()
