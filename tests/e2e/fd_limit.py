"""The open-file limit: many sockets raise the soft RLIMIT_NOFILE as far as
needed, even with descriptors a parent left open in the way; a hard limit
that is too low fails before binding, giving the numbers."""

import os
import resource
import subprocess

from common import BINDRETRY, check, finish

SOCKETS = 1990


def limited(soft, hard, stray):
    def setup():
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        for fd in stray:
            os.dup2(0, fd)
    return setup


binds = []
for _ in range(SOCKETS):
    binds += ["--bind", "127.0.0.1:0"]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
if hard != resource.RLIM_INFINITY and hard < 4 * SOCKETS:
    print(f"SKIP: the hard open-file limit {hard} is too low for this test")
    raise SystemExit(77)

# A soft limit just above the socket count, and a parent's leaked descriptors
# in the socket range: the sockets still all arrive, nothing else does.
r = subprocess.run([BINDRETRY, *binds, "--", "/bin/sh", "-c",
                    'echo "$LISTEN_FDS $(ls /proc/self/fd | wc -l)"'],
                   capture_output=True, text=True, timeout=60,
                   preexec_fn=limited(SOCKETS + 10, hard, [7, 9, 40]))
check(r.returncode == 0, "many sockets under a close soft limit", (r.returncode, r.stderr))
count, open_fds = (r.stdout.split() + ["0", "0"])[:2]
check(count == str(SOCKETS), f"LISTEN_FDS={count}, expected {SOCKETS}")
# 0-2, the sockets, and the listing's own directory descriptor.
check(int(open_fds) == SOCKETS + 4, f"the target has {open_fds} descriptors open")
check("raised the open-file soft limit from" in r.stderr, "the raise is logged", r.stderr)

# A hard limit below what the sockets need: exit 1 before binding anything.
r = subprocess.run([BINDRETRY, *binds, "--", "/bin/true"], capture_output=True, text=True,
                   timeout=60, preexec_fn=limited(1000, 1000, []))
check(r.returncode == 1, "a hard limit that is too low exits 1", (r.returncode, r.stderr))
check("hard open-file limit (RLIMIT_NOFILE) is 1000" in r.stderr and "need" in r.stderr,
      "the message gives both numbers", r.stderr)
check("Bind attempt" not in r.stderr, "nothing was bound or retried", r.stderr)

finish()
