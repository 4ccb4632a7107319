#!/usr/bin/python3
"""The bad-input contract, as a table: for every option, malformed,
out-of-range, overflowing, negative, empty and repeated values and
conflicting options make bindretry exit 2 with one stderr line that names the
option and the value and says what is expected, before anything is touched.

Every case runs with a Unix socket path in a fresh directory and a free TCP
port among its binds, and `touch MARKER` as the command: afterwards the
directory must be empty (no socket file, no marker: the command never ran).
When strace is installed each case also runs under it, and no socket, bind,
file creation, permission or credential change may appear at all.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

BINDRETRY = os.environ["BINDRETRY"]
STRACE = shutil.which("strace")
MAX_UNIX_PATH = 107  # sizeof(sun_path) - 1: the terminating NUL needs a byte

# System calls that would touch something: a socket, a file, a mode, a uid.
TOUCHING = ("socket,socketpair,bind,listen,connect,mkdir,mkdirat,mknod,mknodat,chmod,fchmod,"
            "fchmodat,chown,fchown,fchownat,lchown,setuid,setgid,setgroups,setresuid,setresgid,"
            "setreuid,setregid,unlink,unlinkat,rename,renameat,renameat2,creat,open,openat,execve")

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def escaped(value):
    """The value as bindretry quotes it: control bytes as \\n, \\t, \\xNN."""
    out = []
    for ch in value:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# (option as named in the message, extra arguments, value the message must
# quote or None, words that say what is expected)
def cases(tmp):
    over_path = os.path.join(tmp, "s" * (MAX_UNIX_PATH - len(tmp)))  # 108 bytes
    assert len(over_path.encode()) == MAX_UNIX_PATH + 1
    table = []

    def bind(value, expect):
        table.append(("--bind", ["--bind", value], value, expect))

    # Addresses: the forms the issue lists, and their neighbours.
    bind("65536", "0-65535")
    bind("127.0.0.1:65536", "0-65535")
    bind("[::1]:99999", "0-65535")
    bind("99999999999999999999", "0-65535")
    bind("127.0.0.1:99999999999999999999", "0-65535")
    bind("-1", "0-65535")
    bind("127.0.0.1:-1", "0-65535")
    bind("0x50", "0-65535")
    bind("127.0.0.1:0x50", "0-65535")
    bind("1.2.3", "HOST:PORT")
    bind("1.2.3:80", "expected four numbers 0-255")
    bind("256.1.1.1:80", "expected four numbers 0-255")
    bind("[::1", "missing ']' in '[::1' (expected [IPV6]:PORT)")
    bind("[::1]", "[IPV6]:PORT")
    bind("[::1]80", "':' after ']'")
    bind("::1:80", "brackets")
    bind("[::g]:80", "expected one such as [2001:db8::1]:80")
    bind("[fe80::1%]:80", "expected 1-15 characters")
    bind(" 80", "character")
    bind("80 ", "character")
    bind("127.0.0.1: 80", "character")
    bind("local host:80", "character")
    bind("a" * 4096 + ":80", "at most 253 characters")
    bind("/" + "a" * 4095, "at most %d" % MAX_UNIX_PATH)
    bind("hôst:80", "character")
    bind("wéb=80", "printable ASCII")
    bind("a:b=80", "':'")
    bind("a\tb=80", "printable ASCII")
    bind("a\nb=80", "printable ASCII")
    bind("127.0.0.1:8\x010", "control character")
    bind("n" * 300 + "=80", "at most 255")
    bind(over_path, "at most %d" % MAX_UNIX_PATH)
    bind("unix:" + over_path, "at most %d" % MAX_UNIX_PATH)
    bind("@" + "a" * (MAX_UNIX_PATH + 1), "at most %d" % MAX_UNIX_PATH)
    bind("", "address")
    bind("web=", "address")
    bind("=80", "name")
    bind("tcp:", "address")
    bind("udp:", "address")
    bind("unix:", "expected unix:PATH")
    bind("127.0.0.1:", "expected 0-65535")
    bind(":80", "expected HOST:PORT")
    bind("-host-:80", "expected dot-separated labels")
    bind("a..b:80", "expected dot-separated labels")
    bind("@", "expected @NAME")
    bind("h" * 254 + ":80", "at most 253 characters")
    table.append(("--bind", ["--bind", os.path.join(tmp, "app.sock")], os.path.join(tmp, "app.sock"),
                  "twice"))

    def opt(name, value, expect, flag_form=False):
        args = [name + "=" + value] if flag_form else [name, value]
        table.append((name, args, value, expect))

    numbers = ["abc", "-1", "99999999999999999999", "", "1.5", "0x10", " 3", "+3", "3 "]
    for value in numbers + ["4294967295", "1e3"]:
        opt("--max-bind-retries", value, "whole number")
    for name in ("--initial-retry-delay", "--max-retry-delay", "--max-bind-time"):
        for value in ["abc", "-1", "-1s", "99999999999999999999", "169h", "1x", "1 s", "", "s",
                      "0", "0s", "1e3s", "10000000m", "1h-1s", "+1s"]:
            opt(name, value, "greater than zero" if value in ("0", "0s") else
                "at most 168h" if value in ("99999999999999999999", "169h", "10000000m") else
                "expected a duration")
    for value in numbers + ["0", "2147483648"]:
        opt("--backlog", value, "whole number from 1")
    for value in ["", "999", "8", "01000", "-1", "rw", "0x1ff", "99999999999999999999", "0o660"]:
        opt("--socket-mode", value, "octal mode")
    for value in ["", "a" * 16, "eth/0", "eth:0", "et h", "é", "eth\n0", ".", ".."]:
        opt("--bind-device", value, "interface name")
    for value in ["", "verbose", "INFO", "-1", "3"]:
        opt("--log-level", value, "expected trace, debug")
    for value in ["", "xml", "JSON", "-1"]:
        opt("--log-format", value, "expected auto, text")
    for value in ["bogus", "ALWAYS", "-1", "always,fallback"]:
        opt("--freebind", value, "expected always or fallback", flag_form=True)
    for name, value in (("--quiet", "yes"), ("--quiet", "false"), ("--no-watch-addresses", "no"),
                        ("--reuse-port", "1"), ("--ipv6-only", "false"),
                        ("--no-watch-addresses", "")):
        if value:
            opt(name, value, "expected no value", flag_form=True)

    # Repeated options: every one but --bind is given at most once.
    for name, first, second in (("--max-bind-retries", "3", "4"),
                                ("--initial-retry-delay", "1s", "1s"),
                                ("--max-retry-delay", "2s", "3s"),
                                ("--max-bind-time", "1m", "2m"),
                                ("--backlog", "10", "20"),
                                ("--socket-mode", "0600", "0660"),
                                ("--bind-device", "lo", "lo"),
                                ("--log-level", "info", "debug"),
                                ("--log-format", "text", "json")):
        table.append((name, [name, first, name, second], second, "at most once"))
    table.append(("--freebind", ["--freebind", "--freebind=fallback"], "fallback", "at most once"))
    for flags in (["-q", "--quiet"], ["--quiet", "--quiet"], ["--reuse-port", "--reuse-port"],
                  ["--ipv6-only", "--ipv6-only"],
                  ["--no-watch-addresses", "--no-watch-addresses"]):
        table.append((flags[-1], flags, None, "at most once"))

    # Conflicting options.
    table.append(("--quiet", ["--quiet", "--log-level", "debug"], "debug", "one of them"))
    # Privileges, socket files, configuration, metrics, supervise mode.
    for name, value, expect in (
            ("--user", "", "empty value"),
            ("--user", "no-such-user-bindretry", "no such user"),
            ("--user", "root:no-such-group-bindretry", "no such group"),
            ("--user", "99999999999", "out of range"),
            ("--socket-owner", "", "empty value"),
            ("--socket-owner", "no-such-user-bindretry", "no such user"),
            ("--config", "", "empty value"),
            ("--config", os.path.join(tmp, "missing.toml"), "cannot read"),
            ("--config", "/", "not a regular file"),
            ("--metrics-file", "", "expected the path of a file"),
            ("--restart", "sometimes", "on-failure"),
            ("--max-restarts", "-1", "whole number"),
            ("--stop-timeout", "0", "greater than zero"),
            ("--restart-reset-after", "soon", "expected a duration")):
        supervise = [] if name in ("--user", "--socket-owner", "--config", "--metrics-file") \
            else ["--supervise"]
        table.append((name, supervise + [name, value], value, expect))
    table.append(("--restart", ["--restart", "always"], "always", "--supervise"))
    # A value missing before the "--" that ends the options, or after '='.
    for name in ("--metrics-file", "--bind-device", "--user", "--max-bind-time"):
        table.append((name, [name], None, "missing value"))
    table.append(("--backlog", ["--backlog="], "", "empty value"))
    # Per-socket options after the address.
    for spec, expect in (("127.0.0.1:0,bogus", "bogus"),
                         ("127.0.0.1:0,backlog=1,backlog=2", "given twice"),
                         ("127.0.0.1:0,mode=0600", "mode"),
                         ("127.0.0.1:0,backlog=0", "whole number")):
        table.append(("--bind", ["--bind", spec], spec, expect))
    # Unknown options are not taken for the command.
    table.append(("--bogus", ["--bogus"], None, "--help"))
    table.append(("--bogus", ["--bogus=1"], None, "--help"))
    return table


def run(argv, strace_log=None):
    env = dict(os.environ)
    if strace_log:
        # LeakSanitizer cannot run under a tracer; the plain run checks leaks.
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        argv = [STRACE, "-f", "-qq", "-e", "trace=" + TOUCHING, "-o", strace_log] + argv
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=30,
                          env=env)


def touching_calls(log_path):
    """Lines of the strace log that touched something (the first execve is
    strace starting bindretry; read-only opens are harmless)."""
    calls = []
    seen_exec = False
    with open(log_path, errors="replace") as f:
        for line in f:
            call = line.split(None, 1)[-1]
            if call.startswith("execve(") and not seen_exec:
                seen_exec = True
                continue
            if call.startswith(("open(", "openat(")) and not any(
                    flag in call for flag in ("O_CREAT", "O_WRONLY", "O_RDWR", "O_TRUNC")):
                continue
            if call.startswith("+++") or call.startswith("---"):
                continue
            # Looking up a user or group asks nscd first (glibc NSS): a
            # client socket that connects nowhere creates nothing.
            if call.startswith("socket(AF_UNIX") or (call.startswith("connect(") and
                                                     "nscd" in call):
                continue
            # The sanitizer runtime makes sure its log_path directory exists.
            if call.startswith("mkdir(") and "= -1 EEXIST" in call:
                continue
            calls.append(call.strip())
    return calls


def check_case(tmp, name, extra, value, expect, binds=True, command=True):
    sock = os.path.join(tmp, "app.sock")
    marker = os.path.join(tmp, "command-ran")
    port = free_port()
    argv = [BINDRETRY]
    if binds:
        argv += ["--bind", sock, "--bind", "127.0.0.1:%d" % port]
    argv += extra
    if command:
        argv += ["--", "/usr/bin/touch", marker]
    label = "%r" % (extra,)
    if len(label) > 120:
        label = label[:117] + "..."
    result = run(argv)
    stderr = result.stderr.decode(errors="replace")
    lines = stderr.splitlines()
    check(result.returncode == 2, "%s: exit %d, expected 2 (stderr %r)" % (label, result.returncode, stderr[:300]))
    check(result.stdout == b"", "%s: printed to stdout: %r" % (label, result.stdout[:200]))
    if check(len(lines) == 1 and stderr.endswith("\n"), "%s: stderr is not one line: %r" % (label, stderr[:300])):
        line = lines[0]
        check(line.startswith("bindretry: error: "), "%s: no 'bindretry: error:' prefix: %r" % (label, line[:200]))
        check(name in line, "%s: message does not name %s: %r" % (label, name, line[:200]))
        if value is not None:
            check(escaped(value) in line, "%s: message does not quote the value %s: %r" % (label, escaped(value)[:60], line[:200]))
        check(expect in line, "%s: message does not say %r: %r" % (label, expect, line[:300]))
    check(os.listdir(tmp) == [], "%s: left %r behind" % (label, os.listdir(tmp)))
    for leftover in os.listdir(tmp):
        os.unlink(os.path.join(tmp, leftover))

    if STRACE:
        log = os.path.join(os.path.dirname(tmp), "strace.log")
        traced = run(argv, strace_log=log)
        check(traced.returncode == 2, "%s: exit %d under strace" % (label, traced.returncode))
        calls = touching_calls(log)
        check(calls == [], "%s: touched something before exiting: %r" % (label, calls[:5]))
        os.unlink(log)
        for leftover in os.listdir(tmp):
            os.unlink(os.path.join(tmp, leftover))


def main():
    if not STRACE:
        print("strace not installed: checking the outcome only, not the system calls")
    with tempfile.TemporaryDirectory(prefix="bindretry-bad-") as top:
        tmp = os.path.join(top, "d")
        os.mkdir(tmp)
        table = cases(tmp)
        for name, extra, value, expect in table:
            check_case(tmp, name, extra, value, expect)
        # No --bind at all; no command; an option after the command's "--".
        check_case(tmp, "--bind", [], None, "required", binds=False)
        check_case(tmp, "COMMAND", [], None, "usage:", command=False)
        check_case(tmp, "COMMAND", ["--"], None, "usage:", command=False)
    for f in failures:
        print("FAIL:", f)
    print("%d cases, %d failures" % (len(table), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
