#include "restart.h"

#include <doctest/doctest.h>
#include <signal.h>

#include <vector>

using namespace bindretry;
using namespace std::chrono_literals;

namespace {

const ChildExit kFailed{false, 1};
const ChildExit kSucceeded{false, 0};
const ChildExit kKilled{true, SIGKILL};

RestartPolicy policy(RestartMode mode) {
  RestartPolicy p;
  p.mode = mode;
  p.initial_delay = 100ms;
  p.max_delay = 400ms;
  p.reset_after = 60s;
  return p;
}

}  // namespace

TEST_CASE("which exits restart under each mode") {
  struct Row {
    RestartMode mode;
    ChildExit exit;
    bool restart;
  };
  const Row rows[] = {
      {RestartMode::OnFailure, kFailed, true},    {RestartMode::OnFailure, kKilled, true},
      {RestartMode::OnFailure, kSucceeded, false}, {RestartMode::Always, kSucceeded, true},
      {RestartMode::Always, kFailed, true},        {RestartMode::Never, kFailed, false},
      {RestartMode::Never, kKilled, false},        {RestartMode::Never, kSucceeded, false},
  };
  for (const Row& row : rows) {
    RestartTracker tracker(policy(row.mode));
    const RestartDecision d = tracker.on_exit(row.exit, 1s);
    CHECK((d.kind == RestartDecision::Kind::Restart) == row.restart);
    if (!row.restart) CHECK(d.kind == RestartDecision::Kind::NotWanted);
  }
}

TEST_CASE("restart delays follow the backoff schedule, capped") {
  RestartTracker tracker(policy(RestartMode::OnFailure));
  const std::vector<Duration> expected = {100ms, 200ms, 400ms, 400ms, 400ms};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const RestartDecision d = tracker.on_exit(kFailed, 10ms);
    CHECK(d.delay == expected[i]);
    CHECK(d.restart == i + 1);
  }
}

TEST_CASE("max-restarts: the next failure after the budget is final") {
  RestartPolicy p = policy(RestartMode::Always);
  p.max_restarts = 2;
  RestartTracker tracker(p);
  CHECK(tracker.on_exit(kFailed, 1s).kind == RestartDecision::Kind::Restart);
  CHECK(tracker.on_exit(kSucceeded, 1s).kind == RestartDecision::Kind::Restart);
  const RestartDecision d = tracker.on_exit(kFailed, 1s);
  CHECK(d.kind == RestartDecision::Kind::Exhausted);
  CHECK(d.restart == 2);
}

TEST_CASE("max-restarts 0 never restarts") {
  RestartPolicy p = policy(RestartMode::OnFailure);
  p.max_restarts = 0;
  RestartTracker tracker(p);
  CHECK(tracker.on_exit(kFailed, 1s).kind == RestartDecision::Kind::Exhausted);
}

TEST_CASE("a run of reset_after or longer starts delays and budget over") {
  RestartPolicy p = policy(RestartMode::OnFailure);
  p.max_restarts = 2;
  p.reset_after = 5s;
  RestartTracker tracker(p);
  CHECK(tracker.on_exit(kFailed, 1s).delay == 100ms);
  CHECK(tracker.on_exit(kFailed, 1s).delay == 200ms);
  const RestartDecision healthy = tracker.on_exit(kFailed, 5s);
  CHECK(healthy.kind == RestartDecision::Kind::Restart);
  CHECK(healthy.delay == 100ms);
  CHECK(healthy.restart == 1);
  CHECK(tracker.on_exit(kFailed, 4999ms).delay == 200ms);
  CHECK(tracker.on_exit(kFailed, 1s).kind == RestartDecision::Kind::Exhausted);
}

TEST_CASE("exit status and description of a child") {
  CHECK(exit_status_of(kFailed) == 1);
  CHECK(exit_status_of(kKilled) == 137);
  CHECK(exit_status_of(ChildExit{true, SIGTERM}) == 143);
  CHECK(describe_exit(ChildExit{false, 3}) == "status 3");
  CHECK(describe_exit(kKilled) == "signal SIGKILL");
  CHECK(child_exit_from_wait_status(3 << 8).code == 3);
  CHECK(child_exit_from_wait_status(SIGSEGV).signaled);
}

TEST_CASE("restart modes parse") {
  RestartMode m = RestartMode::Never;
  CHECK(parse_restart_mode("on-failure", &m));
  CHECK(m == RestartMode::OnFailure);
  CHECK(parse_restart_mode("always", &m));
  CHECK(m == RestartMode::Always);
  CHECK(parse_restart_mode("never", &m));
  CHECK(m == RestartMode::Never);
  CHECK_FALSE(parse_restart_mode("sometimes", &m));
  CHECK_FALSE(parse_restart_mode("", &m));
}
