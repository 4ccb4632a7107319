// Launch benchmark: `bindretry --bind 127.0.0.1:0 -- /bin/true` against
// `env /bin/true`, run alternately so both see the same machine load.
// Prints one figure per line: median and p95 wall time of each, their ratio,
// and the peak RSS of each (the kernel keeps a process's peak across exec).
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Sample {
  double micros;
  long max_rss_kib;
};

double now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

Sample run(const std::vector<const char*>& argv) {
  const double start = now_us();
  pid_t pid = 0;
  // posix_spawn uses vfork semantics, so the child's peak RSS is its own
  // program's, not a copy of this process.
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char* const*>(argv.data()),
                  environ) != 0) {
    std::perror("posix_spawn");
    std::exit(1);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  const double elapsed = now_us() - start;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "%s failed (status %d)\n", argv[0], status);
    std::exit(1);
  }
  return {elapsed, usage.ru_maxrss};
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BINDRETRY [PAIRS]\n", argv[0]);
    return 2;
  }
  const int pairs = argc > 2 ? std::atoi(argv[2]) : 400;
  const std::vector<const char*> ours = {argv[1], "--bind", "127.0.0.1:0", "--", "/bin/true",
                                         nullptr};
  const std::vector<const char*> env = {"/usr/bin/env", "/bin/true", nullptr};
  for (int i = 0; i < 50; ++i) {  // warm the page cache and the CPU
    run(ours);
    run(env);
  }
  std::vector<double> t_ours, t_env;
  long rss_ours = 0, rss_env = 0;
  for (int i = 0; i < pairs; ++i) {
    const Sample a = run(ours);
    const Sample b = run(env);
    t_ours.push_back(a.micros);
    t_env.push_back(b.micros);
    rss_ours = std::max(rss_ours, a.max_rss_kib);
    rss_env = std::max(rss_env, b.max_rss_kib);
  }
  std::vector<double> ratios;
  for (int i = 0; i < pairs; ++i) ratios.push_back(t_ours[i] / t_env[i]);
  std::printf("pairs: %d\n", pairs);
  std::printf("bindretry median: %.0f us\n", percentile(t_ours, 0.5));
  std::printf("bindretry p95: %.0f us\n", percentile(t_ours, 0.95));
  std::printf("env median: %.0f us\n", percentile(t_env, 0.5));
  std::printf("env p95: %.0f us\n", percentile(t_env, 0.95));
  std::printf("median ratio (bindretry/env): %.3f\n", percentile(t_ours, 0.5) / percentile(t_env, 0.5));
  std::printf("median of pairwise ratios: %.3f\n", percentile(ratios, 0.5));
  std::printf("bindretry peak RSS: %ld KiB\n", rss_ours);
  std::printf("env peak RSS: %ld KiB\n", rss_env);
  std::printf("RSS ratio: %.3f\n", static_cast<double>(rss_ours) / static_cast<double>(rss_env));
  return 0;
}
