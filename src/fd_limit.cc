#include "fd_limit.h"

#include <dirent.h>
#include <sys/resource.h>

#include <cstdlib>

#include <cerrno>
#include <cstring>

namespace bindretry {

namespace {
// Room for what bindretry itself opens while binding: the netlink and signal
// descriptors, a notify socket, a probe of a stale Unix socket, the resolver.
constexpr std::size_t kOwnDescriptors = 16;
// Below this much headroom, descriptors a parent left open are counted too.
constexpr std::size_t kCountBelow = 64;

// Calls f(fd) for every open descriptor but the directory's own.
template <typename F>
bool for_each_open_descriptor(F f) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != own) f(fd);
  }
  closedir(dir);
  return true;
}

}  // namespace

std::size_t descriptors_needed(std::size_t sockets) {
  std::size_t needed = 3 + sockets + kOwnDescriptors;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
      lim.rlim_cur < needed + kCountBelow) {
    // Close to the limit: descriptors a parent left open take numbers too.
    std::size_t open = 0;
    if (for_each_open_descriptor([&open](int) { ++open; })) needed += open > 3 ? open - 3 : 0;
  }
  return needed;
}

int highest_open_descriptor() {
  int highest = -1;
  for_each_open_descriptor([&highest](int fd) { highest = fd > highest ? fd : highest; });
  return highest;
}

bool ensure_descriptor_limit(std::size_t needed, std::string* raised, std::string* err) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return true;  // cannot tell; let binding say
  if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= needed) return true;
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < needed) {
    *err = "the sockets need " + std::to_string(needed) +
           " file descriptors but the hard open-file limit (RLIMIT_NOFILE) is " +
           std::to_string(lim.rlim_max);
    return false;
  }
  const rlim_t old = lim.rlim_cur;
  lim.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    *err = std::string("raising the open-file limit to ") + std::to_string(needed) + ": " +
           std::strerror(errno);
    return false;
  }
  *raised = "raised the open-file soft limit from " + std::to_string(old) + " to " +
            std::to_string(needed);
  return true;
}

}  // namespace bindretry
