"""Docs move with code: every option in --help is documented in the man page
and in the README, every exit status of the contract is in both, and the man
page is clean under mandoc's linter (when mandoc is installed)."""

import os
import re
import shutil
import subprocess

from common import BINDRETRY, TESTS_DIR, check, finish, require_binary

require_binary()
SOURCE = os.path.dirname(TESTS_DIR)


helptext = subprocess.run([BINDRETRY, "--help"], capture_output=True, text=True, timeout=10).stdout
options = sorted(set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z0-9-]*)", helptext, re.M)))
check(len(options) >= 10, f"--help lists the options ({len(options)} found)")

man_source = open(os.path.join(SOURCE, "man", "bindretry.1")).read()
if shutil.which("mandoc"):
    lint = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", os.path.join(SOURCE, "man", "bindretry.1")],
                          capture_output=True, text=True, timeout=10)
    check(lint.returncode == 0 and lint.stdout + lint.stderr == "",
          "mandoc -T lint -W warning is clean: " + (lint.stdout + lint.stderr).strip())
    rendered = subprocess.run(["mandoc", "-T", "ascii", os.path.join(SOURCE, "man", "bindretry.1")],
                              capture_output=True, text=True, timeout=10).stdout
    man = re.sub(r".\x08", "", rendered)
else:
    print("note: mandoc not installed; reading the man page source")
    man = man_source.replace("\\-", "-").replace("\\&", "")
readme = open(os.path.join(SOURCE, "README.md")).read()

# The OPTIONS section itself, not a mention elsewhere in the page.
start = re.search(r"^OPTIONS$|^\.Sh OPTIONS$", man, re.M)
end = re.search(r"^ADDRESS FORMS$|^\.Sh ADDRESS FORMS$", man, re.M)
check(start is not None and end is not None, "man page has OPTIONS and ADDRESS FORMS sections")
man_options = man[start.end():end.start()] if start and end else man
for option in options:
    word = r"(?<![\w-])" + re.escape(option) + r"(?![\w-])"
    check(re.search(word, man_options) is not None, f"man page OPTIONS documents {option}")
    check(re.search(word, readme) is not None, f"README documents {option}")

for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "EXIT STATUS",
                "EXAMPLES", "SEE ALSO"]:
    check(re.search(r"^\.Sh " + section + "$", man_source, re.M) is not None, f"man page has {section}")
for ref in ["sd_listen_fds(3)", "systemd-socket-activate(1)"]:
    check(ref in man, f"man page refers to {ref}")
exit_section = man[man.find("EXIT STATUS"):man.find("EXAMPLES")]
readme_exit = readme[readme.find("## Exit status"):]
for status in ["1", "2", "126", "127"]:
    check(re.search(r"^\s+" + status + r"\s", exit_section, re.M) is not None, f"man page has exit status {status}")
    check(f"\n| {status} |" in readme_exit, f"README has exit status {status}")
check("killed by the signal" in exit_section and "killed by the signal" in readme_exit,
      "both document the death by signal")
finish()
