"""A real libsystemd reader: sd_listen_fds_with_names() sees bindretry's
sockets with their names and accepts a connection on each stream socket."""

import os
import socket
import subprocess

from common import (BINDRETRY, Stderr, check, debug_bound_address, finish, helper,
                    require_binary, split_hostport, stop, wait_exit)

require_binary()
CONSUMER = helper("sd-consumer")


def read_all(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as c:
        c.settimeout(10)
        c.connect(address)
        return c.makefile("rb").read()


abstract = f"bindretry-sd-consumer-{os.getpid()}"
specs = ["api=127.0.0.1:0", "dgram=udp:127.0.0.1:0", f"@{abstract}"]
argv = [BINDRETRY, "--log-level", "debug"]
for s in specs:
    argv += ["--bind", s]
proc = subprocess.Popen(argv + ["--", CONSUMER], stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
err = Stderr(proc.stderr)
try:
    tcp = debug_bound_address(err, "127.0.0.1:0")
    check(tcp is not None, "the TCP socket's port is logged at debug", err.seen)
    if tcp:
        check(read_all(socket.AF_INET, split_hostport(tcp)) == b"api\n",
              "the consumer accepted on the TCP socket and knows it as 'api'")
    check(read_all(socket.AF_UNIX, "\0" + abstract) == b"unknown\n",
          "the consumer accepted on the abstract socket, named 'unknown'")
    status = wait_exit(proc, 10)
    out = proc.stdout.read()
    check(status == 0, "the consumer exited 0", (status, err.rest()))
    check(out.splitlines() == ["count 3", "name 3 api", "name 4 dgram", "name 5 unknown"],
          "sd_listen_fds_with_names saw 3 sockets with their names in order", out)
finally:
    stop(proc)

# Without bindretry the same program sees no sockets: the check above can fail.
r = subprocess.run([CONSUMER], capture_output=True, text=True, timeout=10,
                   stdin=subprocess.DEVNULL)
check(r.returncode == 3 and r.stdout.startswith("count 0"),
      "the consumer alone reports no sockets (exit 3)", (r.returncode, r.stdout))

finish()
