#include "supervise.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "command.h"
#include "log.h"
#include "retry.h"
#include "unique_fd.h"
#include "quote.h"

namespace bindretry {
namespace {

// What tini and dumb-init pass on: everything a service manager, a terminal
// or an operator sends to ask a service for something.
constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

constexpr int kExitSystemError = 1;


class Supervisor {
 public:
  Supervisor(const SuperviseOptions& options, TerminationSignals& signals, const ChildSetup& setup)
      : options_(options), setup_(setup), tracker_(options.restart),
        entry_mask_(signals.entry_mask()) {}

  int run() {
    std::string err;
    if (!arm_signals(&err)) {
      log_message(Level::Error, "cannot supervise: " + err, "supervise_failed");
      return kExitSystemError;
    }
    // Orphans of the child are re-parented to us rather than to init, so we
    // can reap them; as PID 1 that happens anyway.
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
      log_message(Level::Warn,
                  std::string("cannot become a child subreaper: ") + std::strerror(errno),
                  "subreaper_failed");
    restart_at_ = Clock::now();
    while (!result_) step();
    return *result_;
  }

 private:
  bool arm_signals(std::string* err) {
    sigemptyset(&handled_);
    sigaddset(&handled_, SIGCHLD);
    for (int sig : kForwarded) {
      // Ignored or blocked when we started: the child gets it that way too,
      // and whoever set that up keeps managing it (as in exec mode).
      struct sigaction current{};
      if (sigismember(&entry_mask_, sig) == 1) continue;
      if (sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
      sigaddset(&handled_, sig);
    }
    if (sigprocmask(SIG_BLOCK, &handled_, nullptr) != 0) {
      *err = std::string("blocking signals: ") + std::strerror(errno);
      return false;
    }
    // An ignored SIGCHLD makes the kernel discard zombies, and waitpid()
    // could no longer tell how the child ended. Children get it back.
    sigaction(SIGCHLD, nullptr, &entry_sigchld_);
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGCHLD, &dfl, nullptr);
    signal_fd_.reset(signalfd(-1, &handled_, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signal_fd_.valid()) {
      *err = std::string("signalfd: ") + std::strerror(errno);
      return false;
    }
    return true;
  }

  // One turn: start a due child, enforce the stop timeout, then sleep until
  // a signal or the next deadline.
  void step() {
    TimePoint now = Clock::now();
    if (child_ == 0 && restart_at_ && now >= *restart_at_) {
      restart_at_.reset();
      start_child();
      return;
    }
    if (child_ != 0 && kill_at_ && now >= *kill_at_) {
      kill_at_.reset();
      log_message(Level::Warn,
                  quote(program()) + " (pid " + std::to_string(child_) + ") still running " +
                      format_seconds(options_.stop_timeout) + "s after the stop signal; sending SIGKILL",
                  "stop_timeout");
      kill(child_, SIGKILL);
    }
    std::optional<TimePoint> deadline = child_ == 0 ? restart_at_ : kill_at_;
    wait_for_signal(deadline);
  }

  void wait_for_signal(std::optional<TimePoint> deadline) {
    pollfd pfd{signal_fd_.get(), POLLIN, 0};
    timespec ts{};
    timespec* timeout = nullptr;
    if (deadline) {
      // Rounded up, so we never wake a hair early and spin on a zero timeout.
      const auto left = std::max(std::chrono::nanoseconds(0),
                                 std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     *deadline - Clock::now()));
      ts = {static_cast<time_t>(left.count() / 1'000'000'000),
            static_cast<long>(left.count() % 1'000'000'000)};
      timeout = &ts;
    }
    if (ppoll(&pfd, 1, timeout, nullptr) <= 0) return;
    signalfd_siginfo info{};
    while (!result_ && read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      const int sig = static_cast<int>(info.ssi_signo);
      if (sig == SIGCHLD) reap();
      else on_signal(sig);
    }
  }

  void on_signal(int sig) {
    const bool stop = sig == SIGTERM || sig == SIGINT;
    if (child_ == 0) {
      // Between restarts there is nobody to forward to; a stop request ends
      // us now instead of after the backoff.
      if (!stop) return;
      log_message(Level::Info, std::string("stopping on SIG") + sigabbrev_np(sig), "signal");
      result_ = 128 + sig;
      return;
    }
    if (stop && !stopping_) {
      stopping_ = true;
      kill_at_ = Clock::now() + options_.stop_timeout;
      log_message(Level::Info,
                  std::string("stopping on SIG") + sigabbrev_np(sig) + ": passing it to " +
                      quote(program()) + " (pid " + std::to_string(child_) + ")",
                  "signal");
    } else {
      log_message(Level::Debug,
                  std::string("passing SIG") + sigabbrev_np(sig) + " to " + quote(program()) +
                      " (pid " + std::to_string(child_) + ")",
                  "signal");
    }
    kill(child_, sig);
  }

  // Every process that ended: our child, and orphans handed to us.
  void reap() {
    for (;;) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid < 0 && errno == EINTR) continue;
      if (pid <= 0) return;
      if (pid == child_) on_child_exit(child_exit_from_wait_status(status));
      else log_message(Level::Debug, "reaped orphan pid " + std::to_string(pid), "reaped");
      if (result_) return;
    }
  }

  void on_child_exit(const ChildExit& exit) {
    const TimePoint now = Clock::now();
    const auto ran_for = std::chrono::duration_cast<Duration>(now - started_);
    const std::string what = quote(program()) + " (pid " + std::to_string(child_) +
                             ") exited with " + describe_exit(exit) + " after " +
                             format_seconds(ran_for) + "s";
    child_ = 0;
    kill_at_.reset();
    if (stopping_) {
      log_message(Level::Info, what, "child_exited");
      result_ = exit_status_of(exit);
      return;
    }
    const RestartDecision decision = tracker_.on_exit(exit, ran_for);
    const bool failed = exit.signaled || exit.code != 0;
    switch (decision.kind) {
      case RestartDecision::Kind::Restart:
        log_message(failed ? Level::Warn : Level::Info,
                    what + "; restarting in " + format_seconds(decision.delay) + "s (restart " +
                        std::to_string(decision.restart) + ")",
                    "restart");
        restart_at_ = now + decision.delay;
        return;
      case RestartDecision::Kind::NotWanted:
        log_message(failed ? Level::Warn : Level::Info, what + "; not restarting", "child_exited");
        break;
      case RestartDecision::Kind::Exhausted:
        log_message(Level::Error,
                    what + "; giving up after " + std::to_string(decision.restart) +
                        " restart(s) (--max-restarts)",
                    "restart_limit");
        break;
    }
    result_ = exit_status_of(exit);
  }

  void start_child() {
    const pid_t pid = fork();
    if (pid < 0) {
      log_message(Level::Error, "cannot start " + quote(program()) + ": fork: " + std::strerror(errno),
                  "fork_failed");
      result_ = kExitSystemError;
      return;
    }
    if (pid == 0) exec_child();
    child_ = pid;
    started_ = Clock::now();
    log_message(Level::Debug, "started " + quote(program()) + " as pid " + std::to_string(pid),
                "child_started");
  }

  // In the child: back to the signal state bindretry started with (mask and
  // ignored signals survive exec, so a forgotten blocked signal would reach
  // the target), then the hand-over, then exec.
  [[noreturn]] void exec_child() {
    signal_fd_.reset();
    sigaction(SIGCHLD, &entry_sigchld_, nullptr);
    sigprocmask(SIG_SETMASK, &entry_mask_, nullptr);
    std::string err;
    if (!setup_(&err)) {
      log_message(Level::Error, "cannot hand over the sockets: " + err, "handover_failed");
      _exit(kExitSystemError);
    }
    const int exec_errno = exec_command(options_.command);
    log_message(Level::Error, "cannot run " + quote(program()) + ": " + std::strerror(exec_errno),
                "exec_failed");
    _exit(exec_failure_status(exec_errno));
  }

  const std::string& program() const { return options_.command.front(); }

  const SuperviseOptions& options_;
  const ChildSetup& setup_;
  RestartTracker tracker_;
  sigset_t entry_mask_;
  sigset_t handled_{};
  struct sigaction entry_sigchld_{};
  UniqueFd signal_fd_;
  pid_t child_ = 0;
  TimePoint started_{};
  std::optional<TimePoint> restart_at_;
  std::optional<TimePoint> kill_at_;
  bool stopping_ = false;
  std::optional<int> result_;
};

}  // namespace

int supervise(const SuperviseOptions& options, TerminationSignals& signals,
              const ChildSetup& setup) {
  return Supervisor(options, signals, setup).run();
}

}  // namespace bindretry
