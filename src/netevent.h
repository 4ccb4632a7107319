// What the kernel told us while we waited: an address appeared or a link came up.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace bindretry {

/// One notification that may let a failed bind succeed.
struct NetEvent {
  enum class Kind { AddressAdded, LinkUp, Overrun };
  Kind kind = Kind::AddressAdded;
  int family = 0;                  ///< AF_INET or AF_INET6 for AddressAdded
  std::array<uint8_t, 16> addr{};  ///< the local address, network order
  bool tentative = false;          ///< IPv6 address still in duplicate address detection
  int ifindex = 0;
  std::string ifname;              ///< LinkUp: the interface name, when known
};

}  // namespace bindretry
