#!/bin/bash
# The project builds clean under clang++ at warning_level=3 with
# werror=true (the main CI build uses g++), and its unit tests pass.
#
# Needs (Debian): clang, meson, ninja-build, and the project's build and
# test dependencies.
# Env: CLANG_BUILD_DIR (default build-clang).
set -u
cd "$(dirname "$0")/.."

dir=${CLANG_BUILD_DIR:-build-clang}
status=0
summary=()
fail() { summary+=("FAIL: $*"); status=1; }
pass() { summary+=("ok:   $*"); }

if ! command -v clang++ >/dev/null; then
  echo "clang.sh: clang++ is not installed (Debian package clang)"
  exit 1
fi
echo "== clang.sh: configuring $dir with $(clang++ --version | head -1)"
if [ ! -f "$dir/build.ninja" ]; then
  CXX=clang++ meson setup "$dir" -Dwarning_level=3 -Dwerror=true || exit 1
else
  meson configure "$dir" -Dwarning_level=3 -Dwerror=true
fi
if ninja -C "$dir"; then
  pass "clang++ build, warning_level=3, werror=true"
  if meson test -C "$dir" --suite unit --print-errorlogs; then
    pass "unit tests (clang++ build)"
  else
    fail "unit tests (clang++ build)"
  fi
else
  fail "clang++ build, warning_level=3, werror=true"
fi

echo "== clang.sh summary"
printf '  %s\n' "${summary[@]}"
exit $status
