#include "retry.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "backoff.h"

namespace bindretry {
namespace {

bool is_errno(const BindError& e, int code) {
  return e.source == BindError::Source::Errno && e.code == code;
}

// True when the event announces exactly the literal address the request names.
bool matches_literal(const NetEvent& event, const BindRequest& request) {
  std::array<uint8_t, 16> want{};
  const int family = request.host_kind == HostKind::IPv4 ? AF_INET : AF_INET6;
  if (event.family != family || inet_pton(family, request.host.c_str(), want.data()) != 1)
    return false;
  const std::size_t len = family == AF_INET ? 4 : 16;
  return std::memcmp(want.data(), event.addr.data(), len) == 0;
}

}  // namespace

bool event_can_help(const NetEvent& event, const BindRequest& request, const BindError& error) {
  if (!is_retryable(error)) return false;
  if (event.kind == NetEvent::Kind::Overrun) return true;  // events were lost: look again
  // A port held by another process is freed without any network event.
  if (is_errno(error, EADDRINUSE)) return false;
  const bool literal =
      request.host_kind == HostKind::IPv4 || request.host_kind == HostKind::IPv6;
  if (event.kind == NetEvent::Kind::LinkUp) {
    // A link coming up cannot make a missing literal address bindable: the
    // address arrives as its own notification (tailscaled raises tailscale0
    // before it adds 100.x, and container hosts raise veths all the time;
    // waking on those would spend the retries in a burst).
    return !(literal && is_errno(error, EADDRNOTAVAIL));
  }
  // AddressAdded: a tentative IPv6 address cannot be bound until DAD clears it,
  // which comes as a second notification.
  if (event.tentative) return false;
  if (is_errno(error, ENODEV) || is_errno(error, ENXIO)) return false;  // needs a link
  if (literal && is_errno(error, EADDRNOTAVAIL)) return matches_literal(event, request);
  return true;
}

namespace {

// The state of one run of the loop, so each step is a short function.
class RetryRun {
 public:
  RetryRun(const std::vector<BindRequest>& requests, const RetryPolicy& policy, Binder& binder,
           TimeSource& clock, Waiter& waiter, Reporter& reporter)
      : requests_(requests), policy_(policy), binder_(binder), clock_(clock), waiter_(waiter),
        reporter_(reporter), errors_(requests.size()), start_(clock.now()) {
    result_.fds.resize(requests.size());
    if (policy.max_retries)
      max_attempts_ = *policy.max_retries == UINT_MAX ? UINT_MAX : *policy.max_retries + 1;
    if (policy.max_time) deadline_ = start_ + *policy.max_time;
  }

  RetryResult run() {
    for (unsigned attempt = 1;; ++attempt) {
      result_.attempts = attempt;
      if (!attempt_all(attempt)) return finish(RetryResult::Status::Fatal);
      if (all_bound()) return finish(RetryResult::Status::Bound);

      const bool retries_left = !max_attempts_ || attempt < *max_attempts_;
      const TimePoint now = clock_.now();
      if (!retries_left) return give_up(attempt, RetryEvent::Reason::Retries);
      // The last attempt is the one made when the deadline came.
      if (deadline_ && now >= *deadline_) return give_up(attempt, RetryEvent::Reason::Deadline);

      TimePoint wake = now + backoff_delay(attempt, policy_.initial_delay, policy_.max_delay);
      if (deadline_) wake = std::min(wake, *deadline_);
      announce_wait(attempt, std::chrono::duration_cast<Duration>(wake - now));

      const WaitResult waited = waiter_.wait_until(
          wake, [this](const NetEvent& e) { return any_pending_helped_by(e); });
      if (waited.kind == WaitResult::Kind::Signal) {
        result_.signo = waited.signo;
        return finish(RetryResult::Status::Signalled);
      }
      // A wait cut short by the deadline ends in one last attempt at the
      // deadline, as "Retrying in" promised; none starts later than that.
    }
  }

 private:
  RetryEvent event(RetryEvent::Kind kind, std::size_t i, unsigned attempt) const {
    RetryEvent e;
    e.kind = kind;
    e.request = &requests_[i];
    e.attempt = attempt;
    e.max_attempts = max_attempts_;
    e.error = errors_[i];
    e.elapsed = std::chrono::duration_cast<Duration>(clock_.now() - start_);
    return e;
  }

  // One attempt over every request not bound yet. False on a fatal error.
  bool attempt_all(unsigned attempt) {
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      if (result_.fds[i].valid()) continue;
      BindAttempt a = binder_.bind(requests_[i], policy_.freebind == FreeBindMode::Always);
      errors_[i] = a.error;
      if (a.fd.valid()) {
        result_.fds[i] = std::move(a.fd);
        RetryEvent e = event(RetryEvent::Kind::Bound, i, attempt);
        e.local = std::move(a.local);
        reporter_.report(e);
        continue;
      }
      if (!is_retryable(a.error)) {
        reporter_.report(event(RetryEvent::Kind::Fatal, i, attempt));
        return false;
      }
    }
    return true;
  }

  bool all_bound() const {
    return std::all_of(result_.fds.begin(), result_.fds.end(),
                       [](const UniqueFd& fd) { return fd.valid(); });
  }

  bool any_pending_helped_by(const NetEvent& e) const {
    for (std::size_t i = 0; i < requests_.size(); ++i)
      if (!result_.fds[i].valid() && event_can_help(e, requests_[i], errors_[i])) return true;
    return false;
  }

  void announce_wait(unsigned attempt, Duration delay) {
    bool first = true;
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      if (result_.fds[i].valid()) continue;
      RetryEvent e = event(RetryEvent::Kind::AttemptFailed, i, attempt);
      e.delay = delay;
      reporter_.report(e);
      if (first) {
        e.kind = RetryEvent::Kind::Waiting;
        reporter_.report(e);
        first = false;
      }
    }
  }

  RetryResult give_up(unsigned attempt, RetryEvent::Reason reason) {
    for (std::size_t i = 0; i < requests_.size(); ++i) {
      if (result_.fds[i].valid()) continue;
      if (policy_.freebind == FreeBindMode::Fallback) {
        BindAttempt a = binder_.bind(requests_[i], true);
        if (a.fd.valid()) {
          result_.fds[i] = std::move(a.fd);
          RetryEvent e = event(RetryEvent::Kind::FreeBound, i, attempt);
          e.local = std::move(a.local);
          e.reason = reason;
          reporter_.report(e);
          continue;
        }
        errors_[i] = a.error;
      }
      RetryEvent e = event(RetryEvent::Kind::GaveUp, i, attempt);
      e.reason = reason;
      reporter_.report(e);
    }
    return finish(all_bound() ? RetryResult::Status::Bound : RetryResult::Status::GaveUp);
  }

  RetryResult finish(RetryResult::Status status) {
    result_.status = status;
    return std::move(result_);
  }

  const std::vector<BindRequest>& requests_;
  const RetryPolicy& policy_;
  Binder& binder_;
  TimeSource& clock_;
  Waiter& waiter_;
  Reporter& reporter_;
  std::vector<BindError> errors_;
  RetryResult result_;
  std::optional<unsigned> max_attempts_;
  std::optional<TimePoint> deadline_;
  TimePoint start_;
};

}  // namespace

RetryResult bind_with_retry(const std::vector<BindRequest>& requests, const RetryPolicy& policy,
                            Binder& binder, TimeSource& clock, Waiter& waiter,
                            Reporter& reporter) {
  return RetryRun(requests, policy, binder, clock, waiter, reporter).run();
}

}  // namespace bindretry
