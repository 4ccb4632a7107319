#include "cli.h"

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <algorithm>
#include <climits>
#include <set>
#include <sys/socket.h>

#include "duration.h"
#include "quote.h"

#ifndef BINDRETRY_VERSION
#define BINDRETRY_VERSION "unknown"
#endif

namespace bindretry {
namespace {

constexpr const char* kFooter = R"(ADDRESS forms:
  PORT                      TCP on every address ([::]:PORT dual-stack, or 0.0.0.0:PORT)
  IPV4:PORT                 TCP on that IPv4 address
  [IPV6]:PORT               TCP on that IPv6 address ([IPV6%IFACE]:PORT for link-local)
  HOST:PORT                 TCP on the first address HOST resolves to (on every attempt)
  tcp:ADDR, udp:ADDR        explicit protocol for any of the forms above
  /PATH, ./PATH, unix:PATH  Unix stream socket file
  @NAME, unix:@NAME         Unix stream socket in the abstract namespace
  unix-dgram:PATH, unix-seqpacket:PATH   other Unix socket types
NAME= in front names the socket in LISTEN_FDNAMES.

DURATION: 250ms, 1.5s, 2m, 1m30s or a number of seconds.

Exit status: the target's after exec; 1 binding failed; 2 usage error;
126 COMMAND not executable; 127 COMMAND not found; killed by SIGTERM, SIGINT
or SIGHUP received while waiting.)";

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter() { column_width(36); }
  // CLI11 shows a flag's default value as "--freebind{always}"; the
  // documented spelling is "--freebind[=always|fallback]".
  std::string make_option_name(const CLI::Option* opt, bool positional) const override {
    std::string name = CLI::Formatter::make_option_name(opt, positional);
    if (const auto brace = name.find('{'); brace != std::string::npos)
      name.erase(brace, name.find('}', brace) - brace + 1);
    return name;
  }
  std::string make_usage(const CLI::App*, std::string) const override {
    return "Usage: bindretry [OPTIONS] --bind [NAME=]ADDRESS [--bind ...] -- COMMAND [ARG...]\n";
  }
};

std::string quote_arg(const std::string& s) { return quote(s); }

bool usage_error(ParseOutcome* out, const std::string& message) {
  out->run = false;
  out->exit_code = 2;
  out->err = message;
  return false;
}

bool parse_unsigned(const std::string& text, unsigned long long max, unsigned long long* value) {
  if (text.empty() || text.size() > 20) return false;
  unsigned long long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    if (v > (max - static_cast<unsigned>(c - '0')) / 10) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *value = v;
  return true;
}

bool check_duration(const std::string& option, const std::string& text, Duration* out,
                    ParseOutcome* outcome) {
  std::string err;
  if (!parse_duration(text, out, &err))
    return usage_error(outcome, option + " " + quote_arg(text) + ": " + err);
  if (out->count() == 0)
    return usage_error(outcome, option + " " + quote_arg(text) + ": must be greater than zero");
  return true;
}

// Two requests that could never both bind (same address and port, or the
// same path) unless SO_REUSEPORT is asked for. Port 0 always gets a fresh port.
std::string bind_key(const BindRequest& r) {
  if (is_unix(r.kind)) return (r.abstract ? "@" : "") + r.path;
  if (r.port == 0) return {};
  const bool udp = r.kind == SocketKind::UdpDatagram;
  return std::string(udp ? "udp " : "tcp ") + r.host + "%" + r.scope + " " + std::to_string(r.port);
}

// The raw strings CLI11 collects; every one is validated by hand afterwards
// (CLI11 clamps overflowing integers and accepts negative numbers).
struct RawOptions {
  std::vector<std::string> binds;
  std::string max_retries = "5";
  std::string initial_delay = "1s";
  std::string max_delay = "16s";
  std::string max_time;
  std::string backlog;
  std::string freebind;
  std::string bind_device;
  std::string socket_mode;
  std::string log_level = "info";
  std::string log_format = "auto";
  bool quiet = false;
  bool no_watch = false;
  bool reuse_port = false;
  bool ipv6_only = false;
  std::set<std::string> given;  ///< long names of the options on the command line
  bool was_given(const std::string& name) const { return given.count(name) != 0; }
};

// CLI11 would throw "At Most 1 required but received 2" (without the values)
// for a repeated option and silently convert "--quiet=no"; keep every value
// instead, so check_once() can name them.
void prepare_options(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_name() == "--bind" || opt->get_name() == "--help" || opt->get_name() == "--version")
      continue;
    opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    if (opt->get_expected_max() == 0 && opt->get_fnames().empty())
      opt->check(CLI::Validator(
          [](std::string& value) {
            return value == "true" ? std::string() : "expected no value, got " + quote(value);
          },
          ""));
  }
}

// Every option but --bind is given at most once: a second value is a typo or
// two configurations merged by mistake, and neither should win silently.
bool check_once(const CLI::App& app, RawOptions* raw, ParseOutcome* out) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() == 0) continue;
    raw->given.insert(opt->get_name());
    if (opt->count() == 1 || opt->get_name() == "--bind") continue;
    std::string values;
    if (opt->get_expected_max() != 0 || !opt->get_fnames().empty())
      for (const std::string& v : opt->results()) values += (values.empty() ? " (" : ", ") + quote(v);
    if (!values.empty()) values += ")";
    return usage_error(out, opt->get_name() + " given " + std::to_string(opt->count()) + " times" +
                                values + ": expected at most once");
  }
  return true;
}

// Options that each make sense alone but contradict each other.
bool check_conflicts(const RawOptions& raw, const Options& options, ParseOutcome* out) {
  if (raw.quiet && raw.was_given("--log-level"))
    return usage_error(out, "--quiet conflicts with --log-level " + quote(raw.log_level) +
                                ": expected one of them");
  if (raw.was_given("--initial-retry-delay") && raw.was_given("--max-retry-delay") &&
      options.retry.initial_delay > options.retry.max_delay)
    return usage_error(out, "--initial-retry-delay " + quote(raw.initial_delay) +
                                " is longer than --max-retry-delay " + quote(raw.max_delay) +
                                ": expected at most the maximum");
  return true;
}

void define_options(CLI::App& app, RawOptions& raw) {
  app.add_option("-b,--bind", raw.binds,
                 "Address to bind, [NAME=]ADDRESS (repeatable; see ADDRESS forms below)")
      ->type_name("[NAME=]ADDRESS")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  app.add_option("--max-bind-retries", raw.max_retries,
                 "Maximum number of bind retry attempts (0 = no retries, just 1 attempt) "
                 "[default: 5]")
      ->type_name("<N>");
  app.add_option("--initial-retry-delay", raw.initial_delay,
                 "Delay after the first failed attempt, doubled after each [default: 1s]")
      ->type_name("<DURATION>");
  app.add_option("--max-retry-delay", raw.max_delay, "Longest delay between attempts [default: 16s]")
      ->type_name("<DURATION>");
  app.add_option("--max-bind-time", raw.max_time,
                 "Give up when this much time has passed since the first attempt [default: none]")
      ->type_name("<DURATION>");
  app.add_flag("--no-watch-addresses", raw.no_watch,
               "Do not retry early when the kernel reports a new address or link; keep to the schedule");
  app.add_flag("--freebind{always}", raw.freebind,
               "always: bind before the address exists (IP_FREEBIND); fallback: only after the "
               "last strict attempt failed [default: off]")
      ->type_name("[=always|fallback]");
  app.add_option("--bind-device", raw.bind_device,
                 "Bind every socket to this network interface (SO_BINDTODEVICE)")
      ->type_name("<IFACE>");
  app.add_option("--backlog", raw.backlog,
                 "listen() backlog of stream sockets [default: " + std::to_string(SOMAXCONN) + "]")
      ->type_name("<N>");
  app.add_flag("--reuse-port", raw.reuse_port, "Set SO_REUSEPORT on Internet sockets");
  app.add_flag("--ipv6-only", raw.ipv6_only,
               "IPv6 sockets accept IPv6 only (default: [::] is dual-stack)");
  app.add_option("--socket-mode", raw.socket_mode,
                 "Permissions of Unix socket files, octal [default: 0666]")
      ->type_name("<MODE>");
  app.add_option("--log-level", raw.log_level,
                 "trace, debug, info, warn, error or off [default: info]")
      ->type_name("<LEVEL>");
  app.add_flag("-q,--quiet", raw.quiet, "Log errors only (same as --log-level error)");
  app.add_option("--log-format", raw.log_format,
                 "auto (journal priorities when stderr is the journal, else text), text, journal "
                 "or json [default: auto]")
      ->type_name("<FORMAT>");
}

bool check_binds(const RawOptions& raw, Options* options, ParseOutcome* out) {
  if (raw.binds.empty()) return usage_error(out, "--bind is required (at least one address)");
  std::set<std::string> seen;
  for (const std::string& text : raw.binds) {
    BindRequest request;
    std::string err;
    if (!parse_bind(text, &request, &err))
      return usage_error(out, "--bind " + quote_arg(text) + ": " + err);
    const std::string key = bind_key(request);
    if (!key.empty() && !(options->socket.reuse_port && !is_unix(request.kind)) &&
        !seen.insert(key).second)
      return usage_error(out, "--bind " + quote_arg(text) +
                                  ": the same address is given twice (it could never bind twice)");
    options->binds.push_back(std::move(request));
  }
  return true;
}

bool check_retry(const RawOptions& raw, Options* options, ParseOutcome* out) {
  RetryPolicy& retry = options->retry;
  unsigned long long n = 0;
  if (raw.max_retries == "infinity") {
    retry.max_retries.reset();
  } else if (parse_unsigned(raw.max_retries, UINT_MAX - 1, &n)) {
    retry.max_retries = static_cast<unsigned>(n);
  } else {
    return usage_error(out, "--max-bind-retries " + quote_arg(raw.max_retries) +
                                ": expected a whole number from 0 to " +
                                std::to_string(UINT_MAX - 1) + ", or infinity");
  }
  if (!check_duration("--initial-retry-delay", raw.initial_delay, &retry.initial_delay, out) ||
      !check_duration("--max-retry-delay", raw.max_delay, &retry.max_delay, out))
    return false;
  if (raw.was_given("--max-bind-time")) {
    Duration d{};
    if (!check_duration("--max-bind-time", raw.max_time, &d, out)) return false;
    retry.max_time = d;
  }
  if (raw.freebind.empty()) retry.freebind = FreeBindMode::Off;
  else if (raw.freebind == "always") retry.freebind = FreeBindMode::Always;
  else if (raw.freebind == "fallback") retry.freebind = FreeBindMode::Fallback;
  else
    return usage_error(out, "--freebind " + quote_arg(raw.freebind) + ": expected always or fallback");
  return true;
}

bool check_socket(const RawOptions& raw, Options* options, ParseOutcome* out) {
  SocketOptions& s = options->socket;
  s.reuse_port = raw.reuse_port;
  options->watch_addresses = !raw.no_watch;
  s.ipv6_only = raw.ipv6_only;
  unsigned long long n = 0;
  if (raw.was_given("--backlog")) {
    if (!parse_unsigned(raw.backlog, INT_MAX, &n) || n == 0)
      return usage_error(out, "--backlog " + quote_arg(raw.backlog) +
                                  ": expected a whole number from 1 to " + std::to_string(INT_MAX));
    s.backlog = static_cast<int>(n);
  } else {
    s.backlog = SOMAXCONN;
  }
  if (raw.was_given("--socket-mode")) {
    const bool octal = !raw.socket_mode.empty() && raw.socket_mode.size() <= 4 &&
                       raw.socket_mode.find_first_not_of("01234567") == std::string::npos;
    if (!octal)
      return usage_error(out, "--socket-mode " + quote_arg(raw.socket_mode) +
                                  ": expected an octal mode such as 0660 (0000-0777)");
    const unsigned long mode = std::stoul(raw.socket_mode, nullptr, 8);
    if (mode > 0777)
      return usage_error(out, "--socket-mode " + quote_arg(raw.socket_mode) +
                                  ": expected an octal mode such as 0660 (0000-0777)");
    s.socket_mode = static_cast<mode_t>(mode);
  }
  const bool bad_device =
      raw.bind_device.size() > 15 || raw.bind_device == "." || raw.bind_device == ".." ||
      (raw.was_given("--bind-device") && raw.bind_device.empty()) ||
      std::any_of(raw.bind_device.begin(), raw.bind_device.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return c == '/' || c == ':' || u <= ' ' || u >= 0x7f;
      });
  if (bad_device)
    return usage_error(out, "--bind-device " + quote_arg(raw.bind_device) +
                                ": not a valid interface name (1-15 characters, no '/', ':' or spaces)");
  s.bind_device = raw.bind_device;
  return true;
}

bool check_logging(const RawOptions& raw, Options* options, ParseOutcome* out) {
  if (!parse_level(raw.log_level, &options->log_level))
    return usage_error(out, "--log-level " + quote_arg(raw.log_level) +
                                ": expected trace, debug, info, warn, error or off");
  if (raw.quiet) options->log_level = Level::Error;
  if (!parse_log_format(raw.log_format, &options->log_format))
    return usage_error(out, "--log-format " + quote_arg(raw.log_format) +
                                ": expected auto, text, journal or json");
  return true;
}

// CLI11's prefix mode stops at the first word it does not know and keeps the
// rest as the command, including a leading "--". A rest that starts with an
// option-like word is an unknown option, not a command.
bool take_command(std::vector<std::string> rest, Options* options, ParseOutcome* out) {
  if (!rest.empty() && rest.front() == "--") {
    rest.erase(rest.begin());
  } else if (!rest.empty() && rest.front().size() > 1 && rest.front()[0] == '-') {
    return usage_error(out, "unknown option " + quote_arg(rest.front()) + " (see --help)");
  }
  if (rest.empty()) return usage_error(out, "missing COMMAND (usage: bindretry [OPTIONS] --bind ADDRESS -- COMMAND [ARG...])");
  options->command = std::move(rest);
  return true;
}

}  // namespace

ParseOutcome parse_command_line(const std::vector<std::string>& args, Options* options) {
  *options = Options{};
  ParseOutcome out;
  CLI::App app("Bind every ADDRESS, retrying with exponential backoff while it is not "
               "available yet,\nthen exec COMMAND with the sockets passed as in systemd "
               "socket activation.",
               "bindretry");
  app.prefix_command();
  app.set_version_flag("-V,--version", "bindretry " BINDRETRY_VERSION);
  app.footer(kFooter);
  app.formatter(std::make_shared<HelpFormatter>());
  RawOptions raw;
  define_options(app, raw);
  prepare_options(app);

  std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out.out = app.help();
    return out;
  } catch (const CLI::CallForVersion&) {
    out.out = "bindretry " BINDRETRY_VERSION "\n";
    return out;
  } catch (const CLI::ParseError& e) {
    usage_error(&out, e.what());
    return out;
  }
  // Socket options first: duplicate detection depends on --reuse-port.
  if (check_once(app, &raw, &out) && check_socket(raw, options, &out) &&
      check_binds(raw, options, &out) && check_retry(raw, options, &out) &&
      check_logging(raw, options, &out) && check_conflicts(raw, *options, &out) &&
      take_command(app.remaining(), options, &out)) {
    out.run = true;
  }
  return out;
}

}  // namespace bindretry
