#include <doctest/doctest.h>

#include "cli.h"

TEST_CASE("--no-watch-addresses turns the address watch off") {
  using bindretry::Options;
  for (const auto& [extra, watch] :
       {std::pair<const char*, bool>{nullptr, true}, {"--no-watch-addresses", false}}) {
    std::vector<std::string> args = {"bindretry", "--bind", "127.0.0.1:0"};
    if (extra) args.push_back(extra);
    args.insert(args.end(), {"--", "true"});
    Options options;
    REQUIRE(bindretry::parse_command_line(args, &options).run);
    CHECK(options.watch_addresses == watch);
  }
}
