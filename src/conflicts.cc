#include "conflicts.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <map>
#include <string_view>
#include <utility>

namespace bindretry {
namespace {

// What one Internet request occupies, as far as the kernel's bind conflict
// rules go.
struct Footprint {
  bool v4 = false, v6 = false;  // families it takes the port in
  bool wildcard = false;
  std::array<uint8_t, 16> addr{};
  std::string scope;
  std::string device;  // empty: every device
  bool reuse_port = false;
};

Footprint footprint(const BindRequest& r, const SocketOptions& defaults) {
  Footprint f;
  f.reuse_port = r.options.reuse_port.value_or(defaults.reuse_port);
  f.device = r.options.device.value_or(defaults.bind_device);
  f.scope = r.scope;
  const bool v6only = r.options.ipv6_only.value_or(defaults.ipv6_only);
  switch (r.host_kind) {
    case HostKind::Any:
      f.wildcard = true;
      f.v6 = true;
      f.v4 = !v6only;  // [::] without IPV6_V6ONLY also takes 0.0.0.0
      break;
    case HostKind::IPv4:
      inet_pton(AF_INET, r.host.c_str(), f.addr.data());
      f.v4 = true;
      f.wildcard = std::memcmp(f.addr.data(), "\0\0\0\0", 4) == 0;
      break;
    case HostKind::IPv6: {
      inet_pton(AF_INET6, r.host.c_str(), f.addr.data());
      static const std::array<uint8_t, 16> any{};
      static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
      if (!v6only && std::memcmp(f.addr.data(), mapped_prefix, 12) == 0) {
        // [::ffff:a.b.c.d] on a dual-stack socket is the IPv4 address a.b.c.d.
        std::memmove(f.addr.data(), f.addr.data() + 12, 4);
        std::memset(f.addr.data() + 4, 0, 12);
        f.v4 = true;
        f.wildcard = std::memcmp(f.addr.data(), "\0\0\0\0", 4) == 0;
        break;
      }
      f.v6 = true;
      f.wildcard = f.addr == any;
      f.v4 = f.wildcard && !v6only;
      break;
    }
    case HostKind::Name:
      break;  // unknown until resolved; the kernel will tell
  }
  return f;
}

// The kernel's rule: a port is shared only when both sockets ask for
// SO_REUSEPORT, or they are bound to different devices, or their addresses
// cannot meet (different families, or two different specific addresses).
bool collide(const Footprint& a, const Footprint& b, std::string* why) {
  if (a.reuse_port && b.reuse_port) return false;
  if (!a.device.empty() && !b.device.empty() && a.device != b.device) return false;
  const bool v4 = a.v4 && b.v4, v6 = a.v6 && b.v6;
  if (!v4 && !v6) return false;
  if (a.wildcard || b.wildcard) {
    *why = (a.wildcard && a.v4 && a.v6) || (b.wildcard && b.v4 && b.v6)
               ? "a dual-stack socket on every address already takes this port for IPv4 too; "
                 "use --ipv6-only (or ipv6only) to bind IPv4 and IPv6 separately"
               : "a socket on every address already takes this port";
    return true;
  }
  const bool same = std::memcmp(a.addr.data(), b.addr.data(), v4 ? 4 : 16) == 0 &&
                    a.scope == b.scope;
  return same;
}

std::string port_key(const BindRequest& r) {
  return std::string(r.kind == SocketKind::UdpDatagram ? "udp " : "tcp ") + std::to_string(r.port);
}

// The same file however it is spelled: absolute, without empty or "."
// components. ".." is kept: only the file system knows where it leads.
std::string path_key(const BindRequest& r, const std::string& cwd) {
  // Abstract names are looked up per socket type; files collide whatever the type.
  if (r.abstract) return "@" + std::to_string(static_cast<int>(r.kind)) + " " + r.path;
  const std::string full = r.path[0] == '/' ? r.path : cwd + "/" + r.path;
  std::string key;
  std::size_t start = 0;
  while (start <= full.size()) {
    std::size_t end = full.find('/', start);
    if (end == std::string::npos) end = full.size();
    const std::string_view part(full.data() + start, end - start);
    if (!part.empty() && part != ".") key.append("/").append(part);
    start = end + 1;
  }
  return key.empty() ? "/" : key;
}

}  // namespace

bool find_conflict(const std::vector<BindRequest>& requests, const SocketOptions& defaults,
                   const std::string& cwd, Conflict* out) {
  std::map<std::string, std::size_t> paths;
  std::map<std::string, std::vector<std::pair<std::size_t, Footprint>>> ports;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const BindRequest& r = requests[i];
    if (is_unix(r.kind)) {
      const auto [it, fresh] = paths.emplace(path_key(r, cwd), i);
      if (!fresh) {
        *out = {it->second, i, true, {}};
        return true;
      }
      continue;
    }
    // Port 0 always gets a free port; a host name is only known when resolved.
    if (r.port == 0 || r.host_kind == HostKind::Name) continue;
    const Footprint f = footprint(r, defaults);
    auto& bucket = ports[port_key(r)];
    for (const auto& [j, g] : bucket) {
      std::string why;
      if (!collide(g, f, &why)) continue;
      const bool identical = g.v4 == f.v4 && g.v6 == f.v6 && g.addr == f.addr && g.scope == f.scope;
      *out = {j, i, identical, identical ? std::string() : why};
      return true;
    }
    bucket.emplace_back(i, f);
  }
  return false;
}

}  // namespace bindretry
