#include "socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace bindretry {
namespace {

int socket_type(SocketKind kind) {
  switch (kind) {
    case SocketKind::TcpStream:
    case SocketKind::UnixStream:
      return SOCK_STREAM;
    case SocketKind::UdpDatagram:
    case SocketKind::UnixDatagram:
      return SOCK_DGRAM;
    case SocketKind::UnixSeqPacket:
      return SOCK_SEQPACKET;
  }
  return SOCK_STREAM;
}

BindAttempt failed(BindError error) {
  BindAttempt a;
  a.error = std::move(error);
  return a;
}

BindAttempt failed_errno(std::string detail = {}) {
  return failed(BindError::from_errno(errno, std::move(detail)));
}

bool set_int_option(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

struct Resolved {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// Fills `out` for the request's host; a resolver or interface failure is a
// retryable bind failure like any other.
BindError resolve(const BindRequest& r, int type, bool want_ipv6_any, Resolved* out) {
  out->addr = {};
  switch (r.host_kind) {
    case HostKind::Any:
      if (want_ipv6_any) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&out->addr);
        a6->sin6_family = AF_INET6;
        a6->sin6_addr = in6addr_any;
        a6->sin6_port = htons(r.port);
        out->len = sizeof *a6;
      } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&out->addr);
        a4->sin_family = AF_INET;
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
        a4->sin_port = htons(r.port);
        out->len = sizeof *a4;
      }
      return {};
    case HostKind::IPv4: {
      auto* a4 = reinterpret_cast<sockaddr_in*>(&out->addr);
      a4->sin_family = AF_INET;
      inet_pton(AF_INET, r.host.c_str(), &a4->sin_addr);
      a4->sin_port = htons(r.port);
      out->len = sizeof *a4;
      return {};
    }
    case HostKind::IPv6: {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(&out->addr);
      a6->sin6_family = AF_INET6;
      inet_pton(AF_INET6, r.host.c_str(), &a6->sin6_addr);
      a6->sin6_port = htons(r.port);
      if (!r.scope.empty()) {
        uint16_t numeric = 0;
        a6->sin6_scope_id = parse_port(r.scope, &numeric) ? numeric : if_nametoindex(r.scope.c_str());
        if (a6->sin6_scope_id == 0)
          return BindError::from_errno(ENODEV, "interface '" + r.scope + "'");
      }
      out->len = sizeof *a6;
      return {};
    }
    case HostKind::Name:
      break;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(r.port);
  const int rc = getaddrinfo(r.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) {
    if (rc == EAI_SYSTEM) return BindError::from_errno(errno, "resolving '" + r.host + "'");
    return BindError::from_resolver(rc);
  }
  std::memcpy(&out->addr, list->ai_addr, list->ai_addrlen);
  out->len = list->ai_addrlen;
  freeaddrinfo(list);
  return {};
}

}  // namespace

SocketOptions apply_overrides(SocketOptions global, const SocketOverrides& o) {
  SocketOptions s = std::move(global);
  if (o.backlog) s.backlog = *o.backlog;
  if (o.device) s.bind_device = *o.device;
  if (o.reuse_port) s.reuse_port = *o.reuse_port;
  if (o.ipv6_only) s.ipv6_only = *o.ipv6_only;
  if (o.mode) s.socket_mode = *o.mode;
  // An owner given on the socket replaces the global one entirely: "owner=app"
  // must not keep a group from --socket-owner.
  if (o.owner_uid || o.owner_gid) {
    s.owner_uid = o.owner_uid.value_or(static_cast<uid_t>(-1));
    s.owner_gid = o.owner_gid.value_or(static_cast<gid_t>(-1));
  }
  return s;
}

namespace {

struct InetView {
  int family = 0;
  uint16_t port = 0;
  const uint8_t* addr = nullptr;  // 4 or 16 bytes
  bool wildcard = false;
  bool v6only = false;
};

InetView view(const sockaddr_storage& ss) {
  InetView v;
  v.family = ss.ss_family;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    v.port = ntohs(a->sin_port);
    v.addr = reinterpret_cast<const uint8_t*>(&a->sin_addr);
    v.wildcard = a->sin_addr.s_addr == htonl(INADDR_ANY);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    v.port = ntohs(a->sin6_port);
    v.addr = reinterpret_cast<const uint8_t*>(&a->sin6_addr);
    v.wildcard = IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {  // [::ffff:a.b.c.d] is a.b.c.d
      v.family = AF_INET;
      v.addr += 12;
      v.wildcard = std::memcmp(v.addr, "\0\0\0\0", 4) == 0;
    }
  }
  return v;
}

}  // namespace

const std::string* RealBinder::held_by_us(int type, const sockaddr_storage& wanted) const {
  const InetView w = view(wanted);
  for (const Held& h : held_) {
    const InetView v = view(h.addr);
    if (h.type != type || v.port != w.port || v.addr == nullptr || w.addr == nullptr) continue;
    // The very same address, a wildcard of the same family, or a dual-stack
    // [::] socket, which takes the IPv4 port too.
    bool overlap;
    if (v.family == w.family)
      overlap = v.wildcard || w.wildcard ||
                std::memcmp(v.addr, w.addr, v.family == AF_INET ? 4 : 16) == 0;
    else
      overlap = v.family == AF_INET6 ? v.wildcard && !h.v6only : w.wildcard;
    if (overlap) return &h.spec;
  }
  return nullptr;
}

BindAttempt RealBinder::bind(const BindRequest& request, bool freebind) {
  const SocketOptions options = apply_overrides(options_, request.options);
  if (is_unix(request.kind)) return bind_unix(request, options);
  return bind_inet(request, options, request.options.freebind.value_or(freebind));
}

BindAttempt RealBinder::bind_inet(const BindRequest& r, const SocketOptions& opts,
                                  bool freebind) {
  const int type = socket_type(r.kind);
  // A bare port means every address: IPv6 dual-stack where the kernel has IPv6.
  bool ipv6_any = r.host_kind == HostKind::Any;
  UniqueFd fd;
  if (ipv6_any) {
    fd.reset(socket(AF_INET6, type | SOCK_CLOEXEC, 0));
    if (!fd.valid() && errno != EAFNOSUPPORT) return failed_errno("socket");
    ipv6_any = fd.valid();
  }
  Resolved where;
  if (BindError e = resolve(r, type, ipv6_any, &where); !e.ok()) return failed(e);
  const int family = where.addr.ss_family;
  if (!fd.valid()) {
    fd.reset(socket(family, type | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return failed_errno("socket");
  }
  if (!set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1)) return failed_errno("SO_REUSEADDR");
  if (opts.reuse_port && !set_int_option(fd.get(), SOL_SOCKET, SO_REUSEPORT, 1))
    return failed_errno("SO_REUSEPORT");
  if (family == AF_INET6 &&
      !set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, opts.ipv6_only ? 1 : 0))
    return failed_errno("IPV6_V6ONLY");
  if (freebind) {
    const bool ok = family == AF_INET6
                        ? set_int_option(fd.get(), IPPROTO_IPV6, IPV6_FREEBIND, 1) ||
                              set_int_option(fd.get(), IPPROTO_IP, IP_FREEBIND, 1)
                        : set_int_option(fd.get(), IPPROTO_IP, IP_FREEBIND, 1);
    if (!ok) return failed_errno("IP_FREEBIND");
  }
  if (!opts.bind_device.empty() &&
      setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, opts.bind_device.c_str(),
                 static_cast<socklen_t>(opts.bind_device.size())) != 0)
    return failed_errno("interface '" + opts.bind_device + "'");
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&where.addr), where.len) != 0) {
    // Two spellings of one address (a host name and its address) cannot be
    // caught before resolving; the second would wait forever for our own port.
    if (errno == EADDRINUSE)
      if (const std::string* ours = held_by_us(type, where.addr))
        return failed(BindError::refused(
            EADDRINUSE, "the port is already taken by --bind '" + *ours + "' of this bindretry"));
    return failed_errno();
  }
  if (is_listening(r.kind) && listen(fd.get(), opts.backlog) != 0) return failed_errno("listen");
  Held held{type, {}, false, r.spec};
  socklen_t held_len = sizeof held.addr;
  int v6only = 0;
  socklen_t v6only_len = sizeof v6only;
  if (family == AF_INET6)
    getsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &v6only_len);
  held.v6only = v6only != 0;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&held.addr), &held_len) == 0)
    held_.push_back(held);
  BindAttempt ok;
  ok.local = local_address(fd.get());
  ok.fd = std::move(fd);
  return ok;
}

namespace {

struct UnixAddress {
  sockaddr_un addr{};
  socklen_t len = 0;
};

UnixAddress unix_address(const BindRequest& r) {
  UnixAddress u;
  u.addr.sun_family = AF_UNIX;
  const std::size_t offset = r.abstract ? 1 : 0;  // abstract names start with a NUL byte
  std::memcpy(u.addr.sun_path + offset, r.path.data(), r.path.size());
  u.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + r.path.size() +
                                 (r.abstract ? 0 : 1));
  return u;
}

// Binds with the socket file's mode set at creation: the umask decides the
// mode bind() gives the file, so there is no moment with wrong permissions.
int bind_with_mode(int fd, const UnixAddress& u, mode_t mode) {
  const mode_t old = umask(~mode & 0777);
  const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&u.addr), u.len);
  const int saved = errno;
  umask(old);
  errno = saved;
  return rc;
}

bool has_owner(const SocketOptions& o) {
  return o.owner_uid != static_cast<uid_t>(-1) || o.owner_gid != static_cast<gid_t>(-1);
}

// With an owner to set, the file is created with mode 0000 and only opened
// up after chown: created with the final mode, it would for a moment belong
// to root with, say, 0660, and root's group could connect (a datagram socket
// receives as soon as it is bound, before listen()). Mode 0000 keeps out
// everyone but root until owner and mode are both final. Neither call
// follows a symlink, so an entry swapped in meanwhile is never changed.
bool set_owner_and_mode(const std::string& path, const SocketOptions& o) {
  if (fchownat(AT_FDCWD, path.c_str(), o.owner_uid, o.owner_gid, AT_SYMLINK_NOFOLLOW) != 0)
    return false;
  return fchmodat(AT_FDCWD, path.c_str(), o.socket_mode, AT_SYMLINK_NOFOLLOW) == 0;
}

// A socket file nobody listens on is a leftover of a dead server. Anything
// that answers, or anything that is not a socket, is left alone.
// Forbidden: we may not even try to connect, so we cannot tell stale from live.
enum class PathState { Stale, Live, NotSocket, Gone, Forbidden };

PathState probe_path(const BindRequest& r, const UnixAddress& u, int type) {
  struct stat st{};
  if (lstat(r.path.c_str(), &st) != 0) return PathState::Gone;
  if (!S_ISSOCK(st.st_mode)) return PathState::NotSocket;
  UniqueFd probe(socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!probe.valid()) return PathState::Live;
  if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&u.addr), u.len) == 0)
    return PathState::Live;
  if (errno == EACCES || errno == EPERM) return PathState::Forbidden;
  return errno == ECONNREFUSED ? PathState::Stale : PathState::Live;
}

}  // namespace

BindAttempt RealBinder::bind_unix(const BindRequest& r, const SocketOptions& opts) {
  const int type = socket_type(r.kind);
  const UnixAddress u = unix_address(r);
  UniqueFd fd(socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return failed_errno("socket");
  const bool chown_after = !r.abstract && has_owner(opts);
  const mode_t create_mode = r.abstract ? 0777 : chown_after ? 0 : opts.socket_mode;
  int rc = bind_with_mode(fd.get(), u, create_mode);
  if (rc != 0 && errno == EADDRINUSE && !r.abstract) {
    switch (probe_path(r, u, type)) {
      case PathState::Forbidden:
        return failed(BindError::from_errno(EACCES, "checking socket '" + r.path + "'"));
      case PathState::NotSocket:
        return failed(BindError::refused(
            EEXIST, "'" + r.path + "' exists and is not a socket; bindretry never removes it"));
      case PathState::Stale:
        if (unlink(r.path.c_str()) != 0 && errno != ENOENT)
          return failed_errno("removing stale socket '" + r.path + "'");
        [[fallthrough]];
      case PathState::Gone:
        rc = bind_with_mode(fd.get(), u, create_mode);
        break;
      case PathState::Live:
        // The same file under another name (a symlinked directory, "..")
        // is one of ours: it will never be free.
        if (const std::string* ours = file_held_by_us(r.path))
          return failed(BindError::refused(
              EADDRINUSE, "'" + r.path + "' is already taken by --bind '" + *ours +
                              "' of this bindretry"));
        errno = EADDRINUSE;
        break;
    }
  }
  if (rc != 0) {
    if (errno == ENOENT) return failed_errno("directory of '" + r.path + "'");
    return failed_errno();
  }
  if (chown_after && !set_owner_and_mode(r.path, opts)) {
    BindAttempt a = failed_errno("setting owner and mode of '" + r.path + "'");
    unlink(r.path.c_str());  // ours: created just now, never handed over
    return a;
  }
  if (is_listening(r.kind) && listen(fd.get(), opts.backlog) != 0) return failed_errno("listen");
  if (struct stat st{}; !r.abstract && lstat(r.path.c_str(), &st) == 0)
    held_files_.push_back({st.st_dev, st.st_ino, r.spec});
  BindAttempt ok;
  ok.local = local_address(fd.get());
  ok.fd = std::move(fd);
  return ok;
}

const std::string* RealBinder::file_held_by_us(const std::string& path) const {
  struct stat st{};
  if (lstat(path.c_str(), &st) != 0) return nullptr;
  for (const HeldFile& h : held_files_)
    if (h.dev == st.st_dev && h.ino == st.st_ino) return &h.spec;
  return nullptr;
}

std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = {};
  switch (ss.ss_family) {
    case AF_INET: {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
      inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
      return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
    }
    case AF_INET6: {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
      inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
      std::string text = std::string("[") + host;
      char name[IF_NAMESIZE] = {};
      if (a->sin6_scope_id != 0)
        text += "%" + std::string(if_indextoname(a->sin6_scope_id, name) ? name
                                        : std::to_string(a->sin6_scope_id));
      return text + "]:" + std::to_string(ntohs(a->sin6_port));
    }
    case AF_UNIX: {
      const auto* a = reinterpret_cast<const sockaddr_un*>(&ss);
      const std::size_t n = len - offsetof(sockaddr_un, sun_path);
      if (n > 0 && a->sun_path[0] == '\0') return "@" + std::string(a->sun_path + 1, n - 1);
      return std::string(a->sun_path, strnlen(a->sun_path, n));
    }
    default:
      return "?";
  }
}

}  // namespace bindretry
