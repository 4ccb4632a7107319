#include "messages.h"

#include <doctest/doctest.h>

#include <cerrno>

using namespace bindretry;
using namespace std::chrono_literals;

namespace {

RetryEvent make(RetryEvent::Kind kind, const BindRequest& r, unsigned attempt) {
  RetryEvent e;
  e.kind = kind;
  e.request = &r;
  e.attempt = attempt;
  e.max_attempts = 6;
  e.error = BindError::from_errno(EADDRNOTAVAIL);
  return e;
}

BindRequest request(const char* text) {
  BindRequest r;
  std::string err;
  REQUIRE(parse_bind(text, &r, &err));
  return r;
}

}  // namespace

TEST_CASE("the exact wording of the retry lines") {
  const BindRequest r = request("100.64.1.2:8080");
  RetryEvent failed = make(RetryEvent::Kind::AttemptFailed, r, 2);
  failed.delay = 2s;
  CHECK(describe(failed).text ==
        "Bind attempt 2 failed for 100.64.1.2:8080: Cannot assign requested address. "
        "Retrying in 2s...");
  CHECK(describe(failed).level == Level::Warn);
  failed.delay = 250ms;
  CHECK(describe(failed).text.ends_with("Retrying in 0.25s..."));

  RetryEvent bound = make(RetryEvent::Kind::Bound, r, 3);
  bound.error = {};
  CHECK(describe(bound).text == "Successfully bound to 100.64.1.2:8080 on attempt 3");
  CHECK(describe(bound).level == Level::Info);

  RetryEvent gave_up = make(RetryEvent::Kind::GaveUp, r, 6);
  CHECK(describe(gave_up).text ==
        "Failed to bind to 100.64.1.2:8080 after 6 attempts: Cannot assign requested address");
  CHECK(describe(gave_up).level == Level::Error);
  gave_up.attempt = 1;
  CHECK(describe(gave_up).text ==
        "Failed to bind to 100.64.1.2:8080 after 1 attempt: Cannot assign requested address");
}

TEST_CASE("a first-attempt success is silent at the default level") {
  const BindRequest r = request("127.0.0.1:0");
  RetryEvent bound = make(RetryEvent::Kind::Bound, r, 1);
  CHECK(describe(bound).level == Level::Debug);
}

TEST_CASE("the deadline is named when it ended the wait") {
  const BindRequest r = request("100.64.1.2:8080");
  RetryEvent e = make(RetryEvent::Kind::GaveUp, r, 3);
  e.reason = RetryEvent::Reason::Deadline;
  e.elapsed = 1500ms;
  CHECK(describe(e).text.find("--max-bind-time reached after 1.5s") != std::string::npos);
}

TEST_CASE("an unfixable error says why retrying would not help") {
  const BindRequest r = request("127.0.0.1:80");
  RetryEvent e = make(RetryEvent::Kind::Fatal, r, 1);
  e.error = BindError::from_errno(EACCES);
  const std::string text = describe(e).text;
  CHECK(text.find("Permission denied") != std::string::npos);
  CHECK(text.find("not retrying") != std::string::npos);
  CHECK(text.find("CAP_NET_BIND_SERVICE") != std::string::npos);
}

TEST_CASE("status line for systemd") {
  const BindRequest r = request("100.64.1.2:8080");
  RetryEvent e = make(RetryEvent::Kind::Waiting, r, 2);
  e.delay = 4s;
  CHECK(status_text(e) ==
        "Waiting to bind 100.64.1.2:8080: Cannot assign requested address (attempt 2 of 6, next in 4s)");
  e.max_attempts.reset();
  CHECK(status_text(e).ends_with("(attempt 2, next in 4s)"));
}

TEST_CASE("JSON fields carry the stable names") {
  const BindRequest r = request("100.64.1.2:8080");
  RetryEvent e = make(RetryEvent::Kind::AttemptFailed, r, 2);
  e.delay = 2s;
  const std::string f = describe(e).fields;
  for (const char* key : {"\"event\":\"bind_failed\"", "\"address\":\"100.64.1.2:8080\"",
                          "\"attempt\":2", "\"max_attempts\":6", "\"errno\":99",
                          "\"error_code\":\"EADDRNOTAVAIL\"", "\"delay_s\":2"}) {
    CAPTURE(key);
    CHECK(f.find(key) != std::string::npos);
  }
}

TEST_CASE("JSON strings escape quotes, backslashes and control characters") {
  CHECK(json_string("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST_CASE("log levels parse") {
  Level l{};
  CHECK(parse_level("warn", &l));
  CHECK(l == Level::Warn);
  CHECK(parse_level("off", &l));
  CHECK(l == Level::Off);
  CHECK_FALSE(parse_level("verbose", &l));
  CHECK_FALSE(parse_level("", &l));
}
