#include "conflicts.h"

#include <doctest/doctest.h>

using namespace bindretry;

namespace {

std::vector<BindRequest> parse_all(std::initializer_list<const char*> texts) {
  std::vector<BindRequest> out;
  for (const char* t : texts) {
    BindRequest r;
    std::string err;
    REQUIRE_MESSAGE(parse_bind(t, &r, &err), err);
    out.push_back(r);
  }
  return out;
}

}  // namespace

TEST_CASE("which pairs of addresses can never be bound side by side") {
  struct Case {
    std::initializer_list<const char*> binds;
    bool ipv6_only;
    bool conflict;
    bool identical;
  };
  const Case table[] = {
      {{"8080", "8080"}, false, true, true},
      {{"8080", "8081"}, false, false, false},
      {{"8080", "0.0.0.0:8080"}, false, true, false},     // dual-stack covers IPv4
      {{"8080", "0.0.0.0:8080"}, true, false, false},     // unless IPv6-only
      {{"8080", "127.0.0.1:8080"}, false, true, false},
      {{"[::]:8080", "0.0.0.0:8080"}, false, true, false},
      {{"[::]:8080", "0.0.0.0:8080"}, true, false, false},
      {{"0.0.0.0:8080", "127.0.0.1:8080"}, false, true, false},
      {{"127.0.0.1:8080", "127.0.0.2:8080"}, false, false, false},
      {{"127.0.0.1:8080", "[::1]:8080"}, false, false, false},
      {{"[::1]:8080", "[0:0::1]:8080"}, false, true, true},
      {{"8080", "udp:8080"}, false, false, false},          // TCP and UDP ports are separate
      {{"udp:53", "udp:0.0.0.0:53"}, false, true, false},
      {{"127.0.0.1:0", "127.0.0.1:0"}, false, false, false},  // the kernel picks two ports
      {{"localhost:80", "localhost:80"}, false, false, false},  // known only when resolved
      {{"/run/a.sock", "unix:/run/a.sock"}, false, true, true},
      {{"@a", "/a"}, false, false, false},
      {{"@a", "unix:@a"}, false, true, true},
      {{"@a", "unix-dgram:@a"}, false, false, false},  // abstract names are per type
      {{"/run/a", "unix-dgram:/run/a"}, false, true, true},  // one file whatever the type
      {{"[::ffff:127.0.0.1]:80", "127.0.0.1:80"}, false, true, true},
      {{"[::ffff:0.0.0.0]:80", "127.0.0.1:80"}, false, true, false},
      {{"[::ffff:127.0.0.1]:80", "127.0.0.1:80"}, true, false, false},  // IPv6-only
      {{"/run/a.sock", "//run/./a.sock"}, false, true, true},
      {{"/srv/app/a.sock", "./a.sock"}, false, true, true},
      {{"unix:a.sock", "/srv/app/a.sock"}, false, true, true},
      {{"/run/a.sock", "/run/b/../a.sock"}, false, false, false},  // '..' may be a symlink
      {{"8080,reuseport", "8080,reuseport"}, false, false, false},
      {{"8080,reuseport", "8080"}, false, true, true},
      {{"8080,device=eth0", "8080,device=eth1"}, false, false, false},
      {{"8080,device=eth0", "8080"}, false, true, true},
      {{"8080,ipv6only", "0.0.0.0:8080"}, false, false, false},
  };
  for (const Case& c : table) {
    const auto requests = parse_all(c.binds);
    CAPTURE(requests[0].spec);
    CAPTURE(requests[1].spec);
    SocketOptions defaults;
    defaults.ipv6_only = c.ipv6_only;
    Conflict found;
    CHECK(find_conflict(requests, defaults, "/srv/app", &found) == c.conflict);
    if (c.conflict) {
      CHECK(found.earlier == 0);
      CHECK(found.later == 1);
      CHECK(found.identical == c.identical);
      if (!c.identical) CHECK_FALSE(found.why.empty());
    }
  }
}

TEST_CASE("the global --reuse-port lets the same port be given twice") {
  const auto requests = parse_all({"8080", "8080"});
  SocketOptions defaults;
  defaults.reuse_port = true;
  Conflict found;
  CHECK_FALSE(find_conflict(requests, defaults, "/srv/app", &found));
}
