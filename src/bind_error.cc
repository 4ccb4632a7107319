#include "bind_error.h"

#include <netdb.h>

#include <cerrno>
#include <cstring>

namespace bindretry {

BindError BindError::from_errno(int err, std::string detail) {
  return {Source::Errno, err, std::move(detail)};
}

BindError BindError::from_resolver(int eai) { return {Source::Resolver, eai, {}}; }

BindError BindError::refused(int err, std::string why) {
  return {Source::Refused, err, std::move(why)};
}

std::string BindError::message() const {
  switch (source) {
    case Source::None:
      return "success";
    case Source::Resolver:
      return std::string("cannot resolve host: ") + gai_strerror(code);
    case Source::Refused:
      return detail;
    case Source::Errno:
      break;
  }
  std::string text = strerror(code);
  if (!detail.empty()) text = detail + ": " + text;
  return text;
}

std::string BindError::symbol() const {
  switch (source) {
    case Source::None:
      return "";
    case Source::Resolver:
      switch (code) {
        case EAI_AGAIN: return "EAI_AGAIN";
        case EAI_FAIL: return "EAI_FAIL";
        case EAI_NONAME: return "EAI_NONAME";
#ifdef EAI_NODATA
        case EAI_NODATA: return "EAI_NODATA";
#endif
        case EAI_FAMILY: return "EAI_FAMILY";
        case EAI_SERVICE: return "EAI_SERVICE";
        case EAI_SYSTEM: return "EAI_SYSTEM";
        default: return "EAI_OTHER";
      }
    case Source::Errno:
    case Source::Refused:
      break;
  }
  const char* name = strerrorname_np(code);
  return name ? name : "E" + std::to_string(code);
}

bool is_retryable(const BindError& e) {
  switch (e.source) {
    case BindError::Source::None:
    case BindError::Source::Refused:
      return false;
    case BindError::Source::Resolver:
      // A name that does not resolve yet (no network, DNS not up) may resolve later;
      // only a malformed request cannot.
      return e.code == EAI_AGAIN || e.code == EAI_FAIL || e.code == EAI_NONAME ||
#ifdef EAI_NODATA
             e.code == EAI_NODATA ||
#endif
             e.code == EAI_SYSTEM;
    case BindError::Source::Errno:
      break;
  }
  switch (e.code) {
    case EADDRNOTAVAIL:  // the address is not (yet) on any interface
    case EADDRINUSE:     // another process holds the port; it may let go
    case ENODEV:         // the interface (--bind-device, %scope) does not exist yet
    case ENXIO:
    case ENETDOWN:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

std::string why_not_retryable(const BindError& e, bool privileged_port) {
  if (e.source == BindError::Source::Refused) return "bindretry will not work around this";
  if (e.source == BindError::Source::Errno) {
    switch (e.code) {
      case EACCES:
      case EPERM:
        return privileged_port
                   ? "ports below 1024 need root or CAP_NET_BIND_SERVICE, which retrying does not grant"
                   : "permission denied does not change by retrying";
      case EAFNOSUPPORT:
      case EPROTONOSUPPORT:
        return "the kernel lacks this address family";
      case EINVAL:
        return "the kernel rejects this address or option";
      case ENOENT:
        return "the directory does not exist";
      default:
        break;
    }
  }
  return "this error does not go away by retrying";
}

}  // namespace bindretry
