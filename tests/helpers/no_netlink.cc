// LD_PRELOAD library that refuses AF_NETLINK sockets, as a seccomp filter or a
// restrictive container would, so tests can check that bindretry falls back
// to its plain schedule when it cannot watch addresses.
#include <dlfcn.h>
#include <sys/socket.h>

#include <cerrno>

extern "C" int socket(int domain, int type, int protocol) {
  if (domain == AF_NETLINK) {
    errno = EAFNOSUPPORT;
    return -1;
  }
  using SocketFn = int (*)(int, int, int);
  static const auto real = reinterpret_cast<SocketFn>(dlsym(RTLD_NEXT, "socket"));
  return real(domain, type, protocol);
}
