// The one error convention for binding: an errno (or a getaddrinfo code) plus
// optional detail, and the single place that decides whether retrying can help.
#pragma once

#include <string>

namespace bindretry {

/// Why one bind attempt failed.
struct BindError {
  enum class Source { None, Errno, Resolver, Refused };
  Source source = Source::None;
  int code = 0;        ///< errno for Errno, EAI_* for Resolver, errno for Refused
  std::string detail;  ///< extra words for the message (which call, which path)

  static BindError from_errno(int err, std::string detail = {});
  static BindError from_resolver(int eai);
  /// A failure bindretry itself refuses to work around (a regular file where a
  /// socket should go): never retried.
  static BindError refused(int err, std::string why);

  bool ok() const { return source == Source::None; }
  /// The text used in messages, e.g. "Cannot assign requested address".
  std::string message() const;
  /// A symbolic name for machine-readable output: "EADDRNOTAVAIL", "EAI_NONAME".
  std::string symbol() const;
};

/// True when a later attempt may succeed: the address or interface may appear,
/// the port may be freed, the name may start to resolve.
bool is_retryable(const BindError& e);

/// For an error no retry can fix: why retrying would not help.
std::string why_not_retryable(const BindError& e, bool privileged_port);

}  // namespace bindretry
