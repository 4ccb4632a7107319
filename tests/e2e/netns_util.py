"""Shared by the network-namespace tests: enter a private network namespace,
build interfaces, add addresses, run bindretry and watch what it does."""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import common
from common import check, helper, skip  # noqa: F401 (the scripts import them from here)

BINDRETRY = os.environ.get('BINDRETRY', '')
_INNER = 'BINDRETRY_TEST_IN_NETNS'

_runs = []


def finish():
    """Stops what is still running, then reports as every script does."""
    for run in _runs:
        run.kill()
    common.finish()


def enter_namespace():
    """Re-execs the script as root of a new user and network namespace,
    where interfaces and addresses can be made without touching the host."""
    if os.environ.get(_INNER) == '1':
        return
    if not BINDRETRY:
        skip('BINDRETRY is not set: run through meson test')
    for tool in ('unshare', 'ip'):
        if not shutil.which(tool):
            skip('%s is not installed' % tool)
    probe = subprocess.run(['unshare', '-rn', 'true'], capture_output=True, text=True)
    if probe.returncode != 0:
        skip('cannot create a network namespace with unshare -rn: ' + probe.stderr.strip())
    os.environ[_INNER] = '1'
    sys.stdout.flush()
    os.execvp('unshare', ['unshare', '-rn', sys.executable, os.path.abspath(sys.argv[0])] +
              sys.argv[1:])


def ip(*args):
    subprocess.run(['ip', *args], check=True)


def setup(tun=True, bridge=False):
    ip('link', 'set', 'lo', 'up')
    if tun:
        ip('tuntap', 'add', 'dev', 'tailscale0', 'mode', 'tun')
    if bridge:
        # A bridge is up with carrier even without ports, so IPv6 duplicate
        # address detection runs on it as on a real LAN interface.
        ip('link', 'add', 'br0', 'type', 'bridge')
        ip('link', 'set', 'br0', 'up')


def free_port(host='127.0.0.1'):
    """A port the kernel picked as free (nothing else lives in the namespace)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def tmpdir():
    return tempfile.mkdtemp(prefix='bindretry-netns-')


def read_stamp(path):
    """The key=value file the stamp helper writes when it starts."""
    with open(path) as f:
        return dict(line.split('=', 1) for line in f.read().splitlines())


def wait_for_file(path, timeout):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def stamp_time(path):
    """When the stamp target started, in time.monotonic() seconds."""
    return int(read_stamp(path)['mono_ns']) / 1e9


class Run:
    """bindretry running in the background; stderr is read line by line and
    each line is kept with the monotonic time it arrived."""

    def __init__(self, args, env=None, stderr=None, echo=True):
        self.lines = []
        self._echo = echo
        self._cond = threading.Condition()
        self.start = time.monotonic()
        self.proc = subprocess.Popen([BINDRETRY, *args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=stderr if stderr is not None else subprocess.PIPE,
                                     env=env)
        _runs.append(self)
        if stderr is None:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode(errors='replace').rstrip('\n')
            if self._echo:
                print('  bindretry: | ' + line, flush=True)
            with self._cond:
                self.lines.append((time.monotonic(), line))
                self._cond.notify_all()
        with self._cond:
            self.lines.append((time.monotonic(), None))  # end of stream
            self._cond.notify_all()

    def wait_line(self, pattern, timeout=10):
        """(time, line) of the first stderr line matching pattern, or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for t, line in self.lines:
                    if line is not None and rx.search(line):
                        return t, line
                if self.lines and self.lines[-1][1] is None:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def matching(self, pattern):
        rx = re.compile(pattern)
        with self._cond:
            return [(t, l) for t, l in self.lines if l is not None and rx.search(l)]

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def wait_eof(self, timeout):
        """Waits until the stderr pipe is closed (bindretry and its target gone)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (self.lines and self.lines[-1][1] is None):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


# rtnetlink, to add an address with no process start between the clock
# reading and the kernel's notification (the benchmark measures that gap).
_RTM_NEWADDR, _RTM_DELADDR = 20, 21
_NLM_F_REQUEST, _NLM_F_ACK, _NLM_F_EXCL, _NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
_IFA_ADDRESS, _IFA_LOCAL = 1, 2


def _rtattr(kind, data):
    attr = struct.pack('=HH', 4 + len(data), kind) + data
    return attr + b'\0' * (-len(attr) % 4)


class Netlink:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
        self.sock.bind((0, 0))
        self.seq = 0

    def address(self, add, ifname, address, prefixlen):
        family = socket.AF_INET6 if ':' in address else socket.AF_INET
        raw = socket.inet_pton(family, address)
        flags = _NLM_F_REQUEST | _NLM_F_ACK | (_NLM_F_CREATE | _NLM_F_EXCL if add else 0)
        body = struct.pack('=BBBBI', family, prefixlen, 0, 0, socket.if_nametoindex(ifname))
        body += _rtattr(_IFA_LOCAL, raw) + _rtattr(_IFA_ADDRESS, raw)
        self.seq += 1
        msg = struct.pack('=IHHII', 16 + len(body), _RTM_NEWADDR if add else _RTM_DELADDR,
                          flags, self.seq, 0) + body
        self.sock.send(msg)
        reply = self.sock.recv(65536)
        error = struct.unpack_from('=i', reply, 16)[0]
        if error != 0:
            raise OSError(-error, os.strerror(-error))
