// bindretry: bind every address, retrying while it is not there yet, then
// exec the command with the sockets passed by systemd's socket activation
// protocol. main() is the list of steps; each lives in its own file.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "activation.h"
#include "cli.h"
#include "fd_limit.h"
#include "command.h"
#include "log.h"
#include "metrics.h"
#include "netwatch.h"
#include "notify.h"
#include "privileges.h"
#include "report.h"
#include "retry.h"
#include "signals.h"
#include "socket.h"
#include "supervise.h"

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

// Monitoring must never stop the service: a metrics file that cannot be
// written is a warning.
void save_metrics(const std::string& path, const MetricsRecorder& metrics) {
  if (path.empty()) return;
  std::string err;
  if (!write_file_atomically(path, format_metrics(metrics.outcomes(), std::chrono::system_clock::now()),
                             &err))
    log_message(Level::Warn, "cannot write metrics file '" + path + "': " + err, "metrics_failed");
}

// With --user, COMMAND must be runnable by that user, not by root: look it up
// in a child that has given up root already. When that cannot be told, the
// plain lookup stands and exec has the last word.
int find_command_as(const std::string& program, const std::optional<Credentials>& user) {
  if (!user || already_running_as(*user, current_ids())) return find_command(program);
  const pid_t pid = fork();
  if (pid < 0) return find_command(program);
  if (pid == 0) {
    std::string err;
    if (!drop_privileges(*user, &err)) _exit(3);
    const int found = find_command(program);
    _exit(found == 0 ? 0 : found == EACCES ? 1 : 2);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 2) return find_command(program);
  static constexpr int kAnswers[] = {0, EACCES, ENOENT};
  return kAnswers[WEXITSTATUS(status)];
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

  // 3. A --user that can never take effect fails before anything is bound.
  if (options.user) {
    std::string err;
    if (!can_switch_to(*options.user, current_ids(), &err)) {
      std::fprintf(stderr, "bindretry: error: --user '%s': %s\n", options.user_spec.c_str(),
                   err.c_str());
      return 2;
    }
  }

  // 4. A command that cannot be run fails now, not after minutes of waiting.
  const std::string& program = options.command.front();
  if (const int err = find_command_as(program, options.user); err != 0) {
    log_message(Level::Error, "cannot run '" + program + "': " + std::strerror(err), "exec_failed");
    return exec_failure_status(err);
  }

  // 5. Keep descriptors 0-2 occupied so no socket lands on a closed stdio slot.
  StdioGuard stdio;

  // 6. Sockets passed to bindretry itself are passed on in front of its own.
  InheritedSockets inherited = parse_inherited(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"),
                                               std::getenv("LISTEN_FDNAMES"), getpid());
  if (inherited.count > 0 && !pidfd_id_matches(std::getenv("LISTEN_PIDFDID"), own_pidfd_id())) {
    log_message(Level::Warn, "ignoring inherited LISTEN_FDS: LISTEN_PIDFDID names another process",
                "inherited_invalid");
    inherited = InheritedSockets{};
  }
  if (inherited.count > 0 && !verify_inherited(&inherited))
    log_message(Level::Warn, "ignoring inherited LISTEN_FDS: not every descriptor is open",
                "inherited_invalid");

  // 7. Enough descriptors for every socket, or fail before binding any.
  {
    std::string raised, err;
    if (!ensure_descriptor_limit(descriptors_needed(inherited.count + options.binds.size()),
                                 &raised, &err)) {
      log_message(Level::Error, "too many sockets: " + err, "fd_limit");
      return kExitBindFailed;
    }
    if (!raised.empty()) log_message(Level::Info, raised, "fd_limit_raised");
  }

  // 8. Bind with retry: backoff waits, cut short by address and link
  //    notifications, ended by SIGTERM/SIGINT/SIGHUP. bindretry's own
  //    descriptors stay above the socket slots.
  const int own_fd_floor = 3 + static_cast<int>(inherited.count + options.binds.size());
  TerminationSignals signals;
  // Blocked from now on, not from the first wait: a signal sent as soon as
  // the first failure is logged would otherwise take the default action
  // (leaving our socket files behind) or, as PID 1, be dropped by the kernel.
  signals.set_fd_floor(own_fd_floor);
  signals.fd();
  RealWaiter waiter(signals, options.watch_addresses, own_fd_floor);
  RealBinder binder(options.socket);
  RealTimeSource clock;
  Notifier notifier(own_fd_floor);
  EventReporter reporter(notifier, options.retry.max_time);
  MetricsRecorder metrics(options.binds, reporter, clock);
  RetryResult result =
      bind_with_retry(options.binds, options.retry, binder, clock, waiter, metrics);
  const std::vector<bool> bound = bound_mask(result, options.binds.size());
  if (result.status == RetryResult::Status::Bound) {
    // A signal that arrived during the last attempt still ends us.
    result.signo = signals.take_pending();
    if (result.signo != 0) result.status = RetryResult::Status::Signalled;
  }
  save_metrics(options.metrics_file, metrics);
  if (result.status != RetryResult::Status::Bound) {
    result.fds.clear();
    remove_socket_files(options.binds, bound);
    if (result.status == RetryResult::Status::Signalled) {
      log_message(Level::Info, std::string("stopping on SIG") + sigabbrev_np(result.signo),
                  "signal");
      die_by_signal(result.signo);
    }
    return kExitBindFailed;
  }
  if (reporter.announced()) notifier.send("STATUS=Bound, starting " + program);

  // Past this point a failure closes the sockets and removes the socket
  // files bindretry created.
  auto abandon = [&](const std::string& message, const char* event) {
    log_message(Level::Error, message, event);
    result.fds.clear();
    remove_socket_files(options.binds, bound);
    return kExitBindFailed;
  };

  // 9. Every socket is bound and every socket file has its owner and mode:
  //    only now give up root, then make sure nothing can regain it.
  if (options.user) {
    std::string err;
    if (!drop_privileges(*options.user, &err))
      return abandon("cannot run as '" + options.user_spec + "': " + err, "user_failed");
    set_user_environment(*options.user);
  }
  if (std::string err; options.no_new_privs && !set_no_new_privs(&err))
    return abandon("cannot set no-new-privs: " + err, "no_new_privs_failed");

  // 10. Supervise mode: bindretry stays, keeps the sockets open and forks the
  //     command, again after each exit; each child gets the hand-over of exec mode.
  if (options.supervise) {
    waiter.close();
    notifier.close();
    const std::string fdnames = listen_fdnames(inherited, options.binds);
    const ChildSetup setup = [&](std::string* err) {
      if (!apply_hand_over(inherited, result.fds, fdnames, err)) return false;
      stdio.release();
      return true;
    };
    const int status =
        supervise({options.command, options.restart, options.stop_timeout}, signals, setup);
    remove_socket_files(options.binds, bound);
    // exit(), not return: unwinding would give back the entry signal mask
    // while a signal may still be pending, and that would end us differently.
    std::exit(status);
  }

  // 11. Exec mode. Hand over: sockets at 3.., LISTEN_* set, nothing else of
  //     ours open, the caller's signal mask back, then exec (same pid, so
  //     LISTEN_PID holds). Our own descriptors are closed first: were one in
  //     a socket's slot, closing it after the hand-over would close the socket.
  notifier.close();
  signals.restore();
  std::string err;
  if (!apply_hand_over(inherited, result.fds, listen_fdnames(inherited, options.binds), &err))
    return abandon("cannot hand over the sockets: " + err, "handover_failed");
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
