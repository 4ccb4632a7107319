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
