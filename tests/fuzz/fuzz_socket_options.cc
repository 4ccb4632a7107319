// libFuzzer harness for the per-socket option grammar after an address
// ("mode=0600,owner=app,backlog=16,reuseport,...").
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "socket_options.h"

using namespace bindretry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SocketOverrides o;
  std::string err;
  if (!parse_socket_options(text, &o, &err)) {
    fuzz_require(one_line(err), "parse_socket_options error is not one printable line");
    return 0;
  }
  fuzz_require(!o.backlog || (*o.backlog >= 1 && *o.backlog <= INT_MAX), "accepted a bad backlog");
  fuzz_require(!o.mode || *o.mode <= 0777, "accepted a mode above 0777");
  fuzz_require(!o.device || valid_device_name(*o.device), "accepted an invalid device name");
  fuzz_require(!o.owner || !o.owner->empty(), "accepted an empty owner");
  return 0;
}
