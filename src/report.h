// Where retry events go: the log, and the service manager's status line.
#pragma once

#include <optional>

#include "notify.h"
#include "retry.h"

namespace bindretry {

/// Logs each event and keeps systemd's STATUS= (and start timeout) current.
class EventReporter : public Reporter {
 public:
  EventReporter(Notifier& notifier, std::optional<Duration> max_time)
      : notifier_(notifier), max_time_(max_time) {}
  void report(const RetryEvent& event) override;
  /// True once a STATUS= about waiting was sent (so success should replace it).
  bool announced() const { return announced_; }

 private:
  Notifier& notifier_;
  std::optional<Duration> max_time_;
  bool announced_ = false;
};

}  // namespace bindretry
