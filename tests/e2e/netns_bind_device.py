#!/usr/bin/python3
"""--bind-device on an interface that does not exist yet: the failure is
retried, and the interface appearing (a link notification) wakes the wait."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import (Run, check, enter_namespace, finish, helper, ip, setup, stamp_time,  # noqa: E402
                        tmpdir, wait_for_file)

enter_namespace()
setup(tun=False)
marker = os.path.join(tmpdir(), 'ran')
SCHEDULE = 6.0

run = Run(['--initial-retry-delay', '%gs' % SCHEDULE, '--bind-device', 'tailscale0',
           '--bind', '0.0.0.0:0', '--', helper('stamp'), marker, 'hold'])
check(run.wait_line(r"Bind attempt 1 failed for 0\.0\.0\.0:0: interface 'tailscale0': "
                    r"No such device", timeout=5) is not None,
      'attempt 1 fails: no such device')
created = time.monotonic()
ip('tuntap', 'add', 'dev', 'tailscale0', 'mode', 'tun')
if check(wait_for_file(marker, SCHEDULE + 5), 'target runs'):
    ran = stamp_time(marker)
    print('target ran %.1f ms after the interface was created' % ((ran - created) * 1000))
    check(ran - created < 1.0 and ran - run.start < SCHEDULE - 0.5,
          'bound when the interface appeared, not at the %g s schedule point' % SCHEDULE)
    check(run.wait_line(r'Successfully bound to 0\.0\.0\.0:0 on attempt 2', timeout=1)
          is not None, 'bound on attempt 2')
    # ss shows a socket bound to a device as ADDRESS%DEVICE.
    ss = subprocess.run(['ss', '-Htlnp'], capture_output=True, text=True).stdout
    print(ss)
    check(any('%tailscale0:' in line and 'stamp' in line for line in ss.splitlines()),
          "the target's listening socket is bound to tailscale0")
run.kill()

finish()
