// An owned file descriptor, closed on destruction.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace bindretry {

/// Owns one file descriptor; -1 means none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  /// Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

/// Moves `fd` to the lowest free number >= `floor`, close-on-exec. bindretry
/// keeps its own descriptors there so that the sockets, created at the lowest
/// free numbers, land directly in their hand-over slots 3, 4, ...
/// On failure the descriptor stays where it was.
inline UniqueFd move_above(UniqueFd fd, int floor) {
  if (!fd.valid() || fd.get() >= floor) return fd;
  const int moved = fcntl(fd.get(), F_DUPFD_CLOEXEC, floor);
  if (moved < 0) return fd;
  return UniqueFd(moved);
}

}  // namespace bindretry
