#include "fd_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace bindretry {

namespace {
// Room for what bindretry itself opens while binding: the netlink and signal
// descriptors, a notify socket, a probe of a stale Unix socket, the resolver.
constexpr std::size_t kOwnDescriptors = 16;
}  // namespace

std::size_t descriptors_needed(std::size_t sockets) {
  return 3 + sockets + kOwnDescriptors;
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
