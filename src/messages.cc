#include "messages.h"

#include <cerrno>
#include <cstdio>

namespace bindretry {
namespace {

std::string attempts_word(unsigned n) {
  return std::to_string(n) + (n == 1 ? " attempt" : " attempts");
}

bool privileged_port(const BindRequest& r) {
  return !is_unix(r.kind) && r.port != 0 && r.port < 1024;
}

std::string event_name(RetryEvent::Kind kind) {
  switch (kind) {
    case RetryEvent::Kind::Bound: return "bound";
    case RetryEvent::Kind::AttemptFailed: return "bind_failed";
    case RetryEvent::Kind::Waiting: return "waiting";
    case RetryEvent::Kind::GaveUp: return "gave_up";
    case RetryEvent::Kind::Fatal: return "bind_fatal";
    case RetryEvent::Kind::FreeBound: return "freebind_fallback";
  }
  return "unknown";
}

std::string json_fields(const RetryEvent& e) {
  std::string f = "\"event\":" + json_string(event_name(e.kind)) +
                  ",\"address\":" + json_string(e.request->spec);
  if (!e.request->name.empty()) f += ",\"name\":" + json_string(e.request->name);
  f += ",\"attempt\":" + std::to_string(e.attempt);
  f += ",\"max_attempts\":" + (e.max_attempts ? std::to_string(*e.max_attempts) : "null");
  if (!e.local.empty()) f += ",\"local\":" + json_string(e.local);
  if (!e.error.ok()) {
    f += ",\"error\":" + json_string(e.error.message());
    f += ",\"errno\":" +
         std::to_string(e.error.source == BindError::Source::Resolver ? 0 : e.error.code);
    f += ",\"error_code\":" + json_string(e.error.symbol());
  }
  if (e.kind == RetryEvent::Kind::AttemptFailed)
    f += ",\"delay_s\":" + format_seconds(e.delay);
  if (e.kind == RetryEvent::Kind::GaveUp || e.kind == RetryEvent::Kind::FreeBound)
    f += std::string(",\"reason\":") +
         (e.reason == RetryEvent::Reason::Deadline ? "\"deadline\"" : "\"retries\"");
  f += ",\"elapsed_s\":" + format_seconds(e.elapsed);
  return f;
}

std::string give_up_text(const RetryEvent& e) {
  std::string text = "Failed to bind to " + e.request->spec + " after " +
                     attempts_word(e.attempt) + ": " + e.error.message();
  if (e.reason == RetryEvent::Reason::Deadline)
    text += " (--max-bind-time reached after " + format_seconds(e.elapsed) + "s)";
  return text;
}

}  // namespace

bool parse_level(std::string_view text, Level* out) {
  static constexpr std::pair<std::string_view, Level> kLevels[] = {
      {"trace", Level::Trace}, {"debug", Level::Debug}, {"info", Level::Info},
      {"warn", Level::Warn},   {"warning", Level::Warn}, {"error", Level::Error},
      {"off", Level::Off}};
  for (const auto& [name, level] : kLevels) {
    if (name == text) {
      *out = level;
      return true;
    }
  }
  return false;
}

LogLine describe(const RetryEvent& e) {
  const std::string& addr = e.request->spec;
  LogLine line;
  line.fields = json_fields(e);
  switch (e.kind) {
    case RetryEvent::Kind::Bound:
      if (e.attempt > 1) {
        line.level = Level::Info;
        line.text = "Successfully bound to " + addr + " on attempt " + std::to_string(e.attempt);
      } else {
        // A host name's resolution is worth a line at the default level;
        // otherwise a first-attempt success says nothing.
        line.level = e.request->host_kind == HostKind::Name && !is_unix(e.request->kind)
                         ? Level::Info
                         : Level::Debug;
        line.text = "Bound " + addr + " as " + e.local;
      }
      return line;
    case RetryEvent::Kind::AttemptFailed:
      line.level = Level::Warn;
      line.text = "Bind attempt " + std::to_string(e.attempt) + " failed for " + addr + ": " +
                  e.error.message() + ". Retrying in " + format_seconds(e.delay) + "s...";
      return line;
    case RetryEvent::Kind::Waiting:
      line.level = Level::Off;
      return line;
    case RetryEvent::Kind::GaveUp:
      line.level = Level::Error;
      line.text = give_up_text(e);
      return line;
    case RetryEvent::Kind::Fatal:
      line.level = Level::Error;
      line.text = "Failed to bind to " + addr + " on attempt " + std::to_string(e.attempt) +
                  ": " + e.error.message() + " (not retrying: " +
                  why_not_retryable(e.error, privileged_port(*e.request)) + ")";
      return line;
    case RetryEvent::Kind::FreeBound:
      line.level = Level::Warn;
      line.text = "Address " + addr + " is still missing after " + attempts_word(e.attempt) +
                  " (" + e.error.message() + "); bound it with FreeBind as " + e.local;
      return line;
  }
  return line;
}

std::string status_text(const RetryEvent& e) {
  std::string text = "Waiting to bind " + e.request->spec + ": " + e.error.message() +
                     " (attempt " + std::to_string(e.attempt);
  if (e.max_attempts) text += " of " + std::to_string(*e.max_attempts);
  return text + ", next in " + format_seconds(e.delay) + "s)";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace bindretry
