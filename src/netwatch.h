// Waiting between attempts: for the backoff deadline, for a kernel address or
// link notification (rtnetlink), or for a termination signal, whichever first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "retry.h"
#include "signals.h"

namespace bindretry {

/// Turns a buffer of rtnetlink messages into the events that may help a bind:
/// new addresses (with their tentative flag) and links that came up or appeared.
/// Pure, so it is tested with hand-made messages.
std::vector<NetEvent> parse_netlink(const uint8_t* data, std::size_t len);

/// The production clock.
class RealTimeSource : public TimeSource {
 public:
  TimePoint now() override { return Clock::now(); }
};

/// Sleeps in poll(): no busy loop, woken by the netlink socket or the signalfd.
class RealWaiter : public Waiter {
 public:
  /// Opens the rtnetlink subscription now, before the first attempt, so no
  /// address that appears after that attempt can be missed. Failure to open
  /// it is logged once and the plain schedule is used.
  /// Its descriptors are kept at `fd_floor` or above (see move_above).
  RealWaiter(TerminationSignals& signals, bool watch_addresses, int fd_floor);
  WaitResult wait_until(TimePoint until,
                        const std::function<bool(const NetEvent&)>& can_help) override;
  /// True when address notifications are being received.
  bool watching() const { return netlink_.valid(); }
  /// Stops the subscription (a supervisor that stays would queue messages forever).
  void close() { netlink_.reset(); }

 private:
  bool drain_netlink(const std::function<bool(const NetEvent&)>& can_help);
  TerminationSignals& signals_;
  UniqueFd netlink_;
};

}  // namespace bindretry
