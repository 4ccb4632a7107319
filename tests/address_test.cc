#include "address.h"

#include <doctest/doctest.h>

#include <string>

using namespace bindretry;

namespace {

struct Good {
  const char* text;
  SocketKind kind;
  HostKind host_kind;
  const char* host;
  unsigned port;
  const char* name;
};

struct Bad {
  const char* text;
  const char* error_part;  // the message must contain this
};

}  // namespace

TEST_CASE("every documented address form parses") {
  const Good table[] = {
      {"8080", SocketKind::TcpStream, HostKind::Any, "", 8080, ""},
      {"0", SocketKind::TcpStream, HostKind::Any, "", 0, ""},
      {"65535", SocketKind::TcpStream, HostKind::Any, "", 65535, ""},
      {"100.64.1.2:8080", SocketKind::TcpStream, HostKind::IPv4, "100.64.1.2", 8080, ""},
      {"127.0.0.1:0", SocketKind::TcpStream, HostKind::IPv4, "127.0.0.1", 0, ""},
      {"[::1]:80", SocketKind::TcpStream, HostKind::IPv6, "::1", 80, ""},
      {"[fd7a:115c:a1e0::1]:443", SocketKind::TcpStream, HostKind::IPv6, "fd7a:115c:a1e0::1", 443, ""},
      {"[::]:80", SocketKind::TcpStream, HostKind::IPv6, "::", 80, ""},
      {"localhost:8080", SocketKind::TcpStream, HostKind::Name, "localhost", 8080, ""},
      {"my-host.example.com.:1", SocketKind::TcpStream, HostKind::Name, "my-host.example.com.", 1, ""},
      {"tcp:8080", SocketKind::TcpStream, HostKind::Any, "", 8080, ""},
      {"tcp:127.0.0.1:9", SocketKind::TcpStream, HostKind::IPv4, "127.0.0.1", 9, ""},
      {"udp:53", SocketKind::UdpDatagram, HostKind::Any, "", 53, ""},
      {"udp:[::1]:53", SocketKind::UdpDatagram, HostKind::IPv6, "::1", 53, ""},
      {"web=127.0.0.1:8080", SocketKind::TcpStream, HostKind::IPv4, "127.0.0.1", 8080, "web"},
      {"a name with spaces=8080", SocketKind::TcpStream, HostKind::Any, "", 8080, "a name with spaces"},
  };
  for (const Good& g : table) {
    CAPTURE(g.text);
    BindRequest r;
    std::string err;
    REQUIRE_MESSAGE(parse_bind(g.text, &r, &err), err);
    CHECK(r.kind == g.kind);
    CHECK(r.host_kind == g.host_kind);
    CHECK(r.host == g.host);
    CHECK(r.port == g.port);
    CHECK(r.name == g.name);
  }
}

TEST_CASE("the spec kept for messages is the address as written, without the name") {
  BindRequest r;
  std::string err;
  REQUIRE(parse_bind("web=tcp:100.64.1.2:8080", &r, &err));
  CHECK(r.spec == "tcp:100.64.1.2:8080");
}

TEST_CASE("IPv6 zone is kept for the binder to resolve") {
  BindRequest r;
  std::string err;
  REQUIRE(parse_bind("[fe80::1%tailscale0]:8080", &r, &err));
  CHECK(r.host == "fe80::1");
  CHECK(r.scope == "tailscale0");
  REQUIRE(parse_bind("[fe80::1%2]:8080", &r, &err));
  CHECK(r.scope == "2");
}

TEST_CASE("Unix socket forms") {
  struct UnixCase {
    const char* text;
    SocketKind kind;
    const char* path;
    bool abstract;
  };
  const UnixCase table[] = {
      {"/run/app.sock", SocketKind::UnixStream, "/run/app.sock", false},
      {"./app.sock", SocketKind::UnixStream, "./app.sock", false},
      {"unix:relative.sock", SocketKind::UnixStream, "relative.sock", false},
      {"unix:/run/a:b.sock", SocketKind::UnixStream, "/run/a:b.sock", false},
      {"@app", SocketKind::UnixStream, "app", true},
      {"unix:@app", SocketKind::UnixStream, "app", true},
      {"unix-dgram:/run/log.sock", SocketKind::UnixDatagram, "/run/log.sock", false},
      {"unix-seqpacket:@seq", SocketKind::UnixSeqPacket, "seq", true},
      {"admin=/run/admin.sock", SocketKind::UnixStream, "/run/admin.sock", false},
  };
  for (const UnixCase& u : table) {
    CAPTURE(u.text);
    BindRequest r;
    std::string err;
    REQUIRE_MESSAGE(parse_bind(u.text, &r, &err), err);
    CHECK(r.kind == u.kind);
    CHECK(r.path == u.path);
    CHECK(r.abstract == u.abstract);
  }
}

TEST_CASE("Unix path length is bounded by sun_path") {
  BindRequest r;
  std::string err;
  const std::string fits = "/" + std::string(kMaxUnixPath - 1, 'a');
  CHECK(parse_bind(fits, &r, &err));
  CHECK_FALSE(parse_bind(fits + "a", &r, &err));
  CHECK(err.find("too long") != std::string::npos);
  CHECK(parse_bind("@" + std::string(kMaxUnixPath, 'a'), &r, &err));
  CHECK_FALSE(parse_bind("@" + std::string(kMaxUnixPath + 1, 'a'), &r, &err));
}

TEST_CASE("bad addresses are rejected with a message naming the problem") {
  const Bad table[] = {
      {"", "empty address"},
      {"65536", "invalid port '65536'"},
      {"99999999999999999999", "invalid port"},
      {"-1", "invalid port '-1'"},
      {"+80", "invalid port '+80'"},
      {"0x50", "invalid port '0x50'"},
      {"1.2.3.4", "missing port"},
      {"1.2.3:80", "invalid IPv4 address '1.2.3'"},
      {"256.1.1.1:80", "invalid IPv4 address"},
      {"1.2.3.4:", "missing port"},
      {"1.2.3.4:65536", "invalid port '65536'"},
      {"1.2.3.4:-1", "invalid port '-1'"},
      {":80", "missing host"},
      {"[::1", "missing ']'"},
      {"[::1]", "missing port"},
      {"[::1]80", "expected ':' after ']'"},
      {"[::g]:80", "invalid IPv6 address"},
      {"[1.2.3.4]:80", "invalid IPv6 address"},
      {"::1:80", "need brackets"},
      {"[fe80::1%]:80", "invalid interface"},
      {"[fe80::1%a/b]:80", "invalid interface"},
      {"local host:80", "invalid character"},
      {"h\xc3\xa9:80", "invalid character"},
      {"-bad-.example:80", "invalid host name"},
      {"a..b:80", "invalid host name"},
      {"localhost", "missing port"},
      {"udp:/path", "missing port"},
      {"@", "empty abstract socket name"},
      {"unix:", "empty Unix socket path"},
      {"=8080", "empty socket name"},
      {"a:b=8080", "contains ':'"},
      {"web=", "empty address"},
      {"bad\tname=8080", "printable ASCII"},
      {"8080\n", "control character"},
  };
  for (const Bad& b : table) {
    CAPTURE(b.text);
    BindRequest r;
    std::string err;
    CHECK_FALSE(parse_bind(b.text, &r, &err));
    CHECK_MESSAGE(err.find(b.error_part) != std::string::npos, err);
  }
}

TEST_CASE("socket names: up to 255 printable characters without ':'") {
  std::string err;
  CHECK(valid_fd_name(std::string(255, 'n'), &err));
  CHECK_FALSE(valid_fd_name(std::string(256, 'n'), &err));
  CHECK_FALSE(valid_fd_name(std::string(300, 'n'), &err));
  CHECK(valid_fd_name(" ~", &err));
  CHECK_FALSE(valid_fd_name("\x7f", &err));
  CHECK_FALSE(valid_fd_name("caf\xc3\xa9", &err));
}


// Found by fuzzing: a control byte in the NAME= part was copied raw into the
// error, so the usage error spanned several lines.
TEST_CASE("parse_bind errors stay on one line for control bytes in the name") {
  BindRequest request;
  std::string err;
  CHECK_FALSE(parse_bind("a\nb=80", &request, &err));
  CHECK(err == "socket name 'a\\nb' has a character outside printable ASCII");
  CHECK_FALSE(parse_bind(std::string("\x16=80", 4), &request, &err));
  CHECK(err == "socket name '\\x16' has a character outside printable ASCII");
}

struct AddressErrorCase {
  const char* text;
  const char* err;
};

// The bad-input contract: each address error says what was expected.
TEST_CASE("parse_bind errors say what is expected") {
  const AddressErrorCase cases[] = {
      {"1.2.3:80", "invalid IPv4 address '1.2.3' (expected four numbers 0-255, as in 192.0.2.1)"},
      {"[::1", "missing ']' in '[::1' (expected [IPV6]:PORT)"},
      {"[::g]:80", "invalid IPv6 address '::g' (expected one such as [2001:db8::1]:80)"},
      {"[fe80::1%]:80",
       "invalid interface '' in '[fe80::1%]:80' (expected 1-15 characters, no '/', ':' or spaces)"},
      {"127.0.0.1:", "missing port in '127.0.0.1:' (expected 0-65535 after ':')"},
      {":80", "missing host in ':80' (expected HOST:PORT, or PORT for every address)"},
      {"a..b:80",
       "invalid host name 'a..b' (expected dot-separated labels of letters, digits, '-' and '_', "
       "at most 253 characters)"},
      {"unix:", "empty Unix socket path in 'unix:' (expected unix:PATH)"},
      {"@", "empty abstract socket name in '@' (expected @NAME)"},
  };
  for (const AddressErrorCase& c : cases) {
    BindRequest request;
    std::string err;
    CAPTURE(c.text);
    CHECK_FALSE(parse_bind(c.text, &request, &err));
    CHECK(err == c.err);
  }
}
