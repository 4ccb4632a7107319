// A target that records the moment it started (CLOCK_MONOTONIC, read before
// anything else) and what it inherited, so tests can measure how soon after
// an address appeared bindretry exec'd it.
// Usage: stamp FILE [hold]   (hold: stay alive until a signal ends it)
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  timespec started{};
  clock_gettime(CLOCK_MONOTONIC, &started);
  if (argc < 2) {
    std::fputs("usage: stamp FILE [hold]\n", stderr);
    return 2;
  }
  const char* fds = std::getenv("LISTEN_FDS");
  const char* notify = std::getenv("NOTIFY_SOCKET");
  const std::string text =
      "mono_ns=" + std::to_string(static_cast<long long>(started.tv_sec) * 1'000'000'000LL +
                                  started.tv_nsec) +
      "\npid=" + std::to_string(getpid()) + "\nlisten_fds=" + (fds ? fds : "") +
      "\nnotify_socket=" + (notify ? notify : "") + "\n";
  // Written aside and renamed, so a reader never sees half a file.
  const std::string tmp = std::string(argv[1]) + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      close(fd) != 0 || rename(tmp.c_str(), argv[1]) != 0) {
    std::perror("stamp");
    return 1;
  }
  if (argc > 2 && std::strcmp(argv[2], "hold") == 0) pause();
  return 0;
}
