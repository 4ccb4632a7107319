#include "socket_options.h"
#include "quote.h"

#include <set>

#include <algorithm>
#include <climits>

namespace bindretry {
namespace {


bool fail(std::string* err, std::string message) {
  *err = std::move(message);
  return false;
}

bool parse_yes_no(std::string_view text, bool* out) {
  if (text == "yes" || text == "true" || text == "on" || text == "1") {
    *out = true;
    return true;
  }
  if (text == "no" || text == "false" || text == "off" || text == "0") {
    *out = false;
    return true;
  }
  return false;
}

bool set_flag(std::string_view key, std::string_view value, bool has_value,
              std::optional<bool>* field, std::string* err) {
  bool on = true;
  if (has_value && !parse_yes_no(value, &on))
    return fail(err, "option " + quote(key) + ": expected yes or no, not " + quote(value));
  *field = on;
  return true;
}

bool parse_one(std::string_view item, SocketOverrides* out, std::string* err) {
  const auto eq = item.find('=');
  const bool has_value = eq != std::string_view::npos;
  const std::string_view key = item.substr(0, eq);
  const std::string_view value = has_value ? item.substr(eq + 1) : std::string_view{};
  if (key.empty()) return fail(err, "empty option after ','");
  if (key == "reuseport") return set_flag(key, value, has_value, &out->reuse_port, err);
  if (key == "ipv6only") return set_flag(key, value, has_value, &out->ipv6_only, err);
  if (key == "freebind") return set_flag(key, value, has_value, &out->freebind, err);
  const bool known = key == "backlog" || key == "mode" || key == "owner" || key == "device";
  if (!known)
    return fail(err, "unknown option " + quote(key) +
                         " (expected backlog, mode, owner, device, reuseport, ipv6only or freebind)");
  if (value.empty()) return fail(err, "option " + quote(key) + " needs a value (" + std::string(key) + "=...)");
  if (key == "backlog") {
    int n = 0;
    if (!parse_backlog(value, &n))
      return fail(err, "backlog " + quote(value) + ": expected a whole number from 1 to " +
                           std::to_string(INT_MAX));
    out->backlog = n;
  } else if (key == "mode") {
    mode_t m = 0;
    if (!parse_mode(value, &m))
      return fail(err, "mode " + quote(value) + ": expected an octal mode such as 0660 (0000-0777)");
    out->mode = m;
  } else if (key == "owner") {
    out->owner = std::string(value);
  } else {
    if (!valid_device_name(value))
      return fail(err, "device " + quote(value) +
                           ": not a valid interface name (1-15 characters, no '/', ':' or spaces)");
    out->device = std::string(value);
  }
  return true;
}

}  // namespace

bool parse_socket_options(std::string_view text, SocketOverrides* out, std::string* err) {
  std::set<std::string_view> seen;
  for (;;) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    // A key given twice is a typo or a conflict; neither should win silently.
    const std::string_view key = item.substr(0, item.find('='));
    if (!key.empty() && !seen.insert(key).second)
      return fail(err, "option '" + std::string(key) + "' is given twice");
    if (!parse_one(item, out, err)) return false;
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

bool parse_mode(std::string_view text, mode_t* out) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string_view::npos)
    return false;
  unsigned value = 0;
  for (char c : text) value = value * 8 + static_cast<unsigned>(c - '0');
  if (value > 0777) return false;
  *out = static_cast<mode_t>(value);
  return true;
}

bool parse_backlog(std::string_view text, int* out) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  long long value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  if (value < 1 || value > INT_MAX) return false;
  *out = static_cast<int>(value);
  return true;
}

bool valid_device_name(std::string_view name) {
  // The kernel's dev_valid_name(): "." and ".." would be path components.
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == ':' || u <= ' ' || u >= 0x7f;
  });
}

}  // namespace bindretry
