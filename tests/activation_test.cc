#include "activation.h"

#include <doctest/doctest.h>

using namespace bindretry;

TEST_CASE("an inherited set is ours only when LISTEN_PID is our pid") {
  const InheritedSockets ours = parse_inherited("42", "2", "a:b", 42);
  CHECK(ours.count == 2);
  CHECK(ours.names == std::vector<std::string>{"a", "b"});
  CHECK(parse_inherited("43", "2", "a:b", 42).count == 0);
  CHECK(parse_inherited(nullptr, "2", "a:b", 42).count == 0);
  CHECK(parse_inherited("42", nullptr, nullptr, 42).count == 0);
}

TEST_CASE("malformed inherited variables are ignored") {
  const char* bad_counts[] = {"", "0", "-1", "1x", " 1", "99999999999999999999999", "2147483647"};
  for (const char* count : bad_counts) {
    CAPTURE(count);
    CHECK(parse_inherited("42", count, nullptr, 42).count == 0);
  }
  CHECK(parse_inherited("+42", "1", nullptr, 42).count == 0);
}

TEST_CASE("names fall back to unknown when the count does not match") {
  CHECK(parse_inherited("7", "2", "only-one", 7).names ==
        std::vector<std::string>{"unknown", "unknown"});
  CHECK(parse_inherited("7", "1", nullptr, 7).names == std::vector<std::string>{"unknown"});
}

TEST_CASE("LISTEN_FDNAMES has one entry per socket, inherited first") {
  std::vector<BindRequest> requests(3);
  requests[0].name = "web";
  requests[2].name = "admin";
  InheritedSockets inherited;
  CHECK(listen_fdnames(inherited, requests) == "web:unknown:admin");
  inherited.count = 1;
  inherited.names = {"outer"};
  CHECK(listen_fdnames(inherited, requests) == "outer:web:unknown:admin");
}

TEST_CASE("LISTEN_PIDFDID: absent or matching keeps the set, anything else drops it") {
  CHECK(pidfd_id_matches(nullptr, 77u));
  CHECK(pidfd_id_matches("77", 77u));
  CHECK_FALSE(pidfd_id_matches("78", 77u));
  CHECK_FALSE(pidfd_id_matches("x", 77u));
  CHECK_FALSE(pidfd_id_matches("", 77u));
  CHECK(pidfd_id_matches("78", std::nullopt));  // cannot tell: the pid check decides
}
