// A socket-activated server as libsystemd's users write it: reads the passed
// sockets with sd_listen_fds_with_names(), prints how many and their names,
// then answers one connection on each stream socket with that socket's name.
// Exits 3 when it received no sockets.
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main() {
  char** names = nullptr;
  const int n = sd_listen_fds_with_names(1, &names);
  if (n < 0) {
    std::fprintf(stderr, "sd_listen_fds_with_names: %s\n", std::strerror(-n));
    return 1;
  }
  std::printf("count %d\n", n);
  for (int i = 0; i < n; ++i) std::printf("name %d %s\n", SD_LISTEN_FDS_START + i, names[i]);
  std::fflush(stdout);
  if (n == 0) return 3;
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) continue;
    const int conn = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      std::perror("accept");
      return 1;
    }
    const std::size_t len = std::strlen(names[i]);
    if (write(conn, names[i], len) != static_cast<ssize_t>(len) || write(conn, "\n", 1) != 1)
      return 1;
    close(conn);
  }
  for (int i = 0; i < n; ++i) std::free(names[i]);
  std::free(names);
  return 0;
}
