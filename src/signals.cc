#include "signals.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace bindretry {
namespace {

constexpr int kTerminationSignals[] = {SIGTERM, SIGINT, SIGHUP};

}  // namespace

int TerminationSignals::fd() {
  if (armed_) return fd_.get();
  armed_ = true;
  sigset_t wanted;
  sigemptyset(&wanted);
  sigset_t inherited;
  sigprocmask(SIG_BLOCK, nullptr, &inherited);
  for (int sig : kTerminationSignals) {
    struct sigaction current{};
    // A signal ignored or blocked by whoever started us (nohup, a supervisor)
    // is theirs to manage: catching it here would turn it into a termination
    // the target itself would never see.
    if (sigismember(&inherited, sig) == 1) continue;
    if (sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&wanted, sig);
  }
  sigprocmask(SIG_BLOCK, &wanted, &original_);
  fd_ = move_above(UniqueFd(signalfd(-1, &wanted, SFD_CLOEXEC | SFD_NONBLOCK)), fd_floor_);
  return fd_.get();
}

int TerminationSignals::take_pending() {
  if (!fd_.valid()) return 0;
  signalfd_siginfo info{};
  if (read(fd_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

void TerminationSignals::restore() {
  if (!armed_) return;
  fd_.reset();
  sigprocmask(SIG_SETMASK, &original_, nullptr);
  armed_ = false;
}

sigset_t TerminationSignals::entry_mask() const {
  if (armed_) return original_;
  sigset_t current;
  sigprocmask(SIG_BLOCK, nullptr, &current);
  return current;
}

void die_by_signal(int signo) {
  signal(signo, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, signo);
  sigprocmask(SIG_UNBLOCK, &only, nullptr);
  raise(signo);
  // Still here: as PID 1 the kernel ignores default actions. Report the
  // signal the way shells and tini do.
  _exit(128 + signo);
}

}  // namespace bindretry
