#include "duration.h"

#include <doctest/doctest.h>

using namespace bindretry;
using namespace std::chrono_literals;

TEST_CASE("durations in every accepted spelling") {
  struct Case {
    const char* text;
    Duration expected;
  };
  const Case table[] = {
      {"250ms", 250ms}, {"1.5s", 1500ms}, {"2m", 2min},       {"3", 3s},
      {"0.25", 250ms},  {"1m30s", 90s},   {"1h", 1h},         {"100us", 100us},
      {"2min", 2min},   {".5s", 500ms},   {"168h", 168h},     {"1.0001s", 1000100us},
  };
  for (const Case& c : table) {
    CAPTURE(c.text);
    Duration d{};
    std::string err;
    REQUIRE_MESSAGE(parse_duration(c.text, &d, &err), err);
    CHECK(d == c.expected);
  }
}

TEST_CASE("bad durations are rejected") {
  const char* table[] = {"",      "-1",   "-1s", "1x",   "s",    "1.5.5s", " 1s", "1 s",
                         "1e3",   "inf",  "169h", "99999999999999999999", "1s-", "0x10",
                         "10081m", "1..2"};
  for (const char* text : table) {
    CAPTURE(text);
    Duration d{};
    std::string err;
    CHECK_FALSE(parse_duration(text, &d, &err));
    CHECK_FALSE(err.empty());
  }
}

TEST_CASE("seconds are printed with up to three decimals") {
  CHECK(format_seconds(1s) == "1");
  CHECK(format_seconds(16s) == "16");
  CHECK(format_seconds(250ms) == "0.25");
  CHECK(format_seconds(100ms) == "0.1");
  CHECK(format_seconds(1500ms) == "1.5");
  CHECK(format_seconds(1234567us) == "1.235");
  CHECK(format_seconds(0s) == "0");
}


// Found by fuzzing: DEL and other control bytes were echoed raw in errors.
TEST_CASE("parse_duration errors escape control bytes") {
  Duration d{};
  std::string err;
  CHECK_FALSE(parse_duration(".4\x7fs", &d, &err));
  CHECK(err == "invalid duration '.4\\x7fs' (expected a duration such as 250ms, 1.5s, 2m or a "
               "number of seconds)");
}
