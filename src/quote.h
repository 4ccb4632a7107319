// User-supplied text in messages: 'text' in single quotes, with control
// bytes escaped so a usage error stays one line however hostile the value.
#pragma once

#include <string>
#include <string_view>

namespace bindretry {

/// 'text' with bytes below 0x20 and DEL written as \n, \t or \xNN.
inline std::string quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += {'\\', 'x', kHex[u >> 4], kHex[u & 0xf]};
    else out += c;
  }
  return out + "'";
}

}  // namespace bindretry
