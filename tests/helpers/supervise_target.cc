// A target for the supervise tests. Every life may append "start PID" to
// $SUPERVISE_TARGET_LOG; serving modes answer each connection on fd 3 with one
// line describing what the process inherited and which signals it received.
//
//   supervise-target serve-once            answer one connection, then exit 3
//   supervise-target serve [--ignore-term] answer until SIGTERM (exit 42) or SIGINT (exit 43)
//   supervise-target orphan                leave an orphaned grandchild, then serve
//   supervise-target exit CODE             exit at once
//   supervise-target run MS CODE           exit after MS milliseconds
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

volatile sig_atomic_t received[65];
constexpr int kRecorded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "-";
}

std::string open_fds() {
  std::string out;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return "?";
  std::string list[256];
  int fds[256], n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd != dirfd(dir) && n < 256) fds[n++] = fd;
  }
  closedir(dir);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      if (fds[j] < fds[i]) std::swap(fds[i], fds[j]);
  for (int i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(fds[i]);
  return out;
}

std::string status_field(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 2);
  return "?";
}

std::string g_start;  // what this life inherited, captured before we change anything
pid_t g_grandchild = 0;
std::string g_grandchild_ppid = "?";  // its parent once it is an orphan

void on_signal(int sig) { received[sig] = 1; }

std::string describe() {
  std::string signals;
  for (int sig : kRecorded)
    if (received[sig]) signals += (signals.empty() ? "" : ",") + std::string(sigabbrev_np(sig));
  std::string line = g_start + " signals=" + (signals.empty() ? "-" : signals);
  if (g_grandchild) {
    const bool gone = access(("/proc/" + std::to_string(g_grandchild)).c_str(), F_OK) != 0;
    line += " grandchild=" + std::to_string(g_grandchild) + " adopted_by=" + g_grandchild_ppid +
            " gone=" + (gone ? "1" : "0");
  }
  return line + "\n";
}

void answer(int listener) {
  const int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return;
  const std::string line = describe();
  if (write(conn, line.data(), line.size()) < 0) {}
  close(conn);
}

// Signals are blocked except inside ppoll, so none is lost between the
// check and the wait.
int serve(bool ignore_term) {
  sigset_t blocked, during_wait;
  sigemptyset(&blocked);
  for (int sig : kRecorded) {
    if (sig == SIGTERM && ignore_term) {
      signal(SIGTERM, SIG_IGN);
      continue;
    }
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
    sigaddset(&blocked, sig);
  }
  sigprocmask(SIG_BLOCK, &blocked, &during_wait);
  for (;;) {
    if (received[SIGTERM]) return 42;
    if (received[SIGINT]) return 43;
    pollfd pfd{3, POLLIN, 0};
    if (ppoll(&pfd, 1, nullptr, &during_wait) > 0) answer(3);
  }
}

void leave_orphan() {
  int pid_pipe[2], go_pipe[2];
  if (pipe2(pid_pipe, O_CLOEXEC) != 0 || pipe2(go_pipe, O_CLOEXEC) != 0) std::exit(10);
  const pid_t middle = fork();
  if (middle == 0) {
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      // Wait until the middle process is gone (we are an orphan by then).
      char c;
      if (read(go_pipe[0], &c, 1) < 0) {}
      _exit(0);
    }
    if (write(pid_pipe[1], &grandchild, sizeof grandchild) < 0) {}
    _exit(0);
  }
  waitpid(middle, nullptr, 0);
  if (read(pid_pipe[0], &g_grandchild, sizeof g_grandchild) < 0) std::exit(10);
  std::ifstream status("/proc/" + std::to_string(g_grandchild) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("PPid:", 0) == 0) g_grandchild_ppid = line.substr(6);
  if (write(go_pipe[1], "x", 1) < 0) {}
  for (int fd : {pid_pipe[0], pid_pipe[1], go_pipe[0], go_pipe[1]}) close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const std::string mode = argv[1];
  g_start = "pid=" + std::to_string(getpid()) + " listen_pid=" + env("LISTEN_PID") +
            " listen_fds=" + env("LISTEN_FDS") + " names=" + env("LISTEN_FDNAMES") +
            " fds=" + open_fds() + " sigblk=" + status_field("SigBlk") +
            " sigign=" + status_field("SigIgn");
  if (const char* log = std::getenv("SUPERVISE_TARGET_LOG")) {
    const int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    const std::string line = "start " + std::to_string(getpid()) + "\n";
    if (fd >= 0 && write(fd, line.data(), line.size()) < 0) {}
    if (fd >= 0) close(fd);
  }
  if (mode == "serve-once") {
    answer(3);
    return 3;
  }
  if (mode == "serve") return serve(argc > 2 && std::strcmp(argv[2], "--ignore-term") == 0);
  if (mode == "orphan") {
    leave_orphan();
    return serve(false);
  }
  if (mode == "exit" && argc > 2) return std::atoi(argv[2]);
  if (mode == "run" && argc > 3) {
    usleep(static_cast<useconds_t>(std::atoi(argv[2])) * 1000);
    return std::atoi(argv[3]);
  }
  return 2;
}
