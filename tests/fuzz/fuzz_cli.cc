// libFuzzer harness for the whole command line: the input, split on NUL
// bytes, is argv after "bindretry".
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.h"
#include "fuzz_check.h"

using namespace bindretry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"bindretry"};
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\0') {
      args.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(data[i]);
    }
  }
  args.push_back(word);

  Options options;
  const ParseOutcome outcome = parse_command_line(args, &options);
  if (outcome.run) {
    fuzz_require(outcome.exit_code == 0 && outcome.err.empty(), "run with an error");
    fuzz_require(!options.binds.empty(), "run without a --bind");
    fuzz_require(!options.command.empty(), "run without a COMMAND");
    return 0;
  }
  fuzz_require(outcome.exit_code == 0 || outcome.exit_code == 2, "exit status other than 0 or 2");
  if (outcome.exit_code == 2) {
    fuzz_require(one_line(outcome.err), "usage error is not one printable line");
    fuzz_require(outcome.out.empty(), "usage error also prints to stdout");
  } else {
    fuzz_require(!outcome.out.empty() && outcome.err.empty(), "exit 0 without --help/--version text");
  }
  return 0;
}
