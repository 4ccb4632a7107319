#!/usr/bin/python3
"""systemd and journald integration:
- sd_notify: STATUS= while waiting (and EXTEND_TIMEOUT_USEC= with
  --max-bind-time) on $NOTIFY_SOCKET, which the target still sees;
- journald: with $JOURNAL_STREAM naming stderr, lines carry <N> priority
  prefixes and no level words;
- --log-format json: one object per line with the stable fields."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import (Run, check, enter_namespace, finish, helper, ip, read_stamp, setup,  # noqa: E402
                        tmpdir)

enter_namespace()
setup()
work = tmpdir()
stamp = helper('stamp')
ADDRESS = '100.64.1.2:0'


def receive(sock, timeout):
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).decode()
    except socket.timeout:
        return None


# 1. sd_notify with a deadline: STATUS + EXTEND_TIMEOUT_USEC, then bound.
notify_path = os.path.join(work, 'notify')
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
env = dict(os.environ, NOTIFY_SOCKET=notify_path)
marker = os.path.join(work, 'notified')
run = Run(['--initial-retry-delay', '100ms', '--max-bind-time', '20s', '--bind', ADDRESS, '--',
           stamp, marker], env=env)
messages = [receive(notify, 5), receive(notify, 5)]
ip('addr', 'add', '100.64.1.2/32', 'dev', 'tailscale0')
rc = run.wait(timeout=10)
check(rc == 0, 'notify: exit 0 (got %r)' % rc)
while (m := receive(notify, 0.5)) is not None and not m.startswith('STATUS=Bound'):
    messages.append(m)
messages.append(m)
print('notify: received %r' % messages)
for n, (delay, message) in enumerate(zip(('0.1', '0.2'), messages), start=1):
    lines = (message or '').split('\n')
    check(lines[0] == 'STATUS=Waiting to bind %s: Cannot assign requested address '
          '(attempt %d of 6, next in %ss)' % (ADDRESS, n, delay),
          'notify: STATUS line for attempt %d' % n)
    usec = lines[1][len('EXTEND_TIMEOUT_USEC='):] if len(lines) > 1 else ''
    check(len(lines) == 2 and lines[1].startswith('EXTEND_TIMEOUT_USEC=') and usec.isdigit()
          and 20_000_000 <= int(usec) <= 30_000_000,
          'notify: EXTEND_TIMEOUT_USEC covers the rest of the 20 s deadline')
check(messages[-1] == 'STATUS=Bound, starting %s' % stamp, 'notify: STATUS=Bound at the end')
if check(os.path.exists(marker), 'notify: target ran'):
    check(read_stamp(marker)['notify_socket'] == notify_path,
          'notify: NOTIFY_SOCKET is left for the target')
ip('addr', 'del', '100.64.1.2/32', 'dev', 'tailscale0')

# Without --max-bind-time there is no timeout to extend; giving up is a status too.
run = Run(['--initial-retry-delay', '100ms', '--max-bind-retries', '1', '--bind', ADDRESS,
           '--', '/bin/true'], env=env)
first, last = receive(notify, 5), receive(notify, 5)
check(run.wait(timeout=5) == 1, 'notify: gave up with exit 1')
check(first == 'STATUS=Waiting to bind %s: Cannot assign requested address '
      '(attempt 1 of 2, next in 0.1s)' % ADDRESS, 'notify: STATUS alone without a deadline')
check(last == 'STATUS=Failed to bind %s: Cannot assign requested address' % ADDRESS,
      'notify: STATUS says it failed (got %r)' % last)

# 2. journald: the stream's device:inode in JOURNAL_STREAM, as systemd sets it.
for name, matching in (('journal', True), ('other stream', False)):
    err_path = os.path.join(work, 'stderr-' + name.replace(' ', '-'))
    with open(err_path, 'w+b') as err:
        st = os.fstat(err.fileno())
        ino = st.st_ino if matching else st.st_ino + 1
        env = dict(os.environ, JOURNAL_STREAM='%d:%d' % (st.st_dev, ino))
        run = Run(['--initial-retry-delay', '100ms', '--max-bind-retries', '1', '--bind', ADDRESS,
                   '--', '/bin/true'], env=env, stderr=err)
        check(run.wait(timeout=5) == 1, '%s: gave up with exit 1' % name)
    with open(err_path) as f:
        lines = f.read().splitlines()
    print('%s: %r' % (name, lines))
    if matching:
        expected = ['<4>Bind attempt 1 failed for %s: Cannot assign requested address. '
                    'Retrying in 0.1s...' % ADDRESS,
                    '<3>Failed to bind to %s after 2 attempts: Cannot assign requested address'
                    % ADDRESS]
    else:
        expected = ['bindretry: warning: Bind attempt 1 failed for %s: Cannot assign requested '
                    'address. Retrying in 0.1s...' % ADDRESS,
                    'bindretry: error: Failed to bind to %s after 2 attempts: Cannot assign '
                    'requested address' % ADDRESS]
    check(lines == expected, '%s: lines as expected' % name)

# 3. JSON lines: failures and giving up, then (address present) bound and exec.
events = []
for extra in ([], ['--log-level', 'debug']):
    if extra:
        ip('addr', 'add', '100.64.1.2/32', 'dev', 'tailscale0')
    run = Run(['--log-format', 'json', '--initial-retry-delay', '100ms', '--max-bind-retries',
               '1'] + extra + ['--bind', ADDRESS, '--', '/bin/true'])
    run.wait(timeout=5)
    run.wait_eof(5)
    for _, line in run.matching(r''):
        try:
            events.append(json.loads(line))
        except ValueError:
            check(False, 'json: line parses: %r' % line)
by_event = {e.get('event'): e for e in events}
print('json: events %s' % [e.get('event') for e in events])
failed, gave_up = by_event.get('bind_failed', {}), by_event.get('gave_up', {})
check(failed.get('level') == 'warning' and failed.get('address') == ADDRESS
      and failed.get('attempt') == 1 and failed.get('max_attempts') == 2
      and failed.get('error') == 'Cannot assign requested address' and failed.get('errno') == 99
      and failed.get('delay_s') == 0.1, 'json: bind_failed carries its fields')
check(gave_up.get('level') == 'error' and gave_up.get('attempt') == 2
      and gave_up.get('errno') == 99, 'json: gave_up carries its fields')
check(by_event.get('bound', {}).get('attempt') == 1, 'json: bound event')
check('exec' in by_event, 'json: exec event')
for e in events:
    ts = e.get('ts', '')
    check(isinstance(ts, str) and ts.endswith('Z') and time.strptime(ts[:19], '%Y-%m-%dT%H:%M:%S'),
          'json: ts is a UTC timestamp (%r)' % ts)
    check('level' in e and 'event' in e, 'json: every line has level and event')

finish()
