#include "netwatch.h"

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "log.h"

namespace bindretry {
namespace {

// <net/if.h> and <linux/if.h> cannot both be included; this one is stable ABI.
constexpr unsigned kIffLowerUp = 1U << 16;

void parse_address(const nlmsghdr* h, std::vector<NetEvent>* out) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return;
  const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return;
  NetEvent e;
  e.kind = NetEvent::Kind::AddressAdded;
  e.family = ifa->ifa_family;
  e.ifindex = static_cast<int>(ifa->ifa_index);
  uint32_t flags = ifa->ifa_flags;
  const std::size_t want = ifa->ifa_family == AF_INET ? 4 : 16;
  bool have_local = false, have_address = false;
  std::array<uint8_t, 16> address{};
  int rta_len = static_cast<int>(IFA_PAYLOAD(h));
  for (const rtattr* a = IFA_RTA(ifa); RTA_OK(a, rta_len); a = RTA_NEXT(a, rta_len)) {
    const std::size_t n = RTA_PAYLOAD(a);
    // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours.
    if (a->rta_type == IFA_LOCAL && n == want) {
      std::memcpy(e.addr.data(), RTA_DATA(a), want);
      have_local = true;
    } else if (a->rta_type == IFA_ADDRESS && n == want) {
      std::memcpy(address.data(), RTA_DATA(a), want);
      have_address = true;
    } else if (a->rta_type == IFA_FLAGS && n == sizeof(uint32_t)) {
      std::memcpy(&flags, RTA_DATA(a), sizeof flags);
    }
  }
  if (!have_local && !have_address) return;
  if (!have_local) e.addr = address;
  e.tentative = (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) != 0;
  out->push_back(e);
}

void parse_link(const nlmsghdr* h, std::vector<NetEvent>* out) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return;
  const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
  // The kernel sets ifi_change to the flags that changed, all ones for a new
  // device. Only a device appearing or going up can help; statistics and
  // other attribute updates cannot.
  const unsigned up_flags = IFF_UP | IFF_RUNNING | kIffLowerUp;
  const bool appeared = ifi->ifi_change == ~0U;
  const bool went_up = (ifi->ifi_change & up_flags) != 0 && (ifi->ifi_flags & IFF_UP) != 0;
  if (!appeared && !went_up) return;
  NetEvent e;
  e.kind = NetEvent::Kind::LinkUp;
  e.ifindex = ifi->ifi_index;
  int rta_len = static_cast<int>(IFLA_PAYLOAD(h));
  for (const rtattr* a = IFLA_RTA(ifi); RTA_OK(a, rta_len); a = RTA_NEXT(a, rta_len)) {
    if (a->rta_type == IFLA_IFNAME)
      e.ifname.assign(static_cast<const char*>(RTA_DATA(a)), strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a)));
  }
  out->push_back(e);
}

}  // namespace

std::vector<NetEvent> parse_netlink(const uint8_t* data, std::size_t len) {
  std::vector<NetEvent> events;
  auto remaining = static_cast<unsigned>(len);
  for (auto* h = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(h, remaining);
       h = NLMSG_NEXT(h, remaining)) {
    if (h->nlmsg_type == RTM_NEWADDR) parse_address(h, &events);
    else if (h->nlmsg_type == RTM_NEWLINK) parse_link(h, &events);
  }
  return events;
}

RealWaiter::RealWaiter(TerminationSignals& signals, bool watch_addresses, int fd_floor)
    : signals_(signals) {
  signals_.set_fd_floor(fd_floor);
  if (!watch_addresses) return;
  UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (!fd.valid() ||
      ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    log_message(Level::Warn,
                std::string("cannot watch for network address changes (") + strerror(errno) +
                    "); retrying on the plain schedule",
                "watch_unavailable");
    return;
  }
  netlink_ = move_above(std::move(fd), fd_floor);
}

bool RealWaiter::drain_netlink(const std::function<bool(const NetEvent&)>& can_help) {
  alignas(nlmsghdr) uint8_t buf[16384];
  bool helped = false;
  for (;;) {
    const ssize_t n = recv(netlink_.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != ENOBUFS) return helped;
      // The kernel dropped notifications; whatever they said may matter.
      NetEvent lost;
      lost.kind = NetEvent::Kind::Overrun;
      if (can_help(lost)) helped = true;
      continue;
    }
    for (const NetEvent& e : parse_netlink(buf, static_cast<std::size_t>(n)))
      if (can_help(e)) helped = true;
  }
}

WaitResult RealWaiter::wait_until(TimePoint until,
                                  const std::function<bool(const NetEvent&)>& can_help) {
  pollfd fds[2] = {{signals_.fd(), POLLIN, 0}, {netlink_.get(), POLLIN, 0}};
  for (;;) {
    if (const int sig = signals_.take_pending(); sig != 0) return {WaitResult::Kind::Signal, sig};
    const TimePoint now = Clock::now();
    if (now >= until) return {WaitResult::Kind::Timeout, 0};
    // Round up, so we never wake a hair early and spin on a zero timeout.
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(until - now);
    timespec ts{static_cast<time_t>(left.count() / 1'000'000'000),
                static_cast<long>(left.count() % 1'000'000'000)};
    const int rc = ppoll(fds, netlink_.valid() ? 2 : 1, &ts, nullptr);
    if (rc < 0 && errno != EINTR) return {WaitResult::Kind::Timeout, 0};
    if (rc <= 0 || !netlink_.valid() || fds[1].revents == 0) continue;
    // POLLERR (an overrun) is consumed by recv() in drain_netlink; a socket
    // that is gone for good would wake poll forever, so stop watching it.
    if (fds[1].revents & (POLLHUP | POLLNVAL)) {
      netlink_.reset();
      fds[1].fd = -1;
      continue;
    }
    if (drain_netlink(can_help)) return {WaitResult::Kind::Woken, 0};
  }
}

}  // namespace bindretry
