#!/usr/bin/python3
"""--freebind=always binds at once, before the address exists, and a client
connects once the address appears; --freebind=fallback binds strictly while
retries last and with FreeBind after the last attempt, with a warning."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import (Run, check, enter_namespace, finish, free_port, helper, ip, setup,  # noqa: E402
                        stamp_time, tmpdir, wait_for_file)

enter_namespace()
setup()
ip('link', 'set', 'tailscale0', 'up')
stamp = helper('stamp')
work = tmpdir()


def connects(port):
    try:
        with socket.create_connection(('100.64.1.2', port), timeout=2):
            return True
    except OSError as e:
        print('connect to 100.64.1.2:%d: %s' % (port, e))
        return False


def connect_after_address(name, port):
    check(not connects(port), '%s: no connection before the address exists' % name)
    ip('addr', 'add', '100.64.1.2/32', 'dev', 'tailscale0')
    check(connects(port), '%s: a client connects once the address exists' % name)
    ip('addr', 'del', '100.64.1.2/32', 'dev', 'tailscale0')


# always
port = free_port()
marker = os.path.join(work, 'always')
run = Run(['--freebind=always', '--bind', '100.64.1.2:%d' % port, '--', stamp, marker, 'hold'])
if check(wait_for_file(marker, 5), 'always: target runs'):
    check(stamp_time(marker) - run.start < 1.0, 'always: bound at once')
    check(not run.matching(r'attempt|fail'), 'always: no failed attempt')
    connect_after_address('always', port)
run.kill()

# fallback: 3 strict attempts, then FreeBind
port = free_port()
marker = os.path.join(work, 'fallback')
run = Run(['--freebind=fallback', '--max-bind-retries', '2', '--initial-retry-delay', '100ms',
           '--bind', '100.64.1.2:%d' % port, '--', stamp, marker, 'hold'])
warned = run.wait_line(r'^bindretry: warning: Address 100\.64\.1\.2:%d is still missing after 3 '
                       r'attempts \(Cannot assign requested address\); bound it with FreeBind'
                       % port, timeout=5)
check(warned is not None, 'fallback: warning after the last strict attempt')
if check(wait_for_file(marker, 5), 'fallback: target runs'):
    failed = [line for _, line in run.matching(r'Bind attempt \d+ failed')]
    check(len(failed) == 2, 'fallback: attempts 1 and 2 failed and were retried (%d)' % len(failed))
    check(not run.matching(r'error'), 'fallback: no error line')
    connect_after_address('fallback', port)
run.kill()

finish()
