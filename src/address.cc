#include "address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "quote.h"

namespace bindretry {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

bool fail(std::string* err, std::string message) {
  *err = std::move(message);
  return false;
}

bool consume_prefix(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

bool valid_ipv4(std::string_view s) {
  std::array<unsigned char, 4> buf{};
  return s.size() < 16 && inet_pton(AF_INET, std::string(s).c_str(), buf.data()) == 1;
}

bool valid_ipv6(std::string_view s) {
  std::array<unsigned char, 16> buf{};
  return s.size() < 46 && inet_pton(AF_INET6, std::string(s).c_str(), buf.data()) == 1;
}

// DNS-style host names: dot-separated labels of letters, digits, '-' and '_'
// (underscore appears in real /etc/hosts and service names), one optional
// trailing dot. Anything else could never resolve, so it is a usage error
// rather than an endless retry.
bool valid_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.back() == '.') s.remove_suffix(1);
  std::size_t label = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (label == 0 || label > 63) return false;
      label = 0;
      continue;
    }
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                    c == '_' || (c == '-' && label > 0);
    if (!ok) return false;
    ++label;
  }
  return true;
}

bool parse_port_part(std::string_view text, std::string_view port, BindRequest* out,
                     std::string* err) {
  if (port.empty())
    return fail(err, "missing port in " + quote(text) + " (expected 0-65535 after ':')");
  if (!parse_port(port, &out->port))
    return fail(err, "invalid port " + quote(port) + " (expected 0-65535)");
  return true;
}

bool parse_bracketed(std::string_view text, std::string_view s, BindRequest* out,
                     std::string* err) {
  const auto close = s.find(']');
  if (close == std::string_view::npos)
    return fail(err, "missing ']' in " + quote(text) + " (expected [IPV6]:PORT)");
  std::string_view inside = s.substr(1, close - 1);
  std::string_view after = s.substr(close + 1);
  if (const auto pct = inside.find('%'); pct != std::string_view::npos) {
    out->scope = inside.substr(pct + 1);
    inside = inside.substr(0, pct);
    if (!valid_device_name(out->scope))
      return fail(err, "invalid interface " + quote(out->scope) + " in " + quote(text) +
                           " (expected 1-15 characters, no '/', ':' or spaces)");
  }
  if (!valid_ipv6(inside))
    return fail(err, "invalid IPv6 address " + quote(inside) +
                         " (expected one such as [2001:db8::1]:80)");
  if (after.empty())
    return fail(err, "missing port in " + quote(text) + " (expected [IPV6]:PORT)");
  if (after[0] != ':') return fail(err, "expected ':' after ']' in " + quote(text));
  out->host_kind = HostKind::IPv6;
  out->host = inside;
  return parse_port_part(text, after.substr(1), out, err);
}

bool parse_inet(std::string_view text, std::string_view s, BindRequest* out,
                std::string* err) {
  if (s.empty()) return fail(err, "empty address");
  if (all_digits(s)) {
    out->host_kind = HostKind::Any;
    return parse_port_part(text, s, out, err);
  }
  if (s[0] == '[') return parse_bracketed(text, s, out, err);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) {
    if (s.find('.') == std::string_view::npos && (is_digit(s[0]) || s[0] == '-' || s[0] == '+'))
      return fail(err, "invalid port " + quote(s) + " (expected 0-65535)");
    return fail(err, "missing port in " + quote(text) + " (expected HOST:PORT)");
  }
  if (s.find(':', colon + 1) != std::string_view::npos)
    return fail(err, "IPv6 addresses need brackets, as in '[::1]:80', in " + quote(text));
  const std::string_view host = s.substr(0, colon);
  if (host.empty())
    return fail(err, "missing host in " + quote(text) +
                         " (expected HOST:PORT, or PORT for every address)");
  const bool looks_numeric = std::all_of(host.begin(), host.end(),
                                         [](char c) { return is_digit(c) || c == '.'; });
  if (looks_numeric) {
    if (!valid_ipv4(host))
      return fail(err, "invalid IPv4 address " + quote(host) +
                           " (expected four numbers 0-255, as in 192.0.2.1)");
    out->host_kind = HostKind::IPv4;
  } else {
    if (!valid_host_name(host))
      return fail(err, "invalid host name " + quote(host) +
                           " (expected dot-separated labels of letters, digits, '-' and '_', "
                           "at most 253 characters)");
    out->host_kind = HostKind::Name;
  }
  out->host = host;
  return parse_port_part(text, s.substr(colon + 1), out, err);
}

bool parse_unix(std::string_view text, std::string_view s, BindRequest* out,
                std::string* err) {
  if (s.empty())
    return fail(err, "empty Unix socket path in " + quote(text) + " (expected unix:PATH)");
  if (s[0] == '@') {
    s.remove_prefix(1);
    if (s.empty())
      return fail(err, "empty abstract socket name in " + quote(text) + " (expected @NAME)");
    out->abstract = true;
  }
  if (s.find('\0') != std::string_view::npos)
    return fail(err, "NUL byte in Unix socket path");
  if (s.size() > kMaxUnixPath)
    return fail(err, "Unix socket path " + quote(s) + " is too long (" + std::to_string(s.size()) +
                         " bytes, at most " + std::to_string(kMaxUnixPath) + ")");
  out->path = s;
  return true;
}

}  // namespace

bool is_unix(SocketKind kind) {
  return kind == SocketKind::UnixStream || kind == SocketKind::UnixDatagram ||
         kind == SocketKind::UnixSeqPacket;
}

bool is_listening(SocketKind kind) {
  return kind == SocketKind::TcpStream || kind == SocketKind::UnixStream ||
         kind == SocketKind::UnixSeqPacket;
}

bool parse_port(std::string_view text, uint16_t* out) {
  if (!all_digits(text) || text.size() > 5) return false;
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value > 65535) return false;
  *out = static_cast<uint16_t>(value);
  return true;
}

bool valid_fd_name(std::string_view name, std::string* err) {
  if (name.empty()) return fail(err, "empty socket name");
  if (name.size() > 255)
    return fail(err, "socket name is too long (" + std::to_string(name.size()) +
                         " characters, at most 255)");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e)
      return fail(err, "socket name " + quote(name) +
                           " has a character outside printable ASCII");
    if (c == ':') return fail(err, "socket name " + quote(name) + " contains ':'");
  }
  return true;
}

namespace {

// Options only make sense on some kinds of socket; a misplaced one is a
// mistake the user wants to hear about, not a silent no-op.
bool check_options_fit(const BindRequest& r, std::string* err) {
  const SocketOverrides& o = r.options;
  const auto misplaced = [&](const char* key, const char* where) {
    return fail(err, "option '" + std::string(key) + "' applies to " + where + " only");
  };
  const bool file = is_unix(r.kind) && !r.abstract;
  if (o.mode && !file) return misplaced("mode", "Unix socket files");
  if (o.owner && !file) return misplaced("owner", "Unix socket files");
  if (o.backlog && !is_listening(r.kind)) return misplaced("backlog", "stream and seqpacket sockets");
  if (is_unix(r.kind)) {
    if (o.reuse_port) return misplaced("reuseport", "TCP and UDP sockets");
    if (o.ipv6_only) return misplaced("ipv6only", "TCP and UDP sockets");
    if (o.freebind) return misplaced("freebind", "TCP and UDP sockets");
    if (o.device) return misplaced("device", "TCP and UDP sockets");
  }
  if (o.ipv6_only && r.host_kind == HostKind::IPv4) return misplaced("ipv6only", "IPv6 addresses");
  return true;
}

bool parse_address(std::string_view text, std::string_view s, BindRequest* out, std::string* err);

}  // namespace

bool parse_bind(std::string_view text, BindRequest* out, std::string* err) {
  *out = BindRequest{};
  if (text.empty()) return fail(err, "empty address");
  std::string_view s = text;
  // No address form contains ',' or '=': the first '=' ends the name unless a
  // ',' comes first (then it belongs to an option), and the first ',' starts
  // the options.
  const auto comma = s.find(',');
  if (const auto eq = s.find('='); eq != std::string_view::npos && eq < comma) {
    const std::string_view name = s.substr(0, eq);
    if (!valid_fd_name(name, err)) return false;
    out->name = name;
    s.remove_prefix(eq + 1);
  }
  if (const auto c = s.find(','); c != std::string_view::npos) {
    if (!parse_socket_options(s.substr(c + 1), &out->options, err)) return false;
    s = s.substr(0, c);
  }
  return parse_address(text, s, out, err) && check_options_fit(*out, err);
}

namespace {

// The address proper, without NAME= and options.
bool parse_address(std::string_view text, std::string_view s, BindRequest* out, std::string* err) {
  out->spec = s;
  if (s.empty()) return fail(err, "empty address");
  if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    return fail(err, "control character in address");

  if (consume_prefix(&s, "unix-dgram:")) {
    out->kind = SocketKind::UnixDatagram;
    return parse_unix(text, s, out, err);
  }
  if (consume_prefix(&s, "unix-seqpacket:")) {
    out->kind = SocketKind::UnixSeqPacket;
    return parse_unix(text, s, out, err);
  }
  if (consume_prefix(&s, "unix:") || s[0] == '/' || s[0] == '@' || s.substr(0, 2) == "./") {
    out->kind = SocketKind::UnixStream;
    return parse_unix(text, s, out, err);
  }
  if (consume_prefix(&s, "udp:")) {
    out->kind = SocketKind::UdpDatagram;
  } else {
    consume_prefix(&s, "tcp:");
    out->kind = SocketKind::TcpStream;
  }
  // Internet addresses are ASCII; anything else (spaces, UTF-8) is a typo.
  if (std::any_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f;
      }))
    return fail(err, "invalid character in address " + quote(text));
  return parse_inet(text, s, out, err);
}

}  // namespace

}  // namespace bindretry
