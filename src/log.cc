#include "log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace bindretry {
namespace {

Level g_level = Level::Info;
LogFormat g_format = LogFormat::Text;

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::Trace: return spdlog::level::trace;
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warn: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
    case Level::Off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

// syslog priorities, as journald reads them from a "<N>" line prefix.
int syslog_priority(Level level) {
  switch (level) {
    case Level::Error: return 3;
    case Level::Warn: return 4;
    case Level::Info: return 6;
    default: return 7;
  }
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Trace: return "trace";
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warning";
    case Level::Error: return "error";
    case Level::Off: return "off";
  }
  return "info";
}

std::string utc_timestamp() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm parts{};
  gmtime_r(&ts.tv_sec, &parts);
  char buf[40];
  const std::size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", ts.tv_nsec / 1'000'000);
  return buf;
}

// Built on the first message, so a launch that logs nothing pays nothing.
spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
    auto made = std::make_shared<spdlog::logger>("bindretry", std::move(sink));
    made->set_pattern(g_format == LogFormat::Text ? "%n: %l: %v" : "%v");
    made->set_level(spdlog::level::trace);  // the threshold is checked before formatting
    made->flush_on(spdlog::level::trace);
    return made;
  }();
  return *instance;
}

}  // namespace

bool parse_log_format(std::string_view text, LogFormat* out) {
  if (text == "auto") *out = LogFormat::Auto;
  else if (text == "text") *out = LogFormat::Text;
  else if (text == "journal") *out = LogFormat::Journal;
  else if (text == "json") *out = LogFormat::Json;
  else return false;
  return true;
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  char tail = 0;
  if (std::sscanf(stream, "%llu:%llu%c", &dev, &ino, &tail) != 2) return false;
  struct stat st{};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

void log_init(Level level, LogFormat format) {
  g_level = level;
  if (format == LogFormat::Auto) format = stderr_is_journal() ? LogFormat::Journal : LogFormat::Text;
  g_format = format;
}

bool log_enabled(Level level) { return level != Level::Off && level >= g_level; }

void log_line(const LogLine& line) {
  if (!log_enabled(line.level)) return;
  std::string out;
  switch (g_format) {
    case LogFormat::Journal:
      out = "<" + std::to_string(syslog_priority(line.level)) + ">" + line.text;
      break;
    case LogFormat::Json:
      out = "{\"ts\":\"" + utc_timestamp() + "\",\"level\":\"" + level_name(line.level) +
            "\"," + line.fields + ",\"msg\":" + json_string(line.text) + "}";
      break;
    case LogFormat::Auto:
    case LogFormat::Text:
      out = line.text;
      break;
  }
  logger().log(to_spdlog(line.level), "{}", out);
}

void log_message(Level level, std::string_view text, std::string_view event) {
  if (!log_enabled(level)) return;
  log_line({level, std::string(text), "\"event\":" + json_string(event)});
}

}  // namespace bindretry
