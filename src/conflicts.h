// Requests that could never be bound side by side: the same socket file, or
// Internet addresses that overlap on one port (a dual-stack [::] socket
// covers every IPv4 address too). Found before binding, because the kernel's
// "Address already in use" would otherwise be retried as if someone else
// held the port. Pure.
#pragma once

#include <string>
#include <vector>

#include "address.h"
#include "socket.h"

namespace bindretry {

/// A pair of requests that conflict: `later` cannot be bound beside `earlier`.
struct Conflict {
  std::size_t earlier = 0;
  std::size_t later = 0;
  bool identical = false;  ///< the same address given twice
  std::string why;         ///< for overlaps: what makes them collide
};

/// Finds the first conflict, in --bind order. `defaults` gives the global
/// reuse-port, IPv6-only and device settings that per-socket options override;
/// relative Unix socket paths are taken from `cwd`.
bool find_conflict(const std::vector<BindRequest>& requests, const SocketOptions& defaults,
                   const std::string& cwd, Conflict* out);

}  // namespace bindretry
