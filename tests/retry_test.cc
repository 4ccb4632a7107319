#include "retry.h"

#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>

#include "fakes.h"

using namespace bindretry;
using namespace bindretry::testing;
using namespace std::chrono_literals;

namespace {

BindRequest request(const std::string& text) {
  BindRequest r;
  std::string err;
  REQUIRE(parse_bind(text, &r, &err));
  return r;
}

BindError unavailable() { return BindError::from_errno(EADDRNOTAVAIL); }
BindError in_use() { return BindError::from_errno(EADDRINUSE); }

struct Rig {
  FakeBinder binder;
  FakeClock clock;
  FakeWaiter waiter{clock};
  RecordingReporter reporter;
  RetryPolicy policy;
  std::vector<BindRequest> requests;

  RetryResult run() {
    return bind_with_retry(requests, policy, binder, clock, waiter, reporter);
  }
  void fail(const std::string& spec, int times, BindError e = unavailable()) {
    for (int i = 0; i < times; ++i) binder.script[spec].push_back(e);
  }
};

NetEvent address_added(const char* ipv4) {
  NetEvent e;
  e.kind = NetEvent::Kind::AddressAdded;
  e.family = AF_INET;
  inet_pton(AF_INET, ipv4, e.addr.data());
  return e;
}

}  // namespace

TEST_CASE("zero retries means exactly one attempt") {
  Rig rig;
  rig.policy.max_retries = 0;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 10);
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::GaveUp);
  CHECK(rig.binder.calls_for("100.64.1.2:8080") == 1);
  CHECK(rig.waiter.waits.empty());
  REQUIRE(rig.reporter.count(RetryEvent::Kind::GaveUp) == 1);
  CHECK(rig.reporter.events.back().attempt == 1);
}

TEST_CASE("N retries means N+1 attempts, waiting the default schedule") {
  Rig rig;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 100);
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::GaveUp);
  CHECK(rig.binder.calls_for("100.64.1.2:8080") == 6);
  CHECK(rig.waiter.waits == std::vector<Duration>{1s, 2s, 4s, 8s, 16s});
  CHECK(rig.reporter.events.back().kind == RetryEvent::Kind::GaveUp);
  CHECK(rig.reporter.events.back().attempt == 6);
  CHECK(rig.reporter.events.back().reason == RetryEvent::Reason::Retries);
}

TEST_CASE("success on attempt k stops retrying and keeps the socket") {
  Rig rig;
  rig.requests = {request("127.0.0.1:80")};
  rig.fail("127.0.0.1:80", 2, in_use());
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Bound);
  CHECK(r.attempts == 3);
  REQUIRE(r.fds.size() == 1);
  CHECK(r.fds[0].valid());
  CHECK(rig.reporter.count(RetryEvent::Kind::AttemptFailed) == 2);
  CHECK(rig.reporter.events.back().kind == RetryEvent::Kind::Bound);
  CHECK(rig.reporter.events.back().attempt == 3);
}

TEST_CASE("addresses already bound are not bound again") {
  Rig rig;
  rig.requests = {request("8080"), request("100.64.1.2:8081")};
  rig.fail("100.64.1.2:8081", 3);
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Bound);
  CHECK(rig.binder.calls_for("8080") == 1);
  CHECK(rig.binder.calls_for("100.64.1.2:8081") == 4);
  CHECK(r.fds[0].valid());
  CHECK(r.fds[1].valid());
}

TEST_CASE("an error no retry can fix stops at once") {
  Rig rig;
  rig.requests = {request("127.0.0.1:80")};
  rig.fail("127.0.0.1:80", 1, BindError::from_errno(EACCES));
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Fatal);
  CHECK(rig.binder.calls_for("127.0.0.1:80") == 1);
  CHECK(rig.waiter.waits.empty());
  CHECK(rig.reporter.events.back().kind == RetryEvent::Kind::Fatal);
}

TEST_CASE("a helpful event ends the wait early and the attempt counts") {
  Rig rig;
  rig.policy.max_retries = 2;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 1);
  rig.waiter.events.push_back({300ms, address_added("100.64.1.2")});
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Bound);
  CHECK(r.attempts == 2);
  CHECK(rig.clock.t == TimePoint{} + 300ms);
}

TEST_CASE("events that cannot help do not wake the wait") {
  Rig rig;
  rig.policy.max_retries = 1;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 1);
  rig.waiter.events.push_back({100ms, address_added("10.0.0.1")});  // another address
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Bound);
  CHECK(rig.clock.t == TimePoint{} + 1s);  // slept the whole schedule
}

TEST_CASE("early attempts count toward the retry limit") {
  Rig rig;
  rig.policy.max_retries = 2;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 10);
  for (auto at : {10ms, 20ms, 30ms, 40ms})
    rig.waiter.events.push_back({at, address_added("100.64.1.2")});
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::GaveUp);
  CHECK(rig.binder.calls_for("100.64.1.2:8080") == 3);
}

TEST_CASE("the deadline bounds every wait; the last attempt is made at it, none after") {
  Rig rig;
  rig.policy.max_retries = 100;
  rig.policy.initial_delay = 1s;
  rig.policy.max_time = 2500ms;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 100);
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::GaveUp);
  CHECK(rig.waiter.waits == std::vector<Duration>{1s, 1500ms});
  CHECK(rig.binder.calls_for("100.64.1.2:8080") == 3);  // at 0, 1 s and the 2.5 s deadline
  CHECK(rig.reporter.events.back().reason == RetryEvent::Reason::Deadline);
  CHECK(rig.reporter.events.back().attempt == 3);
  CHECK(rig.clock.t == TimePoint{} + 2500ms);
}

TEST_CASE("an address that appears for the attempt at the deadline is bound") {
  Rig rig;
  rig.policy.max_time = 1500ms;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 2);  // fails at 0 and 1 s, binds at the deadline
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Bound);
  CHECK(rig.clock.t == TimePoint{} + 1500ms);
}

TEST_CASE("freebind fallback binds after the last strict attempt") {
  Rig rig;
  rig.policy.max_retries = 1;
  rig.policy.freebind = FreeBindMode::Fallback;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 10);
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Bound);
  REQUIRE(rig.binder.calls.size() == 3);
  CHECK_FALSE(rig.binder.calls[0].second);
  CHECK_FALSE(rig.binder.calls[1].second);
  CHECK(rig.binder.calls[2].second);
  CHECK(rig.reporter.events.back().kind == RetryEvent::Kind::FreeBound);
}

TEST_CASE("freebind always asks for FreeBind on the first attempt") {
  Rig rig;
  rig.policy.freebind = FreeBindMode::Always;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 10);
  CHECK(rig.run().status == RetryResult::Status::Bound);
  REQUIRE(rig.binder.calls.size() == 1);
  CHECK(rig.binder.calls[0].second);
}

TEST_CASE("a termination signal while waiting ends the loop") {
  Rig rig;
  rig.requests = {request("100.64.1.2:8080")};
  rig.fail("100.64.1.2:8080", 10);
  rig.waiter.signal_on_wait = 2;
  const RetryResult r = rig.run();
  CHECK(r.status == RetryResult::Status::Signalled);
  CHECK(r.signo == SIGTERM);
  CHECK(rig.binder.calls_for("100.64.1.2:8080") == 2);
}

TEST_CASE("unlimited retries keep going") {
  Rig rig;
  rig.policy.max_retries.reset();
  rig.requests = {request("8080")};
  rig.fail("8080", 50, in_use());
  CHECK(rig.run().status == RetryResult::Status::Bound);
  CHECK(rig.binder.calls_for("8080") == 51);
}

TEST_CASE("which events can help which failures") {
  const BindRequest literal = request("100.64.1.2:8080");
  const BindRequest name = request("myhost:8080");
  NetEvent added = address_added("100.64.1.2");
  NetEvent other = address_added("100.64.1.3");
  NetEvent tentative = added;
  tentative.tentative = true;
  NetEvent link;
  link.kind = NetEvent::Kind::LinkUp;

  CHECK(event_can_help(added, literal, unavailable()));
  CHECK_FALSE(event_can_help(other, literal, unavailable()));
  CHECK_FALSE(event_can_help(tentative, literal, unavailable()));
  CHECK(event_can_help(other, name, unavailable()));
  CHECK_FALSE(event_can_help(added, literal, in_use()));
  CHECK_FALSE(event_can_help(link, literal, in_use()));
  CHECK_FALSE(event_can_help(link, literal, unavailable()));  // the address comes on its own
  CHECK(event_can_help(link, name, unavailable()));
  CHECK(event_can_help(link, request("8080"), BindError::from_errno(ENETDOWN)));
  CHECK(event_can_help(link, literal, BindError::from_errno(ENODEV)));
  CHECK_FALSE(event_can_help(added, literal, BindError::from_errno(ENODEV)));
  CHECK(event_can_help(other, name, BindError::from_resolver(EAI_AGAIN)));
  CHECK_FALSE(event_can_help(added, literal, BindError::from_errno(EACCES)));
}
