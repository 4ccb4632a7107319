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
