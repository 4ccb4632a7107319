// Logging to stderr (stdout belongs to the target): plain text, journald
// priority prefixes, or one JSON object per line.
#pragma once

#include <string_view>

#include "messages.h"

namespace bindretry {

enum class LogFormat { Auto, Text, Journal, Json };

/// Parses auto|text|journal|json.
bool parse_log_format(std::string_view text, LogFormat* out);

/// True when $JOURNAL_STREAM names the device and inode of stderr.
bool stderr_is_journal();

/// Sets the threshold and format. Auto becomes Journal when stderr is the
/// journal, Text otherwise. Nothing is allocated until the first message.
void log_init(Level level, LogFormat format);

/// True when a message at `level` would be written.
bool log_enabled(Level level);

/// Writes one line; line.fields (JSON members, starting with "event") are used
/// by the JSON format only.
void log_line(const LogLine& line);

/// Writes one line with no fields but an event name, e.g. "exec" or "usage".
void log_message(Level level, std::string_view text, std::string_view event = "message");

}  // namespace bindretry
