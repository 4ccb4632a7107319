// Termination signals while waiting: received synchronously through a
// signalfd, and the caller's signal mask given back before exec.
#pragma once

#include <signal.h>

#include "unique_fd.h"

namespace bindretry {

/// SIGTERM, SIGINT and SIGHUP, blocked and read from a signalfd while we wait.
/// Signals the caller ignores stay ignored and untouched.
class TerminationSignals {
 public:
  TerminationSignals() = default;
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;
  ~TerminationSignals() { restore(); }

  /// Where the signalfd goes (see move_above).
  void set_fd_floor(int floor) { fd_floor_ = floor; }
  /// Blocks the signals (first call only) and returns the signalfd, or -1.
  int fd();
  /// A signal already received, without waiting; 0 when none.
  int take_pending();
  /// Restores the signal mask bindretry started with and closes the signalfd.
  void restore();
  /// The signal mask bindretry started with.
  sigset_t entry_mask() const;

 private:
  bool armed_ = false;
  int fd_floor_ = 3;
  sigset_t original_{};
  UniqueFd fd_;
};

/// Ends the process the way `signo` would have: default action, re-raised.
/// As PID 1 the kernel does not apply default actions, so exit 128+signo then.
[[noreturn]] void die_by_signal(int signo);

}  // namespace bindretry
