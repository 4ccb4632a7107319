// bindretry: bind every address, retrying while it is not there yet, then
// exec the command with the sockets passed by systemd's socket activation
// protocol. main() is the list of steps; each lives in its own file.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "activation.h"
#include "cli.h"
#include "command.h"
#include "log.h"
#include "netwatch.h"
#include "notify.h"
#include "report.h"
#include "retry.h"
#include "signals.h"
#include "socket.h"

using namespace bindretry;

namespace {

constexpr int kExitBindFailed = 1;

// Unix socket files bindretry created are its own to remove when it does
// not hand them over; nothing else is ever deleted.
void remove_socket_files(const std::vector<BindRequest>& requests,
                         const std::vector<bool>& bound) {
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (bound[i] && is_unix(requests[i].kind) && !requests[i].abstract)
      unlink(requests[i].path.c_str());
}

std::vector<bool> bound_mask(const RetryResult& result, std::size_t n) {
  std::vector<bool> bound(n, false);
  for (std::size_t i = 0; i < result.fds.size() && i < n; ++i) bound[i] = result.fds[i].valid();
  return bound;
}

}  // namespace

int main(int argc, char** argv) {
  // 1. Parse the command line. Bad input exits 2 before anything is bound,
  //    created or changed.
  Options options;
  const ParseOutcome parsed = parse_command_line({argv, argv + argc}, &options);
  if (!parsed.run) {
    if (!parsed.out.empty()) std::fputs(parsed.out.c_str(), stdout);
    if (!parsed.err.empty()) std::fprintf(stderr, "bindretry: error: %s\n", parsed.err.c_str());
    return parsed.exit_code;
  }

  // 2. Logging goes to stderr only: stdout belongs to the target.
  log_init(options.log_level, options.log_format);

  // 3. A command that does not exist fails now, not after minutes of waiting.
  const std::string& program = options.command.front();
  if (const int err = find_command(program); err != 0) {
    log_message(Level::Error, "cannot run '" + program + "': " + std::strerror(err), "exec_failed");
    return exec_failure_status(err);
  }

  // 4. Keep descriptors 0-2 occupied so no socket lands on a closed stdio slot.
  StdioGuard stdio;

  // 5. Sockets passed to bindretry itself are passed on in front of its own.
  InheritedSockets inherited = parse_inherited(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"),
                                               std::getenv("LISTEN_FDNAMES"), getpid());
  if (inherited.count > 0 && !verify_inherited(&inherited))
    log_message(Level::Warn, "ignoring inherited LISTEN_FDS: not every descriptor is open",
                "inherited_invalid");

  // 6. Bind with retry: backoff waits, cut short by address and link
  //    notifications, ended by SIGTERM/SIGINT/SIGHUP.
  TerminationSignals signals;
  // Blocked from now on, not from the first wait: a signal sent as soon as
  // the first failure is logged would otherwise take the default action
  // (leaving our socket files behind) or, as PID 1, be dropped by the kernel.
  signals.fd();
  RealWaiter waiter(signals, options.watch_addresses);
  RealBinder binder(options.socket);
  RealTimeSource clock;
  Notifier notifier;
  EventReporter reporter(notifier, options.retry.max_time);
  RetryResult result =
      bind_with_retry(options.binds, options.retry, binder, clock, waiter, reporter);
  const std::vector<bool> bound = bound_mask(result, options.binds.size());
  if (result.status == RetryResult::Status::Bound) {
    // A signal that arrived during the last attempt still ends us.
    result.signo = signals.take_pending();
    if (result.signo != 0) result.status = RetryResult::Status::Signalled;
  }
  if (result.status != RetryResult::Status::Bound) {
    result.fds.clear();
    remove_socket_files(options.binds, bound);
    if (result.status == RetryResult::Status::Signalled) {
      log_message(Level::Info, std::string("stopping on ") + sigabbrev_np(result.signo),
                  "signal");
      die_by_signal(result.signo);
    }
    return kExitBindFailed;
  }
  if (reporter.announced()) notifier.send("STATUS=Bound, starting " + program);

  // 7. Hand over: sockets at 3.., LISTEN_* set, nothing else of ours open,
  //    the caller's signal mask back, then exec (same pid, so LISTEN_PID holds).
  //    Our own descriptors (signalfd, notify socket) are closed first: the
  //    hand-over may dup2 a socket onto their numbers, and closing them
  //    afterwards would close that socket.
  notifier.close();
  signals.restore();
  std::string err;
  if (!apply_hand_over(inherited, result.fds, listen_fdnames(inherited, options.binds), &err)) {
    log_message(Level::Error, "cannot hand over the sockets: " + err, "handover_failed");
    remove_socket_files(options.binds, bound);
    return kExitBindFailed;
  }
  log_message(Level::Debug,
              "exec '" + program + "' with " + std::to_string(inherited.count + options.binds.size()) +
                  " socket(s)",
              "exec");
  stdio.release();
  const int exec_errno = exec_command(options.command);
  log_message(Level::Error, "cannot run '" + program + "': " + std::strerror(exec_errno),
              "exec_failed");
  remove_socket_files(options.binds, bound);
  return exec_failure_status(exec_errno);
}
