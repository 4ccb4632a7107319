#!/bin/bash
# The whole test suite a second time under AddressSanitizer and UBSan, then
# the unit tests under valgrind memcheck. Fails on any report, even one from a
# process whose exit status a test does not look at: every sanitizer report
# is written to a log file, and any log file is a failure.
#
# The sanitized build uses clang++: with g++ 12, UBSan (a runtime separate
# from ASan there) ignores log_path and reports only to stderr, where a test
# that captures a child's stderr would hide it.
#
# Needs (Debian): clang, libclang-rt-14-dev, g++, meson, ninja-build,
# valgrind, and the project's build and test dependencies.
# Env: SANITIZE_BUILD_DIR (default build-sanitize), SANITIZE_CXX (default
# clang++), MEMCHECK_BUILD_DIR (default build-memcheck).
set -u
cd "$(dirname "$0")/.."

san_dir=${SANITIZE_BUILD_DIR:-build-sanitize}
mem_dir=${MEMCHECK_BUILD_DIR:-build-memcheck}
san_cxx=${SANITIZE_CXX:-clang++}
status=0
summary=()

step() { echo "== sanitize.sh: $*"; }
fail() { summary+=("FAIL: $*"); status=1; }
pass() { summary+=("ok:   $*"); }

# --- ASan + UBSan -------------------------------------------------------------
step "configuring $san_dir ($san_cxx, -Db_sanitize=address,undefined)"
if [ ! -f "$san_dir/build.ninja" ]; then
  CXX=$san_cxx meson setup "$san_dir" -Db_sanitize=address,undefined -Db_lundef=false -Dlink_mode=shared \
    -Dbuildtype=debugoptimized || exit 1
fi
if ! ninja -C "$san_dir"; then
  fail "sanitized build"
else
  logs=$(realpath "$san_dir")/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  # exitcode=86: a report must not pass for bindretry's own exit 1 (bind
  # failed) in a test that expects it. Targets exec'd by bindretry inherit
  # these and ignore them unless they are sanitized helpers too.
  common="halt_on_error=1:exitcode=86:print_stacktrace=1"
  export UBSAN_OPTIONS="$common:log_path=$logs/ubsan"
  asan="$common:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1"
  asan+=":check_initialization_order=1:log_path=$logs/asan"
  # LeakSanitizer stops the world with ptrace; where that is not allowed
  # (some containers) it cannot run at all. Then memcheck below covers leaks.
  probe=$(ASAN_OPTIONS="detect_leaks=1" "$san_dir/tests/unit-tests" --test-case=NONE 2>&1)
  if grep -q "LeakSanitizer has encountered a fatal error" <<<"$probe"; then
    echo "sanitize.sh: LeakSanitizer cannot run here (no ptrace); leak checking left to memcheck"
    export ASAN_OPTIONS="$asan:detect_leaks=0"
  else
    export ASAN_OPTIONS="$asan:detect_leaks=1"
  fi
  step "meson test under ASan+UBSan (reports go to $logs)"
  if meson test -C "$san_dir" --print-errorlogs --timeout-multiplier 3; then
    pass "test suite under ASan+UBSan"
  else
    fail "test suite under ASan+UBSan (see $san_dir/meson-logs/testlog.txt)"
  fi
  if compgen -G "$logs/*" >/dev/null; then
    for f in "$logs"/*; do echo "--- $f"; cat "$f"; done
    fail "sanitizer reports: $(ls "$logs" | wc -l) file(s) in $logs"
  else
    pass "no sanitizer report"
  fi
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

# --- valgrind memcheck over the unit tests --------------------------------------
if ! command -v valgrind >/dev/null; then
  fail "valgrind is not installed (Debian package valgrind)"
else
  step "configuring $mem_dir (plain debug build for memcheck)"
  if [ ! -f "$mem_dir/build.ninja" ]; then
    meson setup "$mem_dir" -Dbuildtype=debug || exit 1
  fi
  if ! ninja -C "$mem_dir" tests/unit-tests; then
    fail "memcheck build"
  else
    step "valgrind memcheck over the unit tests"
    if valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --track-fds=no --quiet \
        "$mem_dir/tests/unit-tests" --no-intro --no-version; then
      pass "unit tests under valgrind memcheck"
    else
      fail "unit tests under valgrind memcheck"
    fi
  fi
fi

echo "== sanitize.sh summary"
printf '  %s\n' "${summary[@]}"
exit $status
