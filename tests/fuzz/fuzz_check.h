// What every harness asserts beyond "no crash": a failed parse explains
// itself in exactly one printable line, as the bad-input contract promises.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace bindretry {

/// Aborts (a finding for libFuzzer) with the reason when a condition fails.
inline void fuzz_require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "contract violated: %s\n", what);
  std::abort();
}

/// True for a non-empty message without control characters (so one line).
inline bool one_line(std::string_view message) {
  if (message.empty()) return false;
  for (char c : message)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace bindretry
