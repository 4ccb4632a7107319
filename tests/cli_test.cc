#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli.h"

using namespace bindretry;

namespace {

ParseOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "bindretry");
  Options options;
  return parse_command_line(args, &options);
}

}  // namespace

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
      {{"--initial-retry-delay", "5s", "--max-retry-delay", "1s"},
       "--initial-retry-delay '5s' is longer than --max-retry-delay '1s': expected at most the "
       "maximum"},
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
