#!/usr/bin/python3
"""--max-bind-time 1.5s with a far longer schedule gives up at about 1.5 s,
exit 1, saying the deadline (not the retries) ended it."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_util import Run, check, enter_namespace, finish, setup  # noqa: E402

enter_namespace()
setup()

run = Run(['--max-bind-time', '1.5s', '--initial-retry-delay', '30s', '--max-bind-retries', '9',
           '--bind', '100.64.1.2:0', '--', '/bin/true'])
rc = run.wait(timeout=15)
took = time.monotonic() - run.start
print('gave up after %.3f s' % took)
check(rc == 1, 'exit status 1 (got %r)' % rc)
check(1.45 <= took < 3.0, 'gave up at about 1.5 s (%.3f s)' % took)
run.wait_eof(5)
check(run.wait_line(r'^bindretry: error: Failed to bind to 100\.64\.1\.2:0 after 2 attempts: '
                    r'Cannot assign requested address \(--max-bind-time reached after 1\.5\d*s\)',
                    timeout=1) is not None, 'the message says the deadline was reached')
# The only wait was cut short by the deadline ("Retrying in 1.5s"), and the
# last attempt was the one at the deadline: no wait, no attempt beyond it.
waits = run.matching(r'Bind attempt \d+ failed')
check(len(waits) == 1 and 'Retrying in 1.5s' in waits[0][1], 'one wait, cut to the deadline: %r' % waits)

finish()
