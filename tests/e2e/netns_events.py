#!/usr/bin/python3
"""Which notifications wake the wait, and what an early attempt costs:
- events that cannot help (another address added, an address removed, a link
  coming up while a literal address is missing) leave the attempts on schedule;
- early attempts count toward --max-bind-retries exactly (N retries = N+1
  attempts);
- while waiting bindretry sleeps: a few milliseconds of CPU over seconds."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import Run, check, cpu_ticks, enter_namespace, finish, ip, setup  # noqa: E402

enter_namespace()
setup()
TARGET = ['--bind', '100.64.1.2:0', '--', '/bin/true']

# 1. Unrelated events: attempts stay at 0, 1 and 3 s.
run = Run(['--max-bind-retries', '2', '--initial-retry-delay', '1s'] + TARGET)
first = run.wait_line(r'Bind attempt 1 failed', timeout=5)
ip('addr', 'add', '100.64.9.9/32', 'dev', 'tailscale0')
ip('addr', 'add', '100.64.1.20/32', 'dev', 'tailscale0')
ip('addr', 'add', 'fd00:64::9/128', 'dev', 'lo')
ip('addr', 'del', '100.64.9.9/32', 'dev', 'tailscale0')
ip('tuntap', 'add', 'dev', 'unrelated0', 'mode', 'tun')
ip('link', 'set', 'unrelated0', 'up')
second = run.wait_line(r'Bind attempt 2 failed', timeout=5)
ip('addr', 'del', '100.64.1.20/32', 'dev', 'tailscale0')
ip('addr', 'del', 'fd00:64::9/128', 'dev', 'lo')
last = run.wait_line(r'error: Failed to bind to 100\.64\.1\.2:0 after 3 attempts', timeout=5)
rc = run.wait(timeout=5)
check(rc == 1, 'unrelated: exit status 1 after the last attempt (got %r)' % rc)
if check(first and second and last, 'unrelated: three attempts, then gave up'):
    print('unrelated: attempts 2 and 3 came %.3f s and %.3f s after the one before'
          % (second[0] - first[0], last[0] - second[0]))
    check(second[0] - first[0] >= 0.95, 'unrelated: attempt 2 on schedule, 1 s after attempt 1')
    check(last[0] - second[0] >= 1.95, 'unrelated: attempt 3 on schedule, 2 s after attempt 2')

# 2. Early attempts count: waiting for a missing interface, two links appear
# (each wakes the wait, neither is the one), so with --max-bind-retries 2 the
# third attempt is the last, long before the 20 s schedule.
run = Run(['--max-bind-retries', '2', '--initial-retry-delay', '20s',
           '--max-retry-delay', '20s', '--bind-device', 'missing0'] + TARGET)
check(run.wait_line(r'Bind attempt 1 failed', timeout=5) is not None, 'count: attempt 1 fails')
ip('tuntap', 'add', 'dev', 'wake1', 'mode', 'tun')
check(run.wait_line(r'Bind attempt 2 failed', timeout=5) is not None,
      'count: a new link wakes attempt 2')
ip('tuntap', 'add', 'dev', 'wake2', 'mode', 'tun')
rc = run.wait(timeout=5)
took = time.monotonic() - run.start
check(rc == 1, 'count: gave up with exit 1 (got %r) after %.3f s' % (rc, took))
run.wait_eof(5)
check(run.wait_line(r'error: Failed to bind to 100\.64\.1\.2:0 after 3 attempts: ', timeout=1)
      is not None, 'count: 2 retries = 3 attempts, early ones included')
check(len(run.matching(r'Bind attempt')) == 2, 'count: exactly two retries announced')

# 3. Idle while waiting.
run = Run(['--max-bind-retries', '1', '--initial-retry-delay', '30s',
           '--max-retry-delay', '30s'] + TARGET)
check(run.wait_line(r'Bind attempt 1 failed', timeout=5) is not None, 'idle: attempt 1 fails')
before = cpu_ticks(run.proc.pid)
time.sleep(3)  # the window being measured, not a synchronisation
after = cpu_ticks(run.proc.pid)
ms = 1000.0 / os.sysconf('SC_CLK_TCK')
print('idle: %.0f ms of CPU while waiting 3 s, %.0f ms since start (clock tick %.0f ms)'
      % ((after - before) * ms, after * ms, ms))
check((after - before) * ms < 50, 'idle: under 50 ms of CPU over a 3 s wait')
check(run.proc.poll() is None, 'idle: still waiting')
run.kill()

finish()
