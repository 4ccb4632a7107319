// Fakes for the retry loop: a binder that fails as scripted, a clock that
// only moves when the waiter says so, a waiter that can deliver events.
#pragma once

#include <fcntl.h>

#include <csignal>

#include <cerrno>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "retry.h"

namespace bindretry::testing {

/// Fails each address with the scripted errors, in order, then succeeds.
class FakeBinder : public Binder {
 public:
  std::map<std::string, std::deque<BindError>> script;
  std::vector<std::pair<std::string, bool>> calls;  // spec, freebind

  BindAttempt bind(const BindRequest& request, bool freebind) override {
    calls.emplace_back(request.spec, freebind);
    BindAttempt a;
    auto& queue = script[request.spec];
    if (!queue.empty() && !freebind_fixes(queue.front(), freebind)) {
      a.error = queue.front();
      queue.pop_front();
      return a;
    }
    a.fd.reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
    a.local = "local:" + request.spec;
    return a;
  }

  std::size_t calls_for(const std::string& spec) const {
    std::size_t n = 0;
    for (const auto& c : calls) n += c.first == spec;
    return n;
  }

 private:
  static bool freebind_fixes(const BindError& e, bool freebind) {
    return freebind && e.source == BindError::Source::Errno && e.code == EADDRNOTAVAIL;
  }
};

class FakeClock : public TimeSource {
 public:
  TimePoint t{};
  TimePoint now() override { return t; }
};

/// Advances the fake clock to the wake-up time, unless an event is scheduled
/// to arrive before it; records every wait.
class FakeWaiter : public Waiter {
 public:
  explicit FakeWaiter(FakeClock& clock) : clock_(clock) {}
  struct Scheduled {
    Duration at;  // since the fake epoch
    NetEvent event;
  };
  std::deque<Scheduled> events;
  int signal_on_wait = 0;  // deliver this signal on the Nth wait (1-based), 0 = never
  int signal = SIGTERM;
  std::vector<Duration> waits;  // requested wait lengths

  WaitResult wait_until(TimePoint until,
                        const std::function<bool(const NetEvent&)>& can_help) override {
    waits.push_back(std::chrono::duration_cast<Duration>(until - clock_.t));
    if (signal_on_wait == static_cast<int>(waits.size())) return {WaitResult::Kind::Signal, signal};
    while (!events.empty() && TimePoint{} + events.front().at < until) {
      Scheduled s = events.front();
      events.pop_front();
      if (TimePoint{} + s.at > clock_.t) clock_.t = TimePoint{} + s.at;
      if (can_help(s.event)) return {WaitResult::Kind::Woken, 0};
    }
    clock_.t = until;
    return {WaitResult::Kind::Timeout, 0};
  }

 private:
  FakeClock& clock_;
};

/// Keeps every event for inspection.
class RecordingReporter : public Reporter {
 public:
  std::vector<RetryEvent> events;
  void report(const RetryEvent& e) override { events.push_back(e); }
  std::size_t count(RetryEvent::Kind kind) const {
    std::size_t n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
};

}  // namespace bindretry::testing
