// libFuzzer harness for the duration parser and its formatter.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "duration.h"
#include "fuzz_check.h"

using namespace bindretry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Duration d{};
  std::string err;
  if (!parse_duration(text, &d, &err)) {
    fuzz_require(one_line(err), "parse_duration error is not one printable line");
    return 0;
  }
  fuzz_require(d.count() >= 0, "accepted a negative duration");
  fuzz_require(d <= kMaxDuration, "accepted a duration above the cap");
  fuzz_require(!format_seconds(d).empty(), "format_seconds gave nothing");
  return 0;
}
