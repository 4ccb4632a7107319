// The attempt loop: bind every address, wait with backoff (or until the
// kernel says an address appeared), and decide when to give up. System calls,
// time and waiting are injected so the loop is tested with fakes.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "bind_error.h"
#include "duration.h"
#include "netevent.h"
#include "unique_fd.h"

namespace bindretry {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

/// The outcome of binding one request once.
struct BindAttempt {
  UniqueFd fd;
  BindError error;
  std::string local;  ///< the bound address as the kernel reports it, e.g. "127.0.0.1:41235"
};

/// Creates and binds one socket (the production one is RealBinder).
class Binder {
 public:
  virtual ~Binder() = default;
  virtual BindAttempt bind(const BindRequest& request, bool freebind) = 0;
};

/// Tells the time (steady); faked in tests.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual TimePoint now() = 0;
};

/// What ended a wait.
struct WaitResult {
  enum class Kind { Timeout, Woken, Signal };
  Kind kind = Kind::Timeout;
  int signo = 0;
};

/// Waits until a time point, a helpful network event, or a termination signal.
class Waiter {
 public:
  virtual ~Waiter() = default;
  virtual WaitResult wait_until(TimePoint until,
                                const std::function<bool(const NetEvent&)>& can_help) = 0;
};

enum class FreeBindMode { Off, Always, Fallback };

/// Everything that shapes the loop.
struct RetryPolicy {
  std::optional<unsigned> max_retries = 5;  ///< nullopt: unlimited
  Duration initial_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::seconds(16);
  std::optional<Duration> max_time;  ///< overall deadline across attempts
  FreeBindMode freebind = FreeBindMode::Off;
};

/// Something that happened, for the log, sd_notify and metrics.
struct RetryEvent {
  enum class Kind {
    Bound,          ///< request bound (attempt says which)
    AttemptFailed,  ///< request failed with retries left; delay says the wait
    Waiting,        ///< once per wait: the first pending request and its error
    GaveUp,         ///< request still failing after the last attempt or at the deadline
    Fatal,          ///< request failed with an error no retry can fix
    FreeBound,      ///< fallback: bound with FreeBind after the last strict attempt
  };
  enum class Reason { Retries, Deadline };
  Kind kind = Kind::Bound;
  const BindRequest* request = nullptr;
  unsigned attempt = 0;
  std::optional<unsigned> max_attempts;  ///< nullopt: unlimited
  BindError error;
  Duration delay{};
  std::string local;
  Reason reason = Reason::Retries;
  Duration elapsed{};  ///< since the first attempt began
};

/// Receives events as they happen.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void report(const RetryEvent& event) = 0;
};

/// How the loop ended.
struct RetryResult {
  enum class Status { Bound, GaveUp, Fatal, Signalled };
  Status status = Status::Bound;
  int signo = 0;
  /// One per request, in request order; all valid when Bound, otherwise the
  /// ones bound before the loop stopped (the caller cleans them up).
  std::vector<UniqueFd> fds;
  unsigned attempts = 0;
};

/// Whether `event` could make a request that failed with `error` succeed now.
bool event_can_help(const NetEvent& event, const BindRequest& request, const BindError& error);

/// Binds every request, retrying as the policy says.
RetryResult bind_with_retry(const std::vector<BindRequest>& requests, const RetryPolicy& policy,
                            Binder& binder, TimeSource& clock, Waiter& waiter,
                            Reporter& reporter);

}  // namespace bindretry
