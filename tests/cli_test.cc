#include "cli.h"

#include <doctest/doctest.h>

using namespace bindretry;
using namespace std::chrono_literals;

namespace {

ParseOutcome parse(std::vector<std::string> args, Options* o) {
  args.insert(args.begin(), "bindretry");
  return parse_command_line(args, o);
}

ParseOutcome parse(std::vector<std::string> args) {
  Options options;
  return parse(std::move(args), &options);
}

}  // namespace

TEST_CASE("defaults") {
  Options o;
  const ParseOutcome r = parse({"--bind", "8080", "--", "server", "--flag"}, &o);
  REQUIRE(r.run);
  CHECK(o.binds.size() == 1);
  CHECK(o.retry.max_retries == 5u);
  CHECK(o.retry.initial_delay == 1s);
  CHECK(o.retry.max_delay == 16s);
  CHECK_FALSE(o.retry.max_time);
  CHECK(o.retry.freebind == FreeBindMode::Off);
  CHECK(o.watch_addresses);
  CHECK(o.command == std::vector<std::string>{"server", "--flag"});
}

TEST_CASE("the command may follow the options without --") {
  Options o;
  REQUIRE(parse({"-b", "8080", "-b", "web=8081", "server", "-x"}, &o).run);
  CHECK(o.binds.size() == 2);
  CHECK(o.command == std::vector<std::string>{"server", "-x"});
}

TEST_CASE("a command that looks like an option needs --") {
  Options o;
  REQUIRE(parse({"-b", "8080", "--", "-weird"}, &o).run);
  CHECK(o.command == std::vector<std::string>{"-weird"});
}

TEST_CASE("every option is read") {
  Options o;
  const ParseOutcome r =
      parse({"--bind=8080", "--max-bind-retries", "10", "--initial-retry-delay", "250ms",
             "--max-retry-delay", "2s", "--max-bind-time", "1m", "--freebind=fallback",
             "--bind-device", "tailscale0", "--backlog", "16", "--reuse-port", "--ipv6-only",
             "--socket-mode", "0600", "--log-level", "debug", "--log-format", "json",
             "--no-watch-addresses", "--", "server"},
            &o);
  REQUIRE_MESSAGE(r.run, r.err);
  CHECK(o.retry.max_retries == 10u);
  CHECK(o.retry.initial_delay == 250ms);
  CHECK(o.retry.max_delay == 2s);
  CHECK(o.retry.max_time == Duration(1min));
  CHECK(o.retry.freebind == FreeBindMode::Fallback);
  CHECK(o.socket.bind_device == "tailscale0");
  CHECK(o.socket.backlog == 16);
  CHECK(o.socket.reuse_port);
  CHECK(o.socket.ipv6_only);
  CHECK(o.socket.socket_mode == 0600);
  CHECK(o.log_level == Level::Debug);
  CHECK(o.log_format == LogFormat::Json);
  CHECK_FALSE(o.watch_addresses);
}

TEST_CASE("--freebind alone means always; --quiet means errors only; infinity retries") {
  Options o;
  REQUIRE(parse({"--freebind", "-q", "--max-bind-retries", "infinity", "-b", "1", "--", "x"}, &o).run);
  CHECK(o.retry.freebind == FreeBindMode::Always);
  CHECK(o.log_level == Level::Error);
  CHECK_FALSE(o.retry.max_retries);
}

TEST_CASE("usage errors exit 2 and name the option and the value") {
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  const Case table[] = {
      {{"--", "server"}, "--bind is required"},
      {{"-b", "8080"}, "missing COMMAND"},
      {{"-b", "8080", "--"}, "missing COMMAND"},
      {{"-b", "1.2.3:80", "--", "x"}, "--bind '1.2.3:80': invalid IPv4 address '1.2.3'"},
      {{"-b", "65536", "--", "x"}, "--bind '65536'"},
      {{"-b", "8080", "--max-bind-retries", "-1", "--", "x"}, "--max-bind-retries '-1'"},
      {{"-b", "8080", "--max-bind-retries", "99999999999999999999", "--", "x"},
       "--max-bind-retries '99999999999999999999'"},
      {{"-b", "8080", "--max-bind-retries", "", "--", "x"}, "--max-bind-retries ''"},
      {{"-b", "8080", "--initial-retry-delay", "-1s", "--", "x"}, "--initial-retry-delay '-1s'"},
      {{"-b", "8080", "--initial-retry-delay", "0", "--", "x"}, "greater than zero"},
      {{"-b", "8080", "--max-retry-delay", "soon", "--", "x"}, "--max-retry-delay 'soon'"},
      {{"-b", "8080", "--max-bind-time", "1y", "--", "x"}, "--max-bind-time '1y'"},
      {{"-b", "8080", "--freebind=sometimes", "--", "x"}, "--freebind 'sometimes'"},
      {{"--freebind", "fallback", "-b", "8080", "--", "x"}, "--freebind=fallback"},
      {{"-b", "8080", "--backlog", "0", "--", "x"}, "--backlog '0'"},
      {{"-b", "8080", "--backlog", "4294967296", "--", "x"}, "--backlog '4294967296'"},
      {{"-b", "8080", "--socket-mode", "0999", "--", "x"}, "--socket-mode '0999'"},
      {{"-b", "8080", "--socket-mode", "01777", "--", "x"}, "--socket-mode '01777'"},
      {{"-b", "8080", "--log-level", "loud", "--", "x"}, "--log-level 'loud'"},
      {{"-b", "8080", "--log-format", "xml", "--", "x"}, "--log-format 'xml'"},
      {{"-b", "8080", "--bind-device", "a/b", "--", "x"}, "--bind-device 'a/b'"},
      {{"-b", "8080", "--bogus", "--", "x"}, "--bogus"},
      {{"--bogus", "-b", "8080", "--", "x"}, "--bogus"},
      {{"-b", "8080", "-b", "8080", "--", "x"}, "given twice"},
      {{"-b", "/tmp/a.sock", "-b", "unix:/tmp/a.sock", "--", "x"}, "given twice"},
      {{"-b", "8080", "--max-bind-retries", "1", "--max-bind-retries", "2", "--", "x"},
       "--max-bind-retries"},
  };
  for (const Case& c : table) {
    CAPTURE(c.expected);
    Options o;
    const ParseOutcome r = parse(c.args, &o);
    CHECK_FALSE(r.run);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find(c.expected) != std::string::npos, r.err);
    CHECK(r.err.find('\n') == std::string::npos);
  }
}

TEST_CASE("port 0 may be given twice; the same port with --reuse-port too") {
  Options o;
  CHECK(parse({"-b", "127.0.0.1:0", "-b", "127.0.0.1:0", "--", "x"}, &o).run);
  CHECK(parse({"--reuse-port", "-b", "8080", "-b", "8080", "--", "x"}, &o).run);
}

TEST_CASE("help and version print to stdout and exit 0") {
  Options o;
  ParseOutcome r = parse({"--help"}, &o);
  CHECK_FALSE(r.run);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Maximum number of bind retry attempts (0 = no retries, just 1 attempt) "
                   "[default: 5]") != std::string::npos);
  r = parse({"--version"}, &o);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("bindretry") != std::string::npos);
}

// Found by fuzzing: a value with a control byte made the usage error span
// several lines (the contract is one line).
TEST_CASE("usage errors escape control bytes in the value") {
  const ParseOutcome out = parse({"--bind", "80", "--log-level", "debug\x05", "--", "true"});
  CHECK(out.exit_code == 2);
  CHECK(out.err == "--log-level 'debug\\x05': expected trace, debug, info, warn, error or off");
  CHECK(parse({"--bind", "80\n", "--", "true"}).err == "--bind '80\\n': control character in address");
}

struct BadInputCase {
  std::vector<std::string> args;
  std::string err;
};

// Bad input the end-to-end contract test found accepted, clamped, crashing or
// explained without the value.
TEST_CASE("bad option values are usage errors naming the option and the value") {
  const BadInputCase cases[] = {
      {{"--max-bind-retries", "3", "--max-bind-retries", "4"},
       "--max-bind-retries given 2 times ('3', '4'): expected at most once"},
      {{"-q", "--quiet"}, "--quiet given 2 times: expected at most once"},
      {{"--freebind", "--freebind=fallback"},
       "--freebind given 2 times ('always', 'fallback'): expected at most once"},
      {{"--quiet=yes"}, "--quiet: expected no value, got 'yes'"},
      {{"--no-watch-addresses=maybe"}, "--no-watch-addresses: expected no value, got 'maybe'"},
      {{"--socket-mode", ""}, "--socket-mode '': expected an octal mode such as 0660 (0000-0777)"},
      {{"--backlog", ""}, "--backlog '': expected a whole number from 1 to 2147483647"},
      {{"--max-bind-time", ""},
       "--max-bind-time '': empty duration (expected a duration such as 250ms, 1.5s, 2m or a "
       "number of seconds)"},
      {{"--bind-device", ""},
       "--bind-device '': not a valid interface name (1-15 characters, no '/', ':' or spaces)"},
      {{"--bind-device", "eth\x01"},
       "--bind-device 'eth\\x01': not a valid interface name (1-15 characters, no '/', ':' or "
       "spaces)"},
      {{"--quiet", "--log-level", "debug"},
       "--quiet conflicts with --log-level 'debug': expected one of them"},
  };
  for (const BadInputCase& c : cases) {
    std::vector<std::string> args{"--bind", "80"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--", "true"});
    const ParseOutcome out = parse(args);
    CAPTURE(c.err);
    CHECK_FALSE(out.run);
    CHECK(out.exit_code == 2);
    CHECK(out.err == c.err);
  }
}

TEST_CASE("a shorter --max-retry-delay alone caps the default initial delay") {
  Options options;
  const ParseOutcome out =
      parse_command_line({"bindretry", "--bind", "80", "--max-retry-delay", "500ms", "--", "true"},
                         &options);
  CHECK(out.run);
}

// --no-watch-addresses was parsed but never reached Options.
TEST_CASE("--no-watch-addresses turns address watching off") {
  Options options;
  CHECK(parse_command_line({"bindretry", "--bind", "80", "--", "true"}, &options).run);
  CHECK(options.watch_addresses);
  CHECK(parse_command_line({"bindretry", "--bind", "80", "--no-watch-addresses", "--", "true"},
                           &options)
            .run);
  CHECK_FALSE(options.watch_addresses);
}

TEST_CASE("an empty or missing value is found behind attached short options too") {
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  const Case table[] = {
      {{"-b127.0.0.1:0", "--log-level=", "debug", "--", "true"}, "--log-level '': empty value"},
      {{"-qb", "127.0.0.1:0", "--max-bind-retries=", "3", "--", "true"},
       "--max-bind-retries '': empty value"},
      {{"--metrics-file", "--quiet", "-b", "80", "--", "true"},
       "--metrics-file: missing value (it took the option '--quiet')"},
  };
  for (const Case& c : table) {
    CAPTURE(c.expected);
    const ParseOutcome r = parse(c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == c.expected);
  }
}

TEST_CASE("an initial delay above the maximum is capped, whatever sets either") {
  Options o;
  REQUIRE(parse({"--initial-retry-delay", "5s", "--max-retry-delay", "1s", "-b", "80", "--", "x"},
                &o).run);
  CHECK(o.retry.initial_delay == 5s);
  CHECK(o.retry.max_delay == 1s);  // every delay is min(initial * 2^(k-1), max) = 1s
}
