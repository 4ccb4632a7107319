// A target that describes, as one JSON object, what it received from the
// process that exec'd it: environment, descriptors, sockets, signal state.
//
//   report-target [OUT|-] [serve]
//
// OUT names the file to write (default or "-": stdout). With "serve", it
// then accepts one connection on fd 3 and writes "hello\n" to it.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string env_or_null(const char* name) {
  const char* value = std::getenv(name);
  return value ? quoted(value) : "null";
}

std::vector<int> open_fds() {
  std::vector<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return fds;
  const int own = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd != own) fds.push_back(fd);
  }
  closedir(dir);
  std::sort(fds.begin(), fds.end());
  return fds;
}

std::string family_name(int family) {
  switch (family) {
    case AF_INET: return "inet";
    case AF_INET6: return "inet6";
    case AF_UNIX: return "unix";
    default: return std::to_string(family);
  }
}

std::string type_name(int type) {
  switch (type) {
    case SOCK_STREAM: return "stream";
    case SOCK_DGRAM: return "dgram";
    case SOCK_SEQPACKET: return "seqpacket";
    default: return std::to_string(type);
  }
}

std::string sockname(const sockaddr_storage& ss, socklen_t len) {
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
      return "[" + std::string(host) + "]:" + std::to_string(ntohs(a->sin6_port));
    }
    case AF_UNIX: {
      const auto* a = reinterpret_cast<const sockaddr_un*>(&ss);
      const std::size_t n = len - offsetof(sockaddr_un, sun_path);
      if (n > 0 && a->sun_path[0] == '\0') return "@" + std::string(a->sun_path + 1, n - 1);
      return std::string(a->sun_path, strnlen(a->sun_path, n));
    }
    default:
      return "";
  }
}

std::string describe_fd(int fd) {
  const int flags = fcntl(fd, F_GETFD);
  std::string out = "{\"fd\":" + std::to_string(fd) +
                    ",\"cloexec\":" + ((flags & FD_CLOEXEC) ? "true" : "false");
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return out + ",\"socket\":false}";
  int listening = 0;
  len = sizeof listening;
  getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
  sockaddr_storage ss{};
  socklen_t sslen = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &sslen);
  return out + ",\"socket\":true,\"type\":" + quoted(type_name(type)) +
         ",\"listening\":" + (listening ? "true" : "false") +
         ",\"family\":" + quoted(family_name(ss.ss_family)) +
         ",\"address\":" + quoted(sockname(ss, sslen)) + "}";
}

std::string signal_state() {
  sigset_t blocked;
  sigprocmask(SIG_BLOCK, nullptr, &blocked);
  std::string out = "\"blocked\":[";
  bool first = true;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&blocked, sig) != 1) continue;
    out += (first ? "" : ",") + std::to_string(sig);
    first = false;
  }
  out += "],\"dispositions\":{";
  const std::pair<const char*, int> watched[] = {
      {"SIGTERM", SIGTERM}, {"SIGINT", SIGINT}, {"SIGHUP", SIGHUP}, {"SIGPIPE", SIGPIPE}};
  first = true;
  for (const auto& [name, sig] : watched) {
    struct sigaction current{};
    sigaction(sig, nullptr, &current);
    const char* what = current.sa_handler == SIG_IGN   ? "ignored"
                       : current.sa_handler == SIG_DFL ? "default"
                                                       : "handled";
    out += std::string(first ? "" : ",") + quoted(name) + ":" + quoted(what);
    first = false;
  }
  return out + "}";
}

}  // namespace

int main(int argc, char** argv) {
  // Everything is observed before this program opens anything of its own.
  const std::vector<int> fds = open_fds();
  std::string json = "{\"pid\":" + std::to_string(getpid());
  for (const char* name : {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "LISTEN_PIDFDID"})
    json += std::string(",") + quoted(name) + ":" + env_or_null(name);
  json += ",\"fds\":[";
  for (std::size_t i = 0; i < fds.size(); ++i) json += (i ? "," : "") + std::to_string(fds[i]);
  json += "],\"sockets\":[";
  bool first = true;
  for (const int fd : fds) {
    if (fd < 3) continue;
    json += (first ? "" : ",") + describe_fd(fd);
    first = false;
  }
  json += "]," + signal_state() + "}\n";

  const bool to_stdout = argc < 2 || std::strcmp(argv[1], "-") == 0;
  FILE* out = to_stdout ? stdout : std::fopen(argv[1], "we");
  if (!out) {
    std::perror(argv[1]);
    return 1;
  }
  std::fputs(json.c_str(), out);
  if (std::fflush(out) != 0 || (!to_stdout && std::fclose(out) != 0)) return 1;

  if (argc >= 3 && std::strcmp(argv[2], "serve") == 0) {
    const int conn = accept4(3, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      std::perror("accept");
      return 1;
    }
    const char hello[] = "hello\n";
    if (write(conn, hello, sizeof hello - 1) != static_cast<ssize_t>(sizeof hello - 1)) return 1;
    close(conn);
  }
  return 0;
}
