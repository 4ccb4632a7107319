// When a supervised child that ended is started again, and after how long:
// the policy (--restart, --max-restarts, --restart-reset-after) on top of the
// bind retry schedule. Pure, so it is tested without processes or clocks.
#pragma once

#include <optional>
#include <string>

#include "duration.h"

namespace bindretry {

enum class RestartMode { OnFailure, Always, Never };

/// Parses on-failure|always|never.
bool parse_restart_mode(const std::string& text, RestartMode* out);

/// Everything that shapes restarts.
struct RestartPolicy {
  RestartMode mode = RestartMode::OnFailure;
  Duration initial_delay = std::chrono::seconds(1);
  Duration max_delay = std::chrono::seconds(16);
  /// A child that ran at least this long was healthy: backoff and the
  /// restart count start over.
  Duration reset_after = std::chrono::seconds(60);
  std::optional<unsigned> max_restarts;  ///< nullopt: unlimited
};

/// How a child ended, as waitpid() told it.
struct ChildExit {
  bool signaled = false;
  int code = 0;  ///< exit status, or the signal number when signaled
};

/// ChildExit from a waitpid() status.
ChildExit child_exit_from_wait_status(int status);

/// The status bindretry exits with for this child: its own, or 128+N for
/// signal N (as shells, tini and dumb-init report it).
int exit_status_of(const ChildExit& exit);

/// "status 3" or "signal SIGKILL", for the log.
std::string describe_exit(const ChildExit& exit);

/// What to do after a child ended.
struct RestartDecision {
  enum class Kind {
    Restart,    ///< start it again after `delay`
    NotWanted,  ///< the mode says this exit is final (never, or on-failure and success)
    Exhausted,  ///< --max-restarts reached
  };
  Kind kind = Kind::Restart;
  Duration delay{};
  unsigned restart = 0;  ///< 1-based number of this restart since the last reset
};

/// Counts restarts across the life of the supervisor.
class RestartTracker {
 public:
  explicit RestartTracker(const RestartPolicy& policy) : policy_(policy) {}
  /// Decides for a child that ended after running for `ran_for`.
  RestartDecision on_exit(const ChildExit& exit, Duration ran_for);

 private:
  RestartPolicy policy_;
  unsigned restarts_ = 0;  ///< since the last healthy run
};

}  // namespace bindretry
