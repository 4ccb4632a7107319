// The words bindretry says about each retry event, for people (text), for
// journald (the same text with a priority) and for log pipelines (JSON fields).
// Pure: tested for the exact wording users grep for.
#pragma once

#include <string>
#include <string_view>

#include "retry.h"

namespace bindretry {

enum class Level { Trace, Debug, Info, Warn, Error, Off };

/// Parses trace|debug|info|warn|warning|error|off.
bool parse_level(std::string_view text, Level* out);

/// One line to log: its level, its text, and its JSON fields (without braces,
/// timestamp or level), e.g. "\"event\":\"bound\",\"address\":\"…\"".
struct LogLine {
  Level level = Level::Info;
  std::string text;
  std::string fields;
};

/// What to log for a retry event; level Off means nothing.
LogLine describe(const RetryEvent& event);

/// The sd_notify STATUS= text for a wait, e.g.
/// "Waiting to bind 100.64.1.2:8080: … (attempt 2 of 6, next in 4s)".
std::string status_text(const RetryEvent& event);

/// A JSON string literal (with quotes) for any bytes.
std::string json_string(std::string_view s);

}  // namespace bindretry
