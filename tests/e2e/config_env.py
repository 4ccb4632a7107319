#!/usr/bin/python3
"""--config FILE and BINDRETRY_<OPTION>: command line > environment > file."""
import os
import tempfile

from sockets_common import check, finish, run_info

d = tempfile.mkdtemp(prefix="bindretry-config-")
config = os.path.join(d, "bindretry.toml")
with open(config, "w") as f:
    f.write('# deployment settings\n'
            'bind = ["file1=127.0.0.1:0", "file2=unix:%s/app.sock"]\n'
            'max-bind-retries = 10\n'
            'socket-mode = "0600"\n'
            'log-level = "warn"\n' % d)
base = {k: v for k, v in os.environ.items() if not k.startswith("BINDRETRY_")}
base["BINDRETRY"] = os.environ["BINDRETRY"]  # the test's own variable, not an option


def names(options, env=None):
    info, p = run_info(options, env={**base, **(env or {})})
    check(p.returncode == 0, f"{options} {env}: exit {p.returncode}, {p.stderr!r}")
    return info["names"] if info else None


# The file alone.
check(names(["--config", config]) == ["file1", "file2"], "file gives the sockets")
check(os.stat(f"{d}/app.sock").st_mode & 0o777 == 0o600, "file gives socket-mode")
# The environment beats the file; the command line beats both.
env = {"BINDRETRY_BIND": "env1=127.0.0.1:0 env2=udp:127.0.0.1:0"}
check(names(["--config", config], env) == ["env1", "env2"], "environment beats file")
check(names(["--config", config, "--bind", "cli=127.0.0.1:0"], env) == ["cli"],
      "command line beats environment and file")
# The file can be named by the environment too.
check(names([], {"BINDRETRY_CONFIG": config}) == ["file1", "file2"], "BINDRETRY_CONFIG")


# A bad value shows which source was read.
for options, env, named in (
        (["--config", config], {"BINDRETRY_MAX_BIND_RETRIES": "lots"},
         "environment variable BINDRETRY_MAX_BIND_RETRIES"),
        (["--config", config, "--max-bind-retries", "x1"], {"BINDRETRY_MAX_BIND_RETRIES": "lots"},
         "--max-bind-retries 'x1'"),
):
    info, p = run_info(options, env={**base, **env})
    check(p.returncode == 2 and named in p.stderr, f"{options} {env}: {p.returncode} {p.stderr!r}")
# A good environment value hides a bad one in the file.
bad_file = os.path.join(d, "bad-value.toml")
with open(bad_file, "w") as f:
    f.write('bind = ["127.0.0.1:0"]\nmax-bind-retries = -3\n')
info, p = run_info(["--config", bad_file], env={**base, "BINDRETRY_MAX_BIND_RETRIES": "2"})
check(p.returncode == 0, f"environment hides the file's bad value: {p.stderr!r}")
info, p = run_info(["--config", bad_file], env=base)
check(p.returncode == 2 and f"config file '{bad_file}'" in p.stderr
      and "max-bind-retries '-3'" in p.stderr, f"bad value in file: {p.stderr!r}")

# Unknown keys and unreadable files: exit 2 naming the key and the file.
unknown = os.path.join(d, "unknown.toml")
with open(unknown, "w") as f:
    f.write('bind = ["127.0.0.1:0"]\nmax-retries = 3\n')
info, p = run_info(["--config", unknown], env=base)
check(p.returncode == 2 and f"'{unknown}'" in p.stderr and "'max-retries'" in p.stderr,
      f"unknown key: {p.stderr!r}")
missing = os.path.join(d, "missing.toml")
info, p = run_info(["--config", missing], env=base)
check(p.returncode == 2 and f"'{missing}'" in p.stderr, f"missing file: {p.stderr!r}")
info, p = run_info(["--bind", "127.0.0.1:0"], env={**base, "BINDRETRY_BACKLOG": "-5"})
check(p.returncode == 2 and "BINDRETRY_BACKLOG" in p.stderr and "'-5'" in p.stderr,
      f"bad environment value: {p.stderr!r}")
check(info is None, "target not run on bad input")

finish()
