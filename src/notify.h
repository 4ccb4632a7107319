// sd_notify(3) without libsystemd: datagrams to $NOTIFY_SOCKET, so that
// `systemctl status` shows why the service is not up yet.
#pragma once

#include <string>
#include <string_view>

#include "unique_fd.h"

namespace bindretry {

/// Sends state lines to the service manager; does nothing outside systemd.
class Notifier {
 public:
  /// Reads NOTIFY_SOCKET; the variable stays in the environment for the target.
  /// Its socket is kept at `fd_floor` or above (see move_above).
  explicit Notifier(int fd_floor = 3);
  bool enabled() const { return !path_.empty(); }
  /// Sends "KEY=value\n…"; failures are ignored (notification is best effort).
  void send(std::string_view message);
  /// Closes the socket before exec.
  void close() { fd_.reset(); }

 private:
  std::string path_;
  int fd_floor_;
  UniqueFd fd_;
};

}  // namespace bindretry
