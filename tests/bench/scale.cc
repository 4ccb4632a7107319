// Scale benchmark: N sockets (half TCP on 127.0.0.1:0, half Unix paths)
// bound and handed over, timed from spawning bindretry to the first
// instruction of the target (this program, re-run as the target, which
// reports the time and how many sockets it received). Prints one figure per
// line for 1,000 and 10,000 sockets and their ratio.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

long long now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
}

// As the target: write "<monotonic ns> <LISTEN_FDS>" to the report file.
int report(const char* path) {
  const long long t = now_ns();
  const char* fds = std::getenv("LISTEN_FDS");
  FILE* f = std::fopen(path, "w");
  if (!f) return 1;
  std::fprintf(f, "%lld %s\n", t, fds ? fds : "0");
  std::fclose(f);
  return 0;
}

double run_once(const char* bindretry, const char* self, const std::string& dir, int n) {
  std::vector<std::string> args = {bindretry, "--log-level", "warn"};
  for (int i = 0; i < n; ++i) {
    args.push_back("--bind");
    args.push_back(i % 2 == 0 ? "127.0.0.1:0" : dir + "/s" + std::to_string(i) + ".sock");
  }
  const std::string report_path = dir + "/report";
  args.insert(args.end(), {"--", self, "--target", report_path});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const long long start = now_ns();
  pid_t pid = 0;
  if (posix_spawn(&pid, bindretry, nullptr, nullptr, argv.data(), environ) != 0) {
    std::perror("posix_spawn");
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  long long reached = 0;
  int received = 0;
  FILE* f = std::fopen(report_path.c_str(), "r");
  if (!f || std::fscanf(f, "%lld %d", &reached, &received) != 2 || received != n ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "run with %d sockets failed (status %d, received %d)\n", n, status,
                 received);
    std::exit(1);
  }
  std::fclose(f);
  for (int i = 1; i < n; i += 2) unlink((dir + "/s" + std::to_string(i) + ".sock").c_str());
  unlink(report_path.c_str());
  return static_cast<double>(reached - start) / 1e6;
}

double median_ms(const char* bindretry, const char* self, const std::string& dir, int n, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) t.push_back(run_once(bindretry, self, dir, n));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--target") == 0) return report(argv[2]);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BINDRETRY\n", argv[0]);
    return 2;
  }
  // The hard limit must allow 10,000 sockets; bindretry raises the soft one.
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 10'100) {
    std::printf("skipped: hard RLIMIT_NOFILE %llu is below 10100\n",
                static_cast<unsigned long long>(lim.rlim_max));
    return 0;
  }
  // Socket files usually live on tmpfs (/run); use it when there is one.
  char templ[] = "/dev/shm/bindretry-bench-XXXXXX";
  char templ_tmp[] = "/tmp/bindretry-bench-XXXXXX";
  const char* dir = mkdtemp(templ);
  if (!dir) dir = mkdtemp(templ_tmp);
  if (!dir) {
    std::perror("mkdtemp");
    return 1;
  }
  const char* self = "/proc/self/exe";
  char self_path[4096] = {};
  const ssize_t len = readlink(self, self_path, sizeof self_path - 1);
  if (len > 0) self = self_path;
  median_ms(argv[1], self, dir, 100, 3);  // warm-up
  const double t1k = median_ms(argv[1], self, dir, 1000, 7);
  const double t10k = median_ms(argv[1], self, dir, 10000, 5);
  rmdir(dir);
  std::printf("socket directory: %s\n", dir);
  std::printf("1000 sockets, spawn to target (median of 7): %.1f ms\n", t1k);
  std::printf("10000 sockets, spawn to target (median of 5): %.1f ms\n", t10k);
  std::printf("10000/1000 ratio: %.2f\n", t10k / t1k);
  return 0;
}
