#!/usr/bin/python3
"""Docs cannot fall behind the code.

  test_docs.py lint     the man page lints clean (mandoc -T lint -W warning)
  test_docs.py options  every long option that --help prints appears in the
                        man page's OPTIONS section and in README.md

The man page is rendered (mandoc, or groff) before it is searched, so the
check sees what a reader sees whether the source is man(7) or mdoc(7).
"""
import os
import re
import shutil
import subprocess
import sys

BINDRETRY = os.environ["BINDRETRY"]
SOURCE_DIR = os.path.dirname(os.environ["TESTS_DIR"])
MAN_PAGE = os.path.join(SOURCE_DIR, "man", "bindretry.1")
README = os.path.join(SOURCE_DIR, "README.md")
SKIP = 77


def lint():
    mandoc = shutil.which("mandoc")
    if not mandoc:
        print("SKIP: mandoc is not installed (Debian package mandoc)")
        return SKIP
    result = subprocess.run([mandoc, "-T", "lint", "-W", "warning", MAN_PAGE],
                            capture_output=True, text=True)
    report = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or report:
        print("FAIL: mandoc -T lint -W warning %s (exit %d):\n%s" % (MAN_PAGE, result.returncode, report))
        return 1
    print("man page lints clean")
    return 0


def render_man():
    """The man page as plain text, or None when no formatter is installed."""
    if shutil.which("mandoc"):
        argv = ["mandoc", "-T", "ascii", "-O", "width=1000", MAN_PAGE]
    elif shutil.which("groff"):
        argv = ["groff", "-mandoc", "-T", "ascii", "-P", "-cbou", "-rLL=1000n", MAN_PAGE]
    else:
        return None
    text = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return re.sub(".\b", "", text)  # overstrike bold and underline


def section(text, title):
    """The lines between the section heading `title` and the next heading."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == title and not line[:1].isspace():
            rest = lines[i + 1:]
            end = next((j for j, l in enumerate(rest) if l[:1].isalpha() and l.isupper()), len(rest))
            return "\n".join(rest[:end])
    return None


def help_long_options():
    result = subprocess.run([BINDRETRY, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, "--help exited %d" % result.returncode
    options = []
    for line in result.stdout.splitlines():
        # The option column: "  -b,--bind [NAME=]ADDRESS   Address to bind ..."
        m = re.match(r"\s+(-[^\s]*)", line)
        if m:
            options += re.findall(r"--[a-z0-9][a-z0-9-]*", m.group(1))
    return options


def mentions(text, option):
    return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(option), text) is not None


def options():
    rendered = render_man()
    if rendered is None:
        print("SKIP: neither mandoc nor groff is installed to render the man page")
        return SKIP
    listed = help_long_options()
    if not listed or "--bind" not in listed:
        print("FAIL: found no long options in --help: %r" % listed)
        return 1
    failures = []
    man_options = section(rendered, "OPTIONS")
    if man_options is None:
        failures.append("the man page has no OPTIONS section")
        man_options = ""
    readme = open(README).read() if os.path.exists(README) else None
    if readme is None:
        failures.append("README.md does not exist")
        readme = ""
    for option in listed:
        if not mentions(man_options, option):
            failures.append("%s is in --help but not in the man page's OPTIONS" % option)
        if not mentions(readme, option):
            failures.append("%s is in --help but not in README.md" % option)
    for f in failures:
        print("FAIL:", f)
    print("%d long options in --help, %d missing from the docs" % (len(listed), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "lint":
        sys.exit(lint())
    if mode == "options":
        sys.exit(options())
    print("usage: test_docs.py lint|options")
    sys.exit(2)
