#include "netwatch.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cstring>
#include <vector>

using namespace bindretry;

namespace {

// Builds rtnetlink messages the way the kernel lays them out.
class MessageBuilder {
 public:
  void address(uint16_t type, int family, const void* local, std::size_t len, uint32_t flags,
               bool with_local_attr = true) {
    const std::size_t start = begin(type, sizeof(ifaddrmsg));
    ifaddrmsg ifa{};
    ifa.ifa_family = static_cast<unsigned char>(family);
    ifa.ifa_index = 3;
    ifa.ifa_flags = static_cast<unsigned char>(flags & 0xff);
    put(start + NLMSG_HDRLEN, &ifa, sizeof ifa);
    attr(IFA_ADDRESS, local, len);
    if (with_local_attr) attr(IFA_LOCAL, local, len);
    attr(IFA_FLAGS, &flags, sizeof flags);
    end(start);
  }
  void link(unsigned flags, unsigned change, const char* name) {
    const std::size_t start = begin(RTM_NEWLINK, sizeof(ifinfomsg));
    ifinfomsg ifi{};
    ifi.ifi_index = 7;
    ifi.ifi_flags = flags;
    ifi.ifi_change = change;
    put(start + NLMSG_HDRLEN, &ifi, sizeof ifi);
    attr(IFLA_IFNAME, name, std::strlen(name) + 1);
    end(start);
  }
  const std::vector<uint8_t>& bytes() const { return buf_; }

 private:
  std::size_t begin(uint16_t type, std::size_t payload) {
    const std::size_t start = buf_.size();
    buf_.resize(start + NLMSG_LENGTH(NLMSG_ALIGN(payload)));
    nlmsghdr h{};
    h.nlmsg_type = type;
    put(start, &h, sizeof h);
    return start;
  }
  void attr(uint16_t type, const void* data, std::size_t len) {
    const std::size_t start = buf_.size();
    buf_.resize(start + RTA_SPACE(len));
    rtattr a{};
    a.rta_type = type;
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    put(start, &a, sizeof a);
    put(start + RTA_LENGTH(0), data, len);
  }
  void end(std::size_t start) {
    buf_.resize(NLMSG_ALIGN(buf_.size()));
    const auto len = static_cast<uint32_t>(buf_.size() - start);
    put(start, &len, sizeof len);  // nlmsg_len is the first member
  }
  void put(std::size_t at, const void* data, std::size_t len) {
    std::memcpy(buf_.data() + at, data, len);
  }
  std::vector<uint8_t> buf_;
};

}  // namespace

TEST_CASE("a new IPv4 address is reported with its local address") {
  MessageBuilder m;
  in_addr a{};
  inet_pton(AF_INET, "100.64.1.2", &a);
  m.address(RTM_NEWADDR, AF_INET, &a, sizeof a, 0);
  const auto events = parse_netlink(m.bytes().data(), m.bytes().size());
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == NetEvent::Kind::AddressAdded);
  CHECK(events[0].family == AF_INET);
  CHECK(std::memcmp(events[0].addr.data(), &a, 4) == 0);
  CHECK_FALSE(events[0].tentative);
}

TEST_CASE("a tentative IPv6 address is marked, the confirmed one is not") {
  MessageBuilder m;
  in6_addr a{};
  inet_pton(AF_INET6, "fd7a:115c:a1e0::1", &a);
  m.address(RTM_NEWADDR, AF_INET6, &a, sizeof a, IFA_F_TENTATIVE, false);
  m.address(RTM_NEWADDR, AF_INET6, &a, sizeof a, IFA_F_PERMANENT, false);
  const auto events = parse_netlink(m.bytes().data(), m.bytes().size());
  REQUIRE(events.size() == 2);
  CHECK(events[0].tentative);
  CHECK_FALSE(events[1].tentative);
  CHECK(std::memcmp(events[1].addr.data(), &a, 16) == 0);
}

TEST_CASE("removed addresses are not events") {
  MessageBuilder m;
  in_addr a{};
  m.address(RTM_DELADDR, AF_INET, &a, sizeof a, 0);
  CHECK(parse_netlink(m.bytes().data(), m.bytes().size()).empty());
}

TEST_CASE("only links that appear or go up are events") {
  MessageBuilder m;
  m.link(IFF_UP, IFF_UP, "tailscale0");          // went up
  m.link(0, ~0U, "wg0");                          // new device
  m.link(IFF_UP, 0, "eth0");                      // some attribute changed
  m.link(0, IFF_UP, "eth1");                      // went down
  const auto events = parse_netlink(m.bytes().data(), m.bytes().size());
  REQUIRE(events.size() == 2);
  CHECK(events[0].ifname == "tailscale0");
  CHECK(events[1].ifname == "wg0");
}

TEST_CASE("truncated input is ignored safely") {
  MessageBuilder m;
  in_addr a{};
  m.address(RTM_NEWADDR, AF_INET, &a, sizeof a, 0);
  for (std::size_t n = 0; n < m.bytes().size(); ++n) parse_netlink(m.bytes().data(), n);
  CHECK(parse_netlink(m.bytes().data(), 0).empty());
}
