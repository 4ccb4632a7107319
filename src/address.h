// Parsing of --bind arguments: [NAME=][PROTO:]ADDRESS into a bind request.
// Pure: no system calls, so every form is table-tested and fuzzed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "socket_options.h"

namespace bindretry {

/// The kind of socket a request asks for.
enum class SocketKind { TcpStream, UdpDatagram, UnixStream, UnixDatagram, UnixSeqPacket };

/// How the host part of an Internet address was written.
enum class HostKind { Any, IPv4, IPv6, Name };

/// One socket to bind, as the user asked for it.
struct BindRequest {
  std::string spec;   ///< the address as the user wrote it (without NAME=), used in messages
  std::string name;   ///< LISTEN_FDNAMES entry; empty means "unknown"
  SocketKind kind = SocketKind::TcpStream;
  HostKind host_kind = HostKind::Any;  ///< Internet sockets only
  std::string host;   ///< IPv4/IPv6 literal (no brackets, no zone) or host name
  std::string scope;  ///< IPv6 zone: interface name or index, may be empty
  uint16_t port = 0;
  std::string path;   ///< Unix sockets: file path, or abstract name without the '@'
  bool abstract = false;
  SocketOverrides options;  ///< settings written after the address (",mode=0600")
};

/// True for the three Unix socket kinds.
bool is_unix(SocketKind kind);

/// True for kinds that are listen()ed before the hand-over.
bool is_listening(SocketKind kind);

/// The longest Unix socket path (or abstract name) the kernel accepts, in bytes.
constexpr std::size_t kMaxUnixPath = 107;

/// Parses one --bind argument, [NAME=]ADDRESS[,OPTION...]. On failure sets *err to a message that names
/// what is wrong (without the option name, which the caller adds).
bool parse_bind(std::string_view text, BindRequest* out, std::string* err);

/// Checks a LISTEN_FDNAMES entry: 1-255 printable ASCII characters, no ':'.
bool valid_fd_name(std::string_view name, std::string* err);

/// Parses a decimal port number, 0-65535, digits only.
bool parse_port(std::string_view text, uint16_t* out);

}  // namespace bindretry
