#include <doctest/doctest.h>

#include <climits>

#include "address.h"
#include "socket.h"
#include "socket_options.h"

using namespace bindretry;

TEST_CASE("per-socket options after the address") {
  struct Row {
    const char* text;
    const char* name;
    const char* spec;
    std::optional<int> backlog;
    std::optional<mode_t> mode;
    std::optional<std::string> owner;
    std::optional<bool> reuse_port, ipv6_only, freebind;
    std::optional<std::string> device;
  };
  const Row rows[] = {
      {"8080", "", "8080", {}, {}, {}, {}, {}, {}, {}},
      {"100.64.1.2:8080,freebind", "", "100.64.1.2:8080", {}, {}, {}, {}, {}, true, {}},
      {"admin=unix:/run/app/admin.sock,mode=0600,owner=app", "admin", "unix:/run/app/admin.sock",
       {}, 0600, "app", {}, {}, {}, {}},
      {"/run/a.sock,owner=:www", "", "/run/a.sock", {}, {}, ":www", {}, {}, {}, {}},
      {"web=[::]:80,ipv6only,backlog=16", "web", "[::]:80", 16, {}, {}, {}, true, {}, {}},
      {"80,reuseport=no", "", "80", {}, {}, {}, false, {}, {}, {}},
      {"udp:0.0.0.0:53,device=eth0,reuseport", "", "udp:0.0.0.0:53", {}, {}, {}, true, {}, {},
       "eth0"},
      {"unix-seqpacket:/s,backlog=1,mode=660", "", "unix-seqpacket:/s", 1, 0660, {}, {}, {}, {}, {}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    BindRequest r;
    std::string err;
    REQUIRE_MESSAGE(parse_bind(row.text, &r, &err), err);
    CHECK(r.name == row.name);
    CHECK(r.spec == row.spec);
    CHECK(r.options.backlog == row.backlog);
    CHECK(r.options.mode == row.mode);
    CHECK(r.options.owner == row.owner);
    CHECK(r.options.reuse_port == row.reuse_port);
    CHECK(r.options.ipv6_only == row.ipv6_only);
    CHECK(r.options.freebind == row.freebind);
    CHECK(r.options.device == row.device);
  }
}

TEST_CASE("bad per-socket options name the key or the value") {
  struct Row {
    const char* text;
    const char* error;
  };
  const Row rows[] = {
      {"8080,bogus", "unknown option 'bogus'"},
      {"8080,bogus=1", "unknown option 'bogus'"},
      {"8080,", "empty option"},
      {"8080,,freebind", "empty option"},
      {"8080,backlog", "option 'backlog' needs a value"},
      {"8080,backlog=0", "backlog '0'"},
      {"8080,backlog=-1", "backlog '-1'"},
      {"8080,backlog=2147483648", "backlog '2147483648'"},
      {"/a.sock,mode=0800", "mode '0800'"},
      {"/a.sock,mode=01777", "mode '01777'"},
      {"/a.sock,mode=", "option 'mode' needs a value"},
      {"8080,freebind=maybe", "option 'freebind': expected yes or no, not 'maybe'"},
      {"8080,device=a/b", "device 'a/b'"},
      {"8080,device=abcdefghijklmnop", "device 'abcdefghijklmnop'"},
      {"8080,mode=0600", "option 'mode' applies to Unix socket files only"},
      {"@abstract,owner=app", "option 'owner' applies to Unix socket files only"},
      {"udp:53,backlog=5", "option 'backlog' applies to stream and seqpacket sockets only"},
      {"unix-dgram:/d,backlog=5", "option 'backlog' applies to stream and seqpacket sockets only"},
      {"/a.sock,reuseport", "option 'reuseport' applies to TCP and UDP sockets only"},
      {"/a.sock,freebind", "option 'freebind' applies to TCP and UDP sockets only"},
      {"/a.sock,device=lo", "option 'device' applies to TCP and UDP sockets only"},
      {"127.0.0.1:80,ipv6only", "option 'ipv6only' applies to IPv6 addresses only"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    BindRequest r;
    std::string err;
    CHECK_FALSE(parse_bind(row.text, &r, &err));
    CHECK_MESSAGE(err.find(row.error) != std::string::npos, err);
  }
}

TEST_CASE("a ',' before the first '=' belongs to the options, not to a name") {
  BindRequest r;
  std::string err;
  REQUIRE(parse_bind("/run/a.sock,mode=0600", &r, &err));
  CHECK(r.name.empty());
  CHECK(r.path == "/run/a.sock");
  CHECK(r.options.mode == mode_t{0600});
}

TEST_CASE("parse_mode, parse_backlog") {
  mode_t m = 1;
  CHECK(parse_mode("0", &m));
  CHECK(m == 0);
  CHECK(parse_mode("777", &m));
  CHECK(m == 0777);
  CHECK_FALSE(parse_mode("1000", &m));
  CHECK_FALSE(parse_mode("-1", &m));
  CHECK_FALSE(parse_mode("", &m));
  CHECK_FALSE(parse_mode("00777", &m));
  int b = 0;
  CHECK(parse_backlog("2147483647", &b));
  CHECK(b == INT_MAX);
  CHECK_FALSE(parse_backlog("99999999999", &b));
  CHECK_FALSE(parse_backlog("+5", &b));
}

TEST_CASE("overrides replace the global settings for one socket") {
  SocketOptions global;
  global.backlog = 100;
  global.socket_mode = 0666;
  global.reuse_port = true;
  global.owner_uid = 10;
  global.owner_gid = 20;
  SocketOverrides none;
  const SocketOptions same = apply_overrides(global, none);
  CHECK(same.backlog == 100);
  CHECK(same.owner_uid == 10u);
  CHECK(same.owner_gid == 20u);

  SocketOverrides o;
  o.backlog = 5;
  o.mode = 0600;
  o.reuse_port = false;
  o.device = "lo";
  o.owner_uid = 30;  // owner=USER without a resolved group keeps no global group
  const SocketOptions s = apply_overrides(global, o);
  CHECK(s.backlog == 5);
  CHECK(s.socket_mode == 0600);
  CHECK_FALSE(s.reuse_port);
  CHECK(s.bind_device == "lo");
  CHECK(s.owner_uid == 30u);
  CHECK(s.owner_gid == static_cast<gid_t>(-1));
}

TEST_CASE("a per-socket option given twice is an error naming it") {
  for (const char* text : {"backlog=1,backlog=2", "freebind,freebind=no", "mode=0600,mode=0600"}) {
    CAPTURE(text);
    SocketOverrides o;
    std::string err;
    CHECK_FALSE(parse_socket_options(text, &o, &err));
    CHECK(err.find("given twice") != std::string::npos);
  }
}
