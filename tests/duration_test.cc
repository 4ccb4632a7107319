#include <doctest/doctest.h>

#include <string>

#include "duration.h"

using namespace bindretry;

// Found by fuzzing: DEL and other control bytes were echoed raw in errors.
TEST_CASE("parse_duration errors escape control bytes") {
  Duration d{};
  std::string err;
  CHECK_FALSE(parse_duration(".4\x7fs", &d, &err));
  CHECK(err == "invalid duration '.4\\x7fs' (expected a duration such as 250ms, 1.5s, 2m or a "
               "number of seconds)");
}
