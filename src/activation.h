// The socket-activation hand-over (sd_listen_fds(3)): which sockets the target
// gets, at which descriptors, with which LISTEN_* variables. The plan is pure;
// applying it is the only part that touches descriptors and the environment.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "unique_fd.h"

namespace bindretry {

/// Sockets passed to bindretry itself by socket activation.
struct InheritedSockets {
  unsigned count = 0;              ///< at fds 3 .. 3+count-1
  std::vector<std::string> names;  ///< exactly `count` entries
};

/// Reads an inherited LISTEN_PID/LISTEN_FDS/LISTEN_FDNAMES set. Only a set
/// addressed to `pid` with a valid count is ours; anything else yields count 0.
/// Names fall back to "unknown" when LISTEN_FDNAMES is absent or malformed.
InheritedSockets parse_inherited(const char* listen_pid, const char* listen_fds,
                                 const char* listen_fdnames, pid_t pid);

/// Whether an inherited LISTEN_PIDFDID (newer systemd: the inode ID of the
/// receiver's pidfd) names us. Absent, or our own ID unknown: it does not
/// disqualify the set; a malformed value or another process's ID does.
bool pidfd_id_matches(const char* listen_pidfdid, std::optional<uint64_t> own_id);

/// This process's pidfd inode ID, where the kernel gives pidfds unique
/// inodes (pidfs, Linux 6.9+); nullopt elsewhere.
std::optional<uint64_t> own_pidfd_id();

/// The LISTEN_FDNAMES value: inherited names, then one per request ("unknown"
/// for unnamed ones).
std::string listen_fdnames(const InheritedSockets& inherited,
                           const std::vector<BindRequest>& requests);

/// Checks that the inherited descriptors are really open; if any is not, the
/// whole set is dropped (count 0) and false is returned.
bool verify_inherited(InheritedSockets* inherited);

/// Puts inherited sockets at 3.., then `own` after them, all without
/// FD_CLOEXEC; marks every other descriptor above 2 close-on-exec; replaces
/// every LISTEN_* variable. After this, exec hands exactly these sockets over.
bool apply_hand_over(const InheritedSockets& inherited, std::vector<UniqueFd>& own,
                     const std::string& fdnames, std::string* err);

/// Keeps descriptors 0-2 occupied (with /dev/null where they were closed) so
/// that no socket lands there; release() closes the placeholders again.
class StdioGuard {
 public:
  StdioGuard();
  void release();
 private:
  bool placeholder_[3] = {false, false, false};
};

}  // namespace bindretry
