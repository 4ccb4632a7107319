#include "activation.h"

#include "fd_limit.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace bindretry {
namespace {

// Strictly decimal, no sign, no spaces, no overflow: what sd_listen_fds accepts.
bool parse_decimal(const char* text, unsigned long* out) {
  if (!text || !*text) return false;
  unsigned long value = 0;
  for (const char* p = text; *p; ++p) {
    if (*p < '0' || *p > '9') return false;
    if (value > (ULONG_MAX - 9) / 10) return false;
    value = value * 10 + static_cast<unsigned long>(*p - '0');
  }
  *out = value;
  return true;
}

std::vector<std::string> split_names(const char* text) {
  std::vector<std::string> names;
  std::string current;
  for (const char* p = text; *p; ++p) {
    if (*p == ':') {
      names.push_back(current);
      current.clear();
    } else {
      current += *p;
    }
  }
  names.push_back(current);
  return names;
}

bool clear_cloexec(int fd) {
  const int flags = fcntl(fd, F_GETFD);
  return flags >= 0 && fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == 0;
}

// Everything from `first` up is close-on-exec: close_range where the kernel
// has it (5.11+), otherwise one fcntl per open descriptor.
bool cloexec_from(int first) {
  if (syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return true;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd >= first && fd != own) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  closedir(dir);
  return true;
}

}  // namespace

InheritedSockets parse_inherited(const char* listen_pid, const char* listen_fds,
                                 const char* listen_fdnames, pid_t pid) {
  InheritedSockets inherited;
  unsigned long sent_pid = 0, count = 0;
  if (!parse_decimal(listen_pid, &sent_pid) || sent_pid != static_cast<unsigned long>(pid))
    return inherited;
  // More than a few hundred thousand descriptors cannot be real.
  if (!parse_decimal(listen_fds, &count) || count == 0 || count > (INT_MAX - 3) / 2)
    return inherited;
  inherited.count = static_cast<unsigned>(count);
  if (listen_fdnames) inherited.names = split_names(listen_fdnames);
  if (inherited.names.size() != count) inherited.names.assign(count, "unknown");
  return inherited;
}

bool pidfd_id_matches(const char* listen_pidfdid, std::optional<uint64_t> own_id) {
  if (!listen_pidfdid) return true;
  unsigned long id = 0;
  if (!parse_decimal(listen_pidfdid, &id)) return false;
  return !own_id || *own_id == id;
}

std::optional<uint64_t> own_pidfd_id() {
  constexpr long kPidFsMagic = 0x50494446;  // "PIDF": pidfds with unique inodes
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0)));
  struct statfs fs{};
  struct stat st{};
  if (!pidfd.valid() || fstatfs(pidfd.get(), &fs) != 0 || fs.f_type != kPidFsMagic ||
      fstat(pidfd.get(), &st) != 0)
    return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

std::string listen_fdnames(const InheritedSockets& inherited,
                           const std::vector<BindRequest>& requests) {
  std::string out;
  auto add = [&out](const std::string& name) {
    if (!out.empty()) out += ':';
    out += name.empty() ? "unknown" : name;
  };
  for (const std::string& name : inherited.names) add(name);
  for (const BindRequest& r : requests) add(r.name);
  return out;
}

bool verify_inherited(InheritedSockets* inherited) {
  for (unsigned i = 0; i < inherited->count; ++i) {
    if (fcntl(static_cast<int>(3 + i), F_GETFD) < 0) {
      *inherited = InheritedSockets{};
      return false;
    }
  }
  return true;
}

bool apply_hand_over(const InheritedSockets& inherited, std::vector<UniqueFd>& own,
                     const std::string& fdnames, std::string* err) {
  const int first_own = 3 + static_cast<int>(inherited.count);
  const int total = static_cast<int>(inherited.count + own.size());
  // Step 1: move every own socket that is not already in its slot above the
  // final range, so that no dup2 into a slot can clobber a socket still
  // waiting for its own. A socket already in its slot stays: only it is ever
  // put there. (Sockets are created at the lowest free numbers, so usually
  // every one is in place and this costs nothing.)
  std::size_t misplaced = 0;
  for (std::size_t i = 0; i < own.size(); ++i)
    misplaced += own[i].get() != first_own + static_cast<int>(i);
  // The copies take the lowest free numbers above the final range, which may
  // be above descriptors bindretry or its parent still hold open there.
  std::string raised;
  if (misplaced > 0) {
    const int above = std::max(highest_open_descriptor() + 1, 3 + total);
    if (!ensure_descriptor_limit(static_cast<std::size_t>(above) + misplaced, &raised, err))
      return false;
  }
  for (std::size_t i = 0; i < own.size(); ++i) {
    UniqueFd& fd = own[i];
    if (fd.get() == first_own + static_cast<int>(i)) continue;
    const int moved = fcntl(fd.get(), F_DUPFD_CLOEXEC, 3 + total);
    if (moved < 0) {
      *err = std::string("moving socket out of the way: ") + strerror(errno);
      return false;
    }
    fd.reset(moved);
  }
  // Step 2: each into its slot. dup2 leaves FD_CLOEXEC clear on the new
  // descriptor; sockets already in place are cleared explicitly below.
  for (std::size_t i = 0; i < own.size(); ++i) {
    const int slot = first_own + static_cast<int>(i);
    if (own[i].get() == slot) continue;
    if (dup2(own[i].get(), slot) < 0) {
      *err = std::string("placing socket at descriptor ") + std::to_string(slot) + ": " +
             strerror(errno);
      return false;
    }
    own[i].reset();  // close the temporary copy
    own[i] = UniqueFd(slot);
  }
  for (int fd = 3; fd < 3 + total; ++fd) {
    if (!clear_cloexec(fd)) {
      *err = "clearing close-on-exec on descriptor " + std::to_string(fd) + ": " + strerror(errno);
      return false;
    }
  }
  // Step 3: nothing else of ours, or inherited from our parent, reaches the target.
  if (!cloexec_from(3 + total)) {
    *err = std::string("marking descriptors close-on-exec: ") + strerror(errno);
    return false;
  }
  // Step 4: the environment. LISTEN_PIDFDID would name another process; drop it.
  unsetenv("LISTEN_PIDFDID");
  setenv("LISTEN_FDS", std::to_string(total).c_str(), 1);
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  setenv("LISTEN_FDNAMES", fdnames.c_str(), 1);
  for (UniqueFd& fd : own) fd.release();  // they now belong to the target
  return true;
}

StdioGuard::StdioGuard() {
  for (int fd = 0; fd < 3; ++fd) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    // open() returns the lowest free descriptor, which is this one.
    const int placeholder = open("/dev/null", O_RDWR | O_CLOEXEC);
    placeholder_[fd] = placeholder == fd;
    if (placeholder >= 0 && placeholder != fd) close(placeholder);
  }
}

void StdioGuard::release() {
  for (int fd = 0; fd < 3; ++fd) {
    if (placeholder_[fd]) close(fd);
    placeholder_[fd] = false;
  }
}

}  // namespace bindretry
