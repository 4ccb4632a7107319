#!/bin/bash
# Builds the libFuzzer harnesses (tests/fuzz, clang++, ASan+UBSan) and runs
# each for a bounded time, starting from its seed corpus. Any crash, sanitizer
# report, contract violation, timeout or out-of-memory is a finding: the
# input is kept under <builddir>/fuzz-findings/ and the script fails. Turn
# each finding into a unit test in tests/*_test.cc before fixing it.
#
# Needs (Debian): clang, libclang-rt-14-dev (libFuzzer and the sanitizer
# runtimes), meson, ninja-build, and the project's build dependencies.
# Env: FUZZ_SECONDS per harness (default 60), FUZZ_HARNESSES (space-separated
# names such as "address cli"; default all), FUZZ_BUILD_DIR (default
# build-fuzz).
set -u
cd "$(dirname "$0")/.."

dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
status=0
summary=()

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ is not installed (Debian packages clang, libclang-rt-14-dev)"
  exit 1
fi
echo "== fuzz.sh: configuring $dir (-Dfuzzing=true, clang++)"
if [ ! -f "$dir/build.ninja" ]; then
  CXX=clang++ meson setup "$dir" -Dfuzzing=true -Dbuildtype=debugoptimized -Dlink_mode=shared || exit 1
fi

harnesses=${FUZZ_HARNESSES:-$(cd tests/fuzz && ls fuzz_*.cc | sed 's/^fuzz_//; s/\.cc$//; s/_/-/g')}
targets=()
for h in $harnesses; do targets+=("tests/fuzz/fuzz-$h"); done
ninja -C "$dir" "${targets[@]}" || { echo "fuzz.sh: build failed"; exit 1; }

findings=$(realpath "$dir")/fuzz-findings
mkdir -p "$findings"
for h in $harnesses; do
  seeds=tests/fuzz/corpus/$h
  # New inputs go to a scratch corpus, never into the seeds in the tree.
  work=$(realpath "$dir")/fuzz-corpus/$h
  mkdir -p "$work"
  [ -d "$seeds" ] || seeds=
  echo "== fuzz.sh: fuzz-$h for ${seconds}s"
  log=$findings/$h.log
  rm -f "$findings/$h"-*
  if "$dir/tests/fuzz/fuzz-$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$findings/$h-" "$work" $seeds >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    summary+=("ok:   $h (${runs:-?} runs in ${seconds}s, corpus $(ls "$work" | wc -l) inputs)")
  else
    status=1
    tail -n 60 "$log"
    for a in "$findings/$h"-*; do
      [ -f "$a" ] || continue
      echo "--- finding $a:"
      od -An -c "$a" | head -n 20
    done
    summary+=("FAIL: $h: finding(s) in $findings (reproduce: $dir/tests/fuzz/fuzz-$h FILE)")
  fi
done

echo "== fuzz.sh summary"
printf '  %s\n' "${summary[@]}"
exit $status
