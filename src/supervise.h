// Supervise mode: bindretry stays, keeps every socket open, and runs COMMAND
// as a child, again after it ends as the restart policy says. It forwards
// signals to the child and reaps every orphan (the duty of PID 1 or of a
// child subreaper), as tini does.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "duration.h"
#include "restart.h"
#include "signals.h"

namespace bindretry {

/// What the supervisor runs and how.
struct SuperviseOptions {
  std::vector<std::string> command;
  RestartPolicy restart;
  /// After SIGTERM or SIGINT, how long the child has before SIGKILL.
  Duration stop_timeout = std::chrono::seconds(10);
};

/// Runs in each freshly forked child before exec: puts the sockets in place
/// (LISTEN_PID is the child's own pid by then). False with *err on failure.
using ChildSetup = std::function<bool(std::string* err)>;

/// Starts the child, restarts it, forwards signals, reaps; returns when the
/// child has ended for good, with the status bindretry should exit with.
/// `signals` holds the mask bindretry started with, which each child gets back.
int supervise(const SuperviseOptions& options, TerminationSignals& signals,
              const ChildSetup& setup);

}  // namespace bindretry
