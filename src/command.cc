#include "command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace bindretry {

int exec_failure_status(int err) { return err == ENOENT || err == ENOTDIR ? 127 : 126; }

namespace {

// What execve() would say about one candidate: 0 for a regular file we may
// execute, EACCES for something there that cannot be run, ENOENT for nothing.
int check_candidate(const std::string& path) {
  struct stat st{};
  if (stat(path.c_str(), &st) != 0) return errno == ENOTDIR ? ENOENT : errno;
  if (!S_ISREG(st.st_mode) || access(path.c_str(), X_OK) != 0) return EACCES;
  return 0;
}

}  // namespace

int find_command(const std::string& command) {
  if (command.empty()) return ENOENT;
  if (command.find('/') != std::string::npos) return check_candidate(command);
  // execvp's default search path when PATH is unset.
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/bin:/usr/bin";
  // Like execvp: the first runnable candidate wins; one that exists but cannot
  // be run makes the final answer EACCES rather than ENOENT.
  int result = ENOENT;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";  // an empty PATH entry means the current directory
    const int err = check_candidate(dir + "/" + command);
    if (err == 0) return 0;
    if (err == EACCES) result = EACCES;
    if (end == std::string::npos) return result;
    start = end + 1;
  }
}

int exec_command(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  argv.reserve(command.size() + 1);
  for (const std::string& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  return errno;
}

}  // namespace bindretry
