#include "command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace bindretry {

int exec_failure_status(int err) { return err == ENOENT || err == ENOTDIR ? 127 : 126; }

int find_command(const std::string& command) {
  if (command.empty()) return ENOENT;
  if (command.find('/') != std::string::npos)
    return access(command.c_str(), F_OK) == 0 ? 0 : errno;
  // execvp's default search path when PATH is unset.
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/bin:/usr/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";  // an empty PATH entry means the current directory
    if (access((dir + "/" + command).c_str(), F_OK) == 0) return 0;
    if (end == std::string::npos) return ENOENT;
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
