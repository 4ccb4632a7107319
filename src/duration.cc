#include "duration.h"

#include <cstdint>

#include "quote.h"

namespace bindretry {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t micros;
};

// Longest suffix first so that "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {{"us", 1}, {"ms", 1000}, {"min", 60'000'000}, {"s", 1'000'000},
                           {"m", 60'000'000}, {"h", 3'600'000'000}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool parse_duration(std::string_view text, Duration* out, std::string* err) {
  const std::string expected =
      "expected a duration such as 250ms, 1.5s, 2m or a number of seconds";
  if (text.empty()) {
    *err = "empty duration (" + expected + ")";
    return false;
  }
  // Whole microseconds, accumulated in 128-bit-safe steps: every partial sum is
  // checked against the cap, so no input can overflow.
  const int64_t cap = kMaxDuration.count();
  int64_t total = 0;
  std::string_view s = text;
  while (!s.empty()) {
    int64_t whole = 0;
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) {
      whole = whole * 10 + (s[i] - '0');
      if (whole > cap) {
        *err = "duration " + quote(text) + " is too long (at most 168h)";
        return false;
      }
      ++i;
    }
    const std::size_t int_digits = i;
    int64_t frac = 0, frac_scale = 1;
    std::size_t frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) {
        if (frac_scale < 1'000'000'000) {  // finer than a nanosecond is noise
          frac = frac * 10 + (s[i] - '0');
          frac_scale *= 10;
        }
        ++frac_digits;
        ++i;
      }
    }
    if (int_digits == 0 && frac_digits == 0) {
      *err = "invalid duration " + quote(text) + " (" + expected + ")";
      return false;
    }
    s.remove_prefix(i);
    int64_t unit = 1'000'000;
    bool matched = false;
    for (const Unit& u : kUnits) {
      if (s.substr(0, u.suffix.size()) == u.suffix) {
        unit = u.micros;
        s.remove_prefix(u.suffix.size());
        matched = true;
        break;
      }
    }
    if (!matched && !s.empty()) {
      *err = "invalid duration " + quote(text) + " (" + expected + ")";
      return false;
    }
    if (whole > cap / unit) {
      *err = "duration " + quote(text) + " is too long (at most 168h)";
      return false;
    }
    total += whole * unit + frac * unit / frac_scale;
    if (total > cap) {
      *err = "duration " + quote(text) + " is too long (at most 168h)";
      return false;
    }
    if (!matched) break;  // a bare number ends the text
  }
  *out = Duration(total);
  return true;
}

std::string format_seconds(Duration d) {
  const int64_t ms = (d.count() + 500) / 1000;  // round to the millisecond
  std::string out = std::to_string(ms / 1000);
  if (const int64_t rest = ms % 1000; rest != 0) {
    std::string frac = std::to_string(rest);
    frac.insert(0, 3 - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out;
}

}  // namespace bindretry
