#include "backoff.h"

#include <doctest/doctest.h>

using namespace bindretry;
using namespace std::chrono_literals;

TEST_CASE("default schedule: 1, 2, 4, 8, 16, 16 seconds") {
  const Duration expected[] = {1s, 2s, 4s, 8s, 16s, 16s, 16s};
  for (unsigned k = 1; k <= 7; ++k) CHECK(backoff_delay(k, 1s, 16s) == expected[k - 1]);
}

TEST_CASE("custom schedule doubles from the initial delay up to the cap") {
  CHECK(backoff_delay(1, 100ms, 1s) == 100ms);
  CHECK(backoff_delay(2, 100ms, 1s) == 200ms);
  CHECK(backoff_delay(4, 100ms, 1s) == 800ms);
  CHECK(backoff_delay(5, 100ms, 1s) == 1s);
  CHECK(backoff_delay(3, 250ms, 10s) == 1s);
}

TEST_CASE("a cap below the initial delay wins, and huge attempts do not overflow") {
  CHECK(backoff_delay(1, 5s, 2s) == 2s);
  CHECK(backoff_delay(4'000'000'000U, 1s, 16s) == 16s);
  CHECK(backoff_delay(200, 1us, kMaxDuration) == kMaxDuration);
}
