#include "cli.h"

#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <optional>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <iterator>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "conflicts.h"
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
,OPTION... after the address overrides the global options for that socket:
  backlog=N  mode=OCTAL  owner=USER[:GROUP]  device=IFACE
  reuseport[=yes|no]  ipv6only[=yes|no]  freebind[=yes|no]
  e.g. --bind 'admin=unix:/run/app/admin.sock,mode=0600,owner=app'
(so a NAME or Unix path cannot contain ',').

Every option can also be set by the environment variable BINDRETRY_<OPTION>
(BINDRETRY_MAX_BIND_RETRIES=10; BINDRETRY_BIND holds addresses separated by
spaces) or by a key in the --config file (max-bind-retries = 10,
bind = ["web=0.0.0.0:8080"]). The command line wins over the environment,
the environment over the file.

DURATION: 250ms, 1.5s, 2m (or 2min), 1m30s, 1h or a number of seconds.

Exit status: the target's after exec; 1 binding failed; 2 usage error;
126 COMMAND not executable; 127 COMMAND not found; killed by SIGTERM, SIGINT
or SIGHUP received while waiting.
With --supervise: the child's last exit status, or 128+N when it died of
signal N (or when signal N stopped bindretry while no child ran).)";

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
  // "--freebind[=always|fallback]": its value is attached, never a word of its own.
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string opts = CLI::Formatter::make_option_opts(opt);
    if (opts.rfind(" [=", 0) == 0) opts.erase(0, 1);
    return opts;
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
  std::optional<std::string> metrics_file;
  bool quiet = false;
  bool no_watch = false;
  bool reuse_port = false;
  bool ipv6_only = false;
  bool supervise = false;
  std::string restart;
  std::string restart_reset_after;
  std::string max_restarts;
  std::string stop_timeout;
  std::string socket_owner;
  std::string user;
  bool no_new_privs = false;
  std::string config;
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

// A long option written with '=' and nothing after it would make CLI11 take
// the next word as its value; stop at the first word that is not an option
// (the command).
bool check_empty_assignments(const CLI::App& app, const std::vector<std::string>& args,
                             ParseOutcome* out) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--" || word.size() < 2 || word[0] != '-') return true;
    if (word[1] != '-') {
      // -qb 8080, -b8080: flags until one that takes a value, which is the
      // rest of the word or else the next word.
      for (std::size_t c = 1; c < word.size(); ++c) {
        const CLI::Option* opt = app.get_option_no_throw(std::string("-") + word[c]);
        if (!opt) return true;  // CLI11 reports unknown options
        if (opt->get_expected_min() == 0) continue;
        if (c + 1 == word.size()) ++i;
        break;
      }
      continue;
    }
    const auto eq = word.find('=');
    const std::string name = word.substr(0, eq);
    const CLI::Option* opt = app.get_option_no_throw(name);
    if (!opt) return true;  // CLI11 reports unknown options
    if (eq != std::string::npos) {
      if (eq + 1 == word.size()) return usage_error(out, name + " '': empty value");
      continue;
    }
    if (opt->get_expected_min() > 0) ++i;  // its value is the next word
  }
  return true;
}

// An option whose own value was missing took the "--" that ends the options
// (CLI11 takes the next word whatever it is); say so before anything reads
// "--" as a path, a user or a duration.
bool check_no_stolen_separator(const CLI::App& app, ParseOutcome* out) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() == 0 || (opt->get_expected_max() == 0 && opt->get_fnames().empty())) continue;
    for (const std::string& value : opt->results()) {
      if (value == "--")
        return usage_error(out, opt->get_name() +
                                    ": missing value (it took the '--' that ends the options)");
      if (value.size() > 1 && value[0] == '-' &&
          app.get_option_no_throw(value.substr(0, value.find('='))) != nullptr)
        return usage_error(out, opt->get_name() + ": missing value (it took the option " +
                                    quote(value) + ")");
    }
  }
  return true;
}

// After the checks of each option (which say what they expect): any empty
// value they let through, from any source, is never meant.
bool check_values_present(const CLI::App& app, ParseOutcome* out) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->count() == 0 || (opt->get_expected_max() == 0 && opt->get_fnames().empty())) continue;
    for (const std::string& value : opt->results())
      if (value.empty())
        return usage_error(out, opt->get_name() + " '': empty value (expected " +
                                    opt->get_type_name() + ")");
  }
  return true;
}

// Where an option's value came from: 0 the command line, 1 the environment,
// 2 the --config file, 3 nowhere.
int source_rank(const RawOptions& raw, const std::map<std::string, std::string>& sources,
                const std::string& name) {
  if (raw.was_given("--" + name)) return 0;
  const auto it = sources.find(name);
  if (it == sources.end()) return 3;
  return it->second.rfind("environment", 0) == 0 ? 1 : 2;
}

// --quiet and --log-level say the same thing twice. From one source they
// contradict each other; from two, the stronger source wins, as for every
// other option (command line > environment > file).
bool settle_quiet(RawOptions* raw, const std::map<std::string, std::string>& sources,
                  ParseOutcome* out) {
  if (!raw->quiet) return true;
  const int quiet = source_rank(*raw, sources, "quiet");
  const int level = source_rank(*raw, sources, "log-level");
  if (level == 3) return true;
  if (level == quiet)
    return usage_error(out, "--quiet conflicts with --log-level " + quote(raw->log_level) +
                                ": expected one of them");
  if (level < quiet) raw->quiet = false;
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
  app.add_option("--socket-owner", raw.socket_owner,
                 "Owner of Unix socket files, set before they accept connections")
      ->type_name("<USER[:GROUP]>");
  app.add_option("--user", raw.user,
                 "Run COMMAND as this user (and its groups, or GROUP) once every socket is bound")
      ->type_name("<USER[:GROUP]>");
  app.add_flag("--no-new-privs", raw.no_new_privs,
               "Set PR_SET_NO_NEW_PRIVS: COMMAND and its children cannot gain privileges");
  app.add_option("--config", raw.config,
                 "Read options missing from the command line from this TOML file")
      ->type_name("<FILE>");
  app.add_option("--log-level", raw.log_level,
                 "trace, debug, info, warn, error or off [default: info]")
      ->type_name("<LEVEL>");
  app.add_flag("-q,--quiet", raw.quiet, "Log errors only (same as --log-level error)");
  app.add_option("--log-format", raw.log_format,
                 "auto (journal priorities when stderr is the journal, else text), text, journal "
                 "or json [default: auto]")
      ->type_name("<FORMAT>");
  app.add_option("--metrics-file", raw.metrics_file,
                 "Write the outcome of the wait to this file in Prometheus text format "
                 "(for node_exporter's textfile collector)")
      ->type_name("<PATH>");
}

void define_supervise_options(CLI::App& app, RawOptions& raw) {
  app.add_flag("--supervise", raw.supervise,
               "Run COMMAND as a child and keep the sockets open across its restarts; "
               "forward signals and reap orphans (a container's PID 1)");
  app.add_option("--restart", raw.restart,
                 "With --supervise: restart COMMAND on-failure, always or never "
                 "[default: on-failure]")
      ->type_name("<WHEN>");
  app.add_option("--restart-reset-after", raw.restart_reset_after,
                 "With --supervise: a run this long resets the restart delay and count "
                 "[default: 60s]")
      ->type_name("<DURATION>");
  app.add_option("--max-restarts", raw.max_restarts,
                 "With --supervise: give up after N restarts in a row, exiting with the "
                 "child's status [default: infinity]")
      ->type_name("<N>");
  app.add_option("--stop-timeout", raw.stop_timeout,
                 "With --supervise: SIGKILL the child this long after passing on SIGTERM or "
                 "SIGINT [default: 10s]")
      ->type_name("<DURATION>");
}

bool resolve_socket_owner(const std::string& text, const AccountDb& accounts, Ownership* owner,
                          std::string* err) {
  UserSpec spec;
  return parse_user_spec(text, true, &spec, err) && resolve_owner(spec, accounts, owner, err);
}

bool check_binds(const RawOptions& raw, const AccountDb& accounts, Options* options,
                 ParseOutcome* out) {
  if (raw.binds.empty()) return usage_error(out, "--bind is required (at least one address)");
  for (const std::string& text : raw.binds) {
    BindRequest request;
    std::string err;
    if (!parse_bind(text, &request, &err))
      return usage_error(out, "--bind " + quote_arg(text) + ": " + err);
    if (request.options.owner) {
      Ownership owner;
      if (!resolve_socket_owner(*request.options.owner, accounts, &owner, &err))
        return usage_error(out, "--bind " + quote_arg(text) + ": owner " +
                                    quote_arg(*request.options.owner) + ": " + err);
      request.options.owner_uid = owner.uid;
      request.options.owner_gid = owner.gid;
    }
    options->binds.push_back(std::move(request));
  }
  Conflict c;
  char cwd[4096] = "";
  if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';  // unknown: relative paths compare as written
  if (find_conflict(options->binds, options->socket, cwd, &c)) {
    const std::string later = quote_arg(raw.binds[c.later]);
    if (c.identical)
      return usage_error(out, "--bind " + later +
                                  ": the same address is given twice (it could never bind twice)");
    return usage_error(out, "--bind " + later + " overlaps --bind " +
                                quote_arg(raw.binds[c.earlier]) + " on the same port: " + c.why);
  }
  return true;
}

// A switch (a flag without a value of its own) from the environment or a
// file: "true" turns it on; "false" leaves it off, as if it were not set.
bool switch_value(const std::string& text, bool* on) {
  static const std::set<std::string> yes = {"true", "1", "yes", "on"};
  static const std::set<std::string> no = {"false", "0", "no", "off"};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  *on = yes.count(lower) != 0;
  return *on || no.count(lower) != 0;
}

bool check_retry(const RawOptions& raw, Options* options, ParseOutcome* out) {
  RetryPolicy& retry = options->retry;
  options->watch_addresses = !raw.no_watch;
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
  options->watch_addresses = !raw.no_watch;
  // From the environment or a file, a plain true/false reads as it would for
  // any other switch: bare --freebind means always.
  bool on = false;
  if (raw.freebind != "always" && raw.freebind != "fallback" && switch_value(raw.freebind, &on))
    retry.freebind = on ? FreeBindMode::Always : FreeBindMode::Off;
  else if (raw.freebind.empty()) retry.freebind = FreeBindMode::Off;
  else if (raw.freebind == "always") retry.freebind = FreeBindMode::Always;
  else if (raw.freebind == "fallback") retry.freebind = FreeBindMode::Fallback;
  else
    return usage_error(out, "--freebind " + quote_arg(raw.freebind) +
                                ": expected always or fallback (or true/false)");
  return true;
}

bool check_socket(const RawOptions& raw, const AccountDb& accounts, Options* options,
                  ParseOutcome* out) {
  SocketOptions& s = options->socket;
  if (!raw.socket_owner.empty()) {
    Ownership owner;
    std::string err;
    if (!resolve_socket_owner(raw.socket_owner, accounts, &owner, &err))
      return usage_error(out, "--socket-owner " + quote_arg(raw.socket_owner) + ": " + err);
    s.owner_uid = owner.uid;
    s.owner_gid = owner.gid;
  }
  s.reuse_port = raw.reuse_port;
  options->watch_addresses = !raw.no_watch;
  s.ipv6_only = raw.ipv6_only;
  // Given means checked, even when empty (an empty value is no default).
  auto given = [&raw](const char* name, const std::string& value) {
    return raw.was_given(name) || !value.empty();
  };
  s.backlog = SOMAXCONN;
  if (given("--backlog", raw.backlog) && !parse_backlog(raw.backlog, &s.backlog))
    return usage_error(out, "--backlog " + quote_arg(raw.backlog) +
                                ": expected a whole number from 1 to " + std::to_string(INT_MAX));
  if (given("--socket-mode", raw.socket_mode) && !parse_mode(raw.socket_mode, &s.socket_mode))
    return usage_error(out, "--socket-mode " + quote_arg(raw.socket_mode) +
                                ": expected an octal mode such as 0660 (0000-0777)");
  if (given("--bind-device", raw.bind_device) && !valid_device_name(raw.bind_device))
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
  if (raw.metrics_file && (raw.metrics_file->empty() || raw.metrics_file->back() == '/'))
    return usage_error(out, "--metrics-file " + quote_arg(*raw.metrics_file) +
                                ": expected the path of a file");
  if (raw.metrics_file) options->metrics_file = *raw.metrics_file;
  return true;
}

// The supervise options mean nothing in exec mode; a user who gives one
// without --supervise expects behaviour bindretry would not deliver.
bool check_supervise(const RawOptions& raw, Options* options, ParseOutcome* out) {
  options->supervise = raw.supervise;
  RestartPolicy& restart = options->restart;
  restart.initial_delay = options->retry.initial_delay;
  restart.max_delay = options->retry.max_delay;
  const std::pair<const char*, const std::string*> needs_supervise[] = {
      {"--restart", &raw.restart},
      {"--restart-reset-after", &raw.restart_reset_after},
      {"--max-restarts", &raw.max_restarts},
      {"--stop-timeout", &raw.stop_timeout}};
  for (const auto& [name, value] : needs_supervise)
    if (!raw.supervise && !value->empty())
      return usage_error(out, std::string(name) + " " + quote_arg(*value) + ": needs --supervise");
  if (!raw.restart.empty() && !parse_restart_mode(raw.restart, &restart.mode))
    return usage_error(out, "--restart " + quote_arg(raw.restart) +
                                ": expected on-failure, always or never");
  if (!raw.restart_reset_after.empty() &&
      !check_duration("--restart-reset-after", raw.restart_reset_after, &restart.reset_after, out))
    return false;
  if (!raw.stop_timeout.empty() &&
      !check_duration("--stop-timeout", raw.stop_timeout, &options->stop_timeout, out))
    return false;
  unsigned long long n = 0;
  if (raw.max_restarts.empty() || raw.max_restarts == "infinity") {
    restart.max_restarts.reset();
  } else if (parse_unsigned(raw.max_restarts, UINT_MAX - 1, &n)) {
    restart.max_restarts = static_cast<unsigned>(n);
  } else {
    return usage_error(out, "--max-restarts " + quote_arg(raw.max_restarts) +
                                ": expected a whole number from 0 to " +
                                std::to_string(UINT_MAX - 1) + ", or infinity");
  }
  return true;
}

bool check_user(const RawOptions& raw, const AccountDb& accounts, Options* options,
                ParseOutcome* out) {
  options->no_new_privs = raw.no_new_privs;
  if (raw.user.empty()) return true;
  UserSpec spec;
  Credentials credentials;
  std::string err;
  if (!parse_user_spec(raw.user, false, &spec, &err) ||
      !resolve_user(spec, accounts, &credentials, &err))
    return usage_error(out, "--user " + quote_arg(raw.user) + ": " + err);
  options->user_spec = raw.user;
  options->user = std::move(credentials);
  return true;
}

// The long name of every option that the environment and a config file may
// set: all but --help, --version and (for the file) --config itself.
std::string long_name(const CLI::Option* opt) {
  const auto& names = opt->get_lnames();
  return names.empty() ? std::string() : names.front();
}

std::string env_name(const std::string& name) {
  std::string env = "BINDRETRY_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

bool add_values(CLI::Option* opt, const std::vector<std::string>& values, const std::string& source,
                ParseOutcome* out) {
  // Only --bind takes a list; a repeated key or a list elsewhere would let
  // one value win silently.
  if (values.size() != 1 && opt->get_name() != "--bind")
    return usage_error(out, source + ": expected one value, got " + std::to_string(values.size()));
  if (opt->get_expected_max() == 0 && opt->get_fnames().empty()) {
    bool on = false;
    if (!switch_value(values.front(), &on))
      return usage_error(out, source + ": " + quote(values.front()) + ": expected true or false");
    if (!on) return true;
    try {
      opt->add_result("true");
      opt->run_callback();
    } catch (const CLI::ParseError& e) {
      return usage_error(out, source + ": " + e.what());
    }
    return true;
  }
  try {
    for (const std::string& v : values) opt->add_result(v);
    opt->run_callback();
  } catch (const CLI::ParseError& e) {
    return usage_error(out, source + ": " + e.what());
  }
  return true;
}

std::vector<std::string> split_spaces(const std::string& text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while ((i = text.find_first_not_of(" \t\n", i)) != std::string::npos) {
    const std::size_t end = text.find_first_of(" \t\n", i);
    words.push_back(text.substr(i, end - i));
    i = end;
  }
  return words;
}

// Options the command line left unset, from BINDRETRY_<OPTION>. `sources`
// remembers where each value came from, for messages.
bool apply_environment(CLI::App& app, const ParseContext& context,
                       std::map<std::string, std::string>* sources, ParseOutcome* out) {
  for (CLI::Option* opt : app.get_options()) {
    const std::string name = long_name(opt);
    if (name.empty() || name == "help" || name == "version" || opt->count() > 0) continue;
    const std::string env = env_name(name);
    const char* value = context.getenv ? context.getenv(env) : nullptr;
    if (!value || !*value) continue;
    const std::string source = "environment variable " + env;
    const std::vector<std::string> values =
        name == "bind" ? split_spaces(value) : std::vector<std::string>{value};
    if (!add_values(opt, values, source, out)) return false;
    (*sources)[name] = source;
  }
  return true;
}

// Options still unset, from the TOML file. Keys are long option names
// ('_' may stand for '-'); any other key is a mistake worth stopping for.
// CLI11 2.1 reads a TOML array only when it stands on one line; a bind
// list is naturally written one address per line. Join each array onto one
// line (dropping comments inside it) and strip a UTF-8 byte order mark.
std::string toml_one_line_arrays(std::string text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::string out;
  out.reserve(text.size());
  int depth = 0;
  char quote_char = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote_char) {
      out += c;
      if (c == '\\' && quote_char == '"' && i + 1 < text.size()) out += text[++i];
      else if (c == quote_char || c == '\n') quote_char = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote_char = c;
    if (c == '[') ++depth;
    if (c == ']' && depth > 0) --depth;
    if (depth > 0 && c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    out += depth > 0 && c == '\n' ? ' ' : c;
  }
  return out;
}

bool apply_config_file(CLI::App& app, const std::string& path,
                       std::map<std::string, std::string>* sources, ParseOutcome* out) {
  const std::string file = "config file " + quote_arg(path);
  struct stat st{};
  if (stat(path.c_str(), &st) != 0)
    return usage_error(out, "--config " + quote_arg(path) + ": cannot read: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return usage_error(out, "--config " + quote_arg(path) + ": not a regular file");
  std::ifstream file_stream(path);
  if (!file_stream.good())
    return usage_error(out, "--config " + quote_arg(path) + ": cannot read: " + std::strerror(errno));
  std::stringstream input(toml_one_line_arrays(std::string(
      std::istreambuf_iterator<char>(file_stream), std::istreambuf_iterator<char>())));
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(input);
  } catch (const CLI::ParseError& e) {
    return usage_error(out, file + ": " + e.what());
  }
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    std::string key = item.fullname();
    std::replace(key.begin(), key.end(), '_', '-');
    CLI::Option* opt = item.parents.empty() ? app.get_option_no_throw("--" + key) : nullptr;
    if (!opt || key == "help" || key == "version" || key == "config")
      return usage_error(out, file + ": unknown key " + quote_arg(item.fullname()));
    if (opt->count() > 0) continue;  // the command line or the environment said it
    const std::string source = file + ", key " + quote_arg(item.fullname());
    if (!add_values(opt, item.inputs, source, out)) return false;
    (*sources)[key] = source;
  }
  return true;
}

// Checks name the option ("--backlog 'x': ..."); a value that came from the
// environment or the file names that instead.
void name_source(const std::map<std::string, std::string>& sources, ParseOutcome* out) {
  for (const auto& [name, source] : sources) {
    const std::string flag = "--" + name;
    if (out->err.compare(0, flag.size() + 1, flag + " ") == 0) {
      out->err = source + ": " + name + out->err.substr(flag.size());
      return;
    }
  }
}

// CLI11's prefix mode stops at the first word it does not know and keeps the
// rest as the command, including a leading "--". A rest that starts with an
// option-like word is an unknown option, not a command.
// "--freebind fallback" ends the options at "fallback" (a flag's value needs
// '='); say so rather than complain about whatever came after it.
bool check_detached_value(const RawOptions& raw, const std::vector<std::string>& rest,
                          ParseOutcome* out) {
  if (raw.freebind == "always" && !rest.empty() &&
      (rest.front() == "always" || rest.front() == "fallback"))
    return usage_error(out, "--freebind " + quote_arg(rest.front()) +
                                ": write the value with '=', as in --freebind=" + rest.front());
  return true;
}

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

ParseContext real_parse_context() {
  static const RealAccountDb accounts;
  return ParseContext{[](const std::string& name) { return std::getenv(name.c_str()); }, &accounts};
}

ParseOutcome parse_command_line(const std::vector<std::string>& args, Options* options) {
  return parse_command_line(args, options, real_parse_context());
}

ParseOutcome parse_command_line(const std::vector<std::string>& args, Options* options,
                                const ParseContext& context) {
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
  define_supervise_options(app, raw);
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
  // What the command line alone says, before the environment and the file
  // fill in what it left out.
  if (!check_empty_assignments(app, args, &out) || !check_no_stolen_separator(app, &out) ||
      !check_once(app, &raw, &out))
    return out;
  std::map<std::string, std::string> sources;
  if (!apply_environment(app, context, &sources, &out) ||
      (!raw.config.empty() && !apply_config_file(app, raw.config, &sources, &out))) {
    name_source(sources, &out);
    return out;
  }
  if (!settle_quiet(&raw, sources, &out)) {
    name_source(sources, &out);
    return out;
  }
  static const RealAccountDb real_accounts;
  const AccountDb& accounts = context.accounts ? *context.accounts : real_accounts;
  // Socket options first: duplicate detection depends on --reuse-port.
  if (check_detached_value(raw, app.remaining(), &out) &&
      check_socket(raw, accounts, options, &out) && check_binds(raw, accounts, options, &out) &&
      check_retry(raw, options, &out) && check_logging(raw, options, &out) &&
      check_supervise(raw, options, &out) && check_user(raw, accounts, options, &out) &&
      check_values_present(app, &out) && take_command(app.remaining(), options, &out)) {
    out.run = true;
  }
  name_source(sources, &out);
  return out;
}

}  // namespace bindretry
