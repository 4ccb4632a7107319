#include <doctest/doctest.h>

#include <string>

#include "address.h"

using namespace bindretry;

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
