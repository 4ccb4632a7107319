// Per-socket settings written after an address: `ADDRESS,mode=0600,owner=app`.
// Pure: the text is parsed here; user names are resolved by the command line.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace bindretry {

/// Settings one --bind gives its own socket; unset ones come from the global options.
struct SocketOverrides {
  std::optional<int> backlog;        ///< backlog=N
  std::optional<mode_t> mode;        ///< mode=OCTAL (Unix socket files)
  std::optional<std::string> owner;  ///< owner=USER[:GROUP] as written (Unix socket files)
  std::optional<uid_t> owner_uid;    ///< `owner` resolved by the command line
  std::optional<gid_t> owner_gid;    ///< `owner` resolved by the command line
  std::optional<bool> reuse_port;    ///< reuseport[=yes|no]
  std::optional<bool> ipv6_only;     ///< ipv6only[=yes|no]
  std::optional<bool> freebind;      ///< freebind[=yes|no]
  std::optional<std::string> device; ///< device=IFACE
};

/// Parses the comma-separated list after the address ("mode=0600,freebind").
/// A later key overrides an earlier one. On failure *err names the key.
bool parse_socket_options(std::string_view text, SocketOverrides* out, std::string* err);

/// An octal permission mode, 0-0777 in at most four digits ("660", "0660").
bool parse_mode(std::string_view text, mode_t* out);

/// A listen() backlog: a whole number from 1 to INT_MAX.
bool parse_backlog(std::string_view text, int* out);

/// A network interface name as SO_BINDTODEVICE takes it: 1-15 characters,
/// no '/', ':' or white space.
bool valid_device_name(std::string_view name);

}  // namespace bindretry
