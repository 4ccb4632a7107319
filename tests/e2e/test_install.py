#!/usr/bin/python3
"""`meson install --destdir` puts the binary in bin/ and the man page in
share/man/man1/ under the configured prefix, and the installed binary runs."""
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

BUILD_ROOT = os.environ["PROJECT_BUILD_ROOT"]
SOURCE_DIR = os.path.dirname(os.environ["TESTS_DIR"])


def main():
    meson = shutil.which("meson") or ("/usr/bin/meson" if os.path.exists("/usr/bin/meson") else None)
    if not meson:
        print("SKIP: meson is not in PATH")
        return 77
    options = json.loads(subprocess.run([meson, "introspect", "--buildoptions", BUILD_ROOT],
                                        capture_output=True, text=True, check=True).stdout)
    prefix = next(o["value"] for o in options if o["name"] == "prefix")
    failures = []
    with tempfile.TemporaryDirectory(prefix="bindretry-install-") as dest:
        result = subprocess.run([meson, "install", "-C", BUILD_ROOT, "--destdir", dest,
                                 "--no-rebuild", "--quiet"],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            print("FAIL: meson install exited %d:\n%s%s" % (result.returncode, result.stdout, result.stderr))
            return 1
        installed = sorted(os.path.relpath(os.path.join(d, f), dest)
                           for d, _, files in os.walk(dest) for f in files)
        print("installed:", ", ".join(installed))
        root = os.path.join(dest, prefix.lstrip("/"))
        binary = os.path.join(root, "bin", "bindretry")
        man = os.path.join(root, "share", "man", "man1", "bindretry.1")
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            failures.append("no executable %s" % os.path.relpath(binary, dest))
        else:
            version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
            if version.returncode != 0 or not version.stdout.startswith("bindretry "):
                failures.append("installed binary: --version gave %d %r" % (version.returncode, version.stdout))
        if not os.path.isfile(man):
            failures.append("no man page at %s" % os.path.relpath(man, dest))
        elif not filecmp.cmp(man, os.path.join(SOURCE_DIR, "man", "bindretry.1"), shallow=False):
            failures.append("the installed man page differs from man/bindretry.1")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
