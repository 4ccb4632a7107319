#!/usr/bin/python3
"""IPv6 duplicate address detection: the address first appears tentative
(cannot be bound, must not wake the wait) and a second notification clears
the flag; that one must start the attempt, long before the schedule."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import Run, check, enter_namespace, finish, helper, ip, setup, stamp_time, tmpdir  # noqa: E402

enter_namespace()
setup(tun=False, bridge=True)
marker = os.path.join(tmpdir(), 'ran')
SCHEDULE = 6.0  # the second scheduled attempt; DAD takes 1-2 s


def addr_flags():
    return subprocess.run(['ip', '-6', 'addr', 'show', 'dev', 'br0', 'to', 'fd00:64::2/128'],
                          capture_output=True, text=True, check=True).stdout


run = Run(['--initial-retry-delay', '%gs' % SCHEDULE, '--bind', '[fd00:64::2]:0', '--',
           helper('stamp'), marker])
check(run.wait_line(r'Bind attempt 1 failed', timeout=5) is not None, 'attempt 1 fails')
added = time.monotonic()
ip('addr', 'add', 'fd00:64::2/64', 'dev', 'br0')
check('tentative' in addr_flags(), 'the new address is tentative: DAD runs on br0')
rc = run.wait(timeout=SCHEDULE + 5)
check(rc == 0, 'bindretry and target exit 0 (got %r)' % rc)
check('tentative' not in addr_flags(), 'DAD has finished')
# Woken by the tentative notification, attempt 2 would fail and a third be needed.
check(run.wait_line(r'Successfully bound to \[fd00:64::2\]:0 on attempt 2', timeout=1)
      is not None, 'bound on attempt 2: the tentative address did not wake the wait')
if check(os.path.exists(marker), 'target ran'):
    delay = stamp_time(marker) - added
    print('target ran %.3f s after the address was added (DAD included)' % delay)
    check(stamp_time(marker) - run.start < SCHEDULE - 0.5,
          'bound when DAD finished, well before the %g s schedule point' % SCHEDULE)

finish()
