#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli.h"

using namespace bindretry;
using namespace std::chrono_literals;

namespace {

ParseOutcome parse(std::vector<std::string> middle, Options* options) {
  std::vector<std::string> args = {"bindretry"};
  args.insert(args.end(), middle.begin(), middle.end());
  for (const char* s : {"--bind", "8080", "--", "server"}) args.push_back(s);
  return parse_command_line(args, options);
}

}  // namespace

TEST_CASE("supervise options: defaults") {
  Options o;
  REQUIRE(parse({"--supervise"}, &o).run);
  CHECK(o.supervise);
  CHECK(o.restart.mode == RestartMode::OnFailure);
  CHECK(o.restart.reset_after == 60s);
  CHECK_FALSE(o.restart.max_restarts.has_value());
  CHECK(o.stop_timeout == 10s);
  CHECK(o.restart.initial_delay == 1s);
  CHECK(o.restart.max_delay == 16s);
  REQUIRE(parse({}, &o).run);
  CHECK_FALSE(o.supervise);
}

TEST_CASE("supervise options: values") {
  Options o;
  REQUIRE(parse({"--supervise", "--restart", "always", "--restart-reset-after", "2m",
                 "--max-restarts", "7", "--stop-timeout", "1.5s", "--initial-retry-delay",
                 "10ms", "--max-retry-delay", "2s"},
                &o)
              .run);
  CHECK(o.restart.mode == RestartMode::Always);
  CHECK(o.restart.reset_after == 120s);
  CHECK(o.restart.max_restarts == 7u);
  CHECK(o.stop_timeout == 1500ms);
  CHECK(o.restart.initial_delay == 10ms);
  CHECK(o.restart.max_delay == 2s);
  REQUIRE(parse({"--supervise", "--max-restarts", "infinity", "--restart=never"}, &o).run);
  CHECK_FALSE(o.restart.max_restarts.has_value());
  CHECK(o.restart.mode == RestartMode::Never);
}

TEST_CASE("supervise options: usage errors name the option and the value") {
  struct Row {
    std::vector<std::string> args;
    std::string err;
  };
  const Row rows[] = {
      {{"--restart", "always"}, "--restart 'always': needs --supervise"},
      {{"--stop-timeout", "5s"}, "--stop-timeout '5s': needs --supervise"},
      {{"--max-restarts", "3"}, "--max-restarts '3': needs --supervise"},
      {{"--restart-reset-after", "5s"}, "--restart-reset-after '5s': needs --supervise"},
      {{"--supervise", "--restart", "sometimes"},
       "--restart 'sometimes': expected on-failure, always or never"},
      {{"--supervise", "--max-restarts", "-1"}, "--max-restarts '-1': expected a whole number"},
      {{"--supervise", "--max-restarts", "99999999999999999999"},
       "--max-restarts '99999999999999999999': expected a whole number"},
      {{"--supervise", "--stop-timeout", "0"}, "--stop-timeout '0': must be greater than zero"},
      {{"--supervise", "--restart-reset-after", "soon"}, "--restart-reset-after 'soon': "},
  };
  for (const Row& row : rows) {
    Options o;
    const ParseOutcome out = parse(row.args, &o);
    CHECK_FALSE(out.run);
    CHECK(out.exit_code == 2);
    CHECK_MESSAGE(out.err.rfind(row.err, 0) == 0, out.err);
  }
}
