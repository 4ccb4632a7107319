#include "restart.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "backoff.h"

namespace bindretry {

bool parse_restart_mode(const std::string& text, RestartMode* out) {
  if (text == "on-failure") *out = RestartMode::OnFailure;
  else if (text == "always") *out = RestartMode::Always;
  else if (text == "never") *out = RestartMode::Never;
  else return false;
  return true;
}

ChildExit child_exit_from_wait_status(int status) {
  if (WIFSIGNALED(status)) return {true, WTERMSIG(status)};
  return {false, WEXITSTATUS(status)};
}

int exit_status_of(const ChildExit& exit) { return exit.signaled ? 128 + exit.code : exit.code; }

std::string describe_exit(const ChildExit& exit) {
  if (!exit.signaled) return "status " + std::to_string(exit.code);
  const char* name = sigabbrev_np(exit.code);
  return "signal " + (name ? "SIG" + std::string(name) : std::to_string(exit.code));
}

RestartDecision RestartTracker::on_exit(const ChildExit& exit, Duration ran_for) {
  RestartDecision decision;
  const bool failed = exit.signaled || exit.code != 0;
  if (policy_.mode == RestartMode::Never || (policy_.mode == RestartMode::OnFailure && !failed)) {
    decision.kind = RestartDecision::Kind::NotWanted;
    return decision;
  }
  // A long healthy run means the next failure is a new incident, not the
  // same crash loop: it gets the short first delay and a fresh budget.
  if (ran_for >= policy_.reset_after) restarts_ = 0;
  if (policy_.max_restarts && restarts_ >= *policy_.max_restarts) {
    decision.kind = RestartDecision::Kind::Exhausted;
    decision.restart = restarts_;
    return decision;
  }
  ++restarts_;
  decision.restart = restarts_;
  decision.delay = backoff_delay(restarts_, policy_.initial_delay, policy_.max_delay);
  return decision;
}

}  // namespace bindretry
