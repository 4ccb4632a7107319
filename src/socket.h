// Creating, configuring, binding and listening one socket: the system-call
// side of a bind attempt.
#pragma once

#include <string>
#include <vector>
#include <sys/socket.h>
#include <sys/types.h>

#include "retry.h"
#include "socket_options.h"

namespace bindretry {

/// Settings shared by every socket.
struct SocketOptions {
  int backlog = 4096;        ///< listen() backlog for stream and seqpacket sockets
  std::string bind_device;   ///< SO_BINDTODEVICE interface, empty for none
  bool reuse_port = false;   ///< SO_REUSEPORT
  bool ipv6_only = false;    ///< IPV6_V6ONLY on IPv6 sockets (default: dual-stack)
  mode_t socket_mode = 0666; ///< permissions of Unix socket files
  uid_t owner_uid = static_cast<uid_t>(-1);  ///< owner of Unix socket files, -1: unchanged
  gid_t owner_gid = static_cast<gid_t>(-1);  ///< group of Unix socket files, -1: unchanged
};

/// The settings for one socket: `global` with what its --bind overrides.
SocketOptions apply_overrides(SocketOptions global, const SocketOverrides& overrides);

/// The production binder: real sockets, real getaddrinfo.
class RealBinder : public Binder {
 public:
  explicit RealBinder(SocketOptions options) : options_(std::move(options)) {}
  BindAttempt bind(const BindRequest& request, bool freebind) override;

 private:
  BindAttempt bind_inet(const BindRequest& request, const SocketOptions& options, bool freebind);
  BindAttempt bind_unix(const BindRequest& request, const SocketOptions& options);
  const std::string* held_by_us(int type, const sockaddr_storage& wanted) const;

  /// An Internet socket this binder bound, to tell "in use by another
  /// process" (worth retrying) from "in use by one of ours" (never frees).
  struct Held {
    int type;
    sockaddr_storage addr;
    bool v6only;
    std::string spec;
  };
  /// A socket file this binder created, by identity, not by name.
  struct HeldFile {
    dev_t dev;
    ino_t ino;
    std::string spec;
  };
  const std::string* file_held_by_us(const std::string& path) const;
  SocketOptions options_;
  std::vector<Held> held_;
  std::vector<HeldFile> held_files_;
};

/// "127.0.0.1:8080", "[::1]:8080", "/run/x.sock", "@name": the address a socket is bound to.
std::string local_address(int fd);

}  // namespace bindretry
