#include "notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "address.h"

namespace bindretry {

Notifier::Notifier(int fd_floor) : fd_floor_(fd_floor) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  // Only Unix sockets (a path or an abstract '@' name) are supported here;
  // anything else (vsock:) is skipped silently, like a missing variable.
  if (!env || (env[0] != '/' && env[0] != '@') || std::strlen(env) > kMaxUnixPath) return;
  path_ = env;
}

void Notifier::send(std::string_view message) {
  if (path_.empty()) return;
  if (!fd_.valid()) fd_ = move_above(UniqueFd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)), fd_floor_);
  if (!fd_.valid()) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  if (path_[0] == '@') addr.sun_path[0] = '\0';
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size() +
                                          (path_[0] == '@' ? 0 : 1));
  sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL,
         reinterpret_cast<const sockaddr*>(&addr), len);
}

}  // namespace bindretry
