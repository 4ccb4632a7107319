#!/usr/bin/python3
"""Without rtnetlink (refused here by an LD_PRELOAD library, as a seccomp
filter would) bindretry warns once and keeps to the plain schedule."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import Run, check, enter_namespace, finish, helper, ip, setup, stamp_time, tmpdir  # noqa: E402

enter_namespace()
setup()
marker = os.path.join(tmpdir(), 'ran')
env = dict(os.environ, LD_PRELOAD=helper('no-netlink'))
run = Run(['--initial-retry-delay', '500ms', '--bind', '100.64.1.2:0', '--', helper('stamp'),
           marker], env=env)
second = run.wait_line(r'Bind attempt 2 failed', timeout=5)
check(second is not None, 'attempts go on after the watch failed')
added = time.monotonic()
ip('addr', 'add', '100.64.1.2/32', 'dev', 'tailscale0')
rc = run.wait(timeout=10)
check(rc == 0, 'bindretry and target exit 0 (got %r)' % rc)
run.wait_eof(5)
warnings = run.matching(r'cannot watch for network address changes')
check(len(warnings) == 1, 'one warning about the watch (%d)' % len(warnings))
check(bool(warnings) and warnings[0][1] == 'bindretry: warning: cannot watch for network address '
      'changes (Address family not supported by protocol); retrying on the plain schedule',
      'the warning says why and what happens instead')
check(run.wait_line(r'Successfully bound to 100\.64\.1\.2:0 on attempt 3', timeout=1) is not None,
      'bound on attempt 3')
if check(os.path.exists(marker), 'target ran') and second:
    # Attempt 3 is 1 s after attempt 2; without the watch nothing comes sooner.
    ran = stamp_time(marker)
    print('target ran %.3f s after the address was added' % (ran - added))
    check(ran - second[0] >= 0.95, 'attempt 3 on schedule, not woken by the address')

finish()
