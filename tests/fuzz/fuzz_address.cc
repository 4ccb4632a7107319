// libFuzzer harness for the --bind argument parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "address.h"
#include "fuzz_check.h"

using namespace bindretry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  BindRequest request;
  std::string err;
  if (!parse_bind(text, &request, &err)) {
    fuzz_require(one_line(err), "parse_bind error is not one printable line");
    return 0;
  }
  std::string name_err;
  fuzz_require(request.name.empty() || valid_fd_name(request.name, &name_err),
               "accepted an invalid LISTEN_FDNAMES entry");
  if (is_unix(request.kind)) {
    fuzz_require(!request.path.empty(), "accepted an empty Unix path");
    fuzz_require(request.path.size() <= kMaxUnixPath, "accepted a Unix path longer than sun_path");
    fuzz_require(request.path.find('\0') == std::string::npos, "accepted a NUL in a Unix path");
  } else {
    fuzz_require(request.host_kind == HostKind::Any || !request.host.empty(),
                 "accepted an empty host");
    for (char c : request.host + request.scope)
      fuzz_require(static_cast<unsigned char>(c) > ' ' && static_cast<unsigned char>(c) < 0x7f,
                   "accepted a host or scope with a space, control or non-ASCII byte");
  }
  return 0;
}
