// Durations on the command line ("250ms", "1.5s", "2m", "1m30s", "3") and in messages.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace bindretry {

using Duration = std::chrono::microseconds;

/// The longest duration accepted anywhere: a week, far beyond any sensible
/// wait and far from overflowing a steady_clock time point.
constexpr Duration kMaxDuration = std::chrono::hours(24 * 7);

/// Parses a duration: one or more NUMBER[UNIT] parts (units us, ms, s, m, h;
/// a bare number is seconds; decimals allowed). Rejects negative, empty,
/// overflowing and over-long values. On failure *err says what is expected.
bool parse_duration(std::string_view text, Duration* out, std::string* err);

/// Seconds with up to 3 decimals and trailing zeros dropped: "1", "0.25", "16".
std::string format_seconds(Duration d);

}  // namespace bindretry
