#include <doctest/doctest.h>

#include <map>

#include "privileges.h"

using namespace bindretry;

namespace {

// A database with two users and three groups; records nothing, answers only.
class FakeAccounts : public AccountDb {
 public:
  FakeAccounts() {
    users_["app"] = Account{"app", 1000, 1000, "/srv/app"};
    users_["nobody"] = Account{"nobody", 65534, 65534, "/nonexistent"};
    groups_["app"] = 1000;
    groups_["www"] = 33;
    groups_["nogroup"] = 65534;
  }
  bool user_by_name(const std::string& name, Account* out) const override {
    const auto it = users_.find(name);
    if (it == users_.end()) return false;
    *out = it->second;
    return true;
  }
  bool user_by_id(uid_t uid, Account* out) const override {
    for (const auto& [name, a] : users_)
      if (a.uid == uid) {
        *out = a;
        return true;
      }
    return false;
  }
  bool group_by_name(const std::string& name, gid_t* out) const override {
    const auto it = groups_.find(name);
    if (it == groups_.end()) return false;
    *out = it->second;
    return true;
  }
  std::vector<gid_t> groups_of(const std::string& user, gid_t primary) const override {
    if (user == "app") return {primary, 33};
    return {primary};
  }

 private:
  std::map<std::string, Account> users_;
  std::map<std::string, gid_t> groups_;
};

}  // namespace

TEST_CASE("USER[:GROUP] syntax") {
  struct Row {
    const char* text;
    bool group_only;
    bool ok;
    const char* user;
    const char* group;  // or the error fragment
  };
  const Row rows[] = {
      {"app", false, true, "app", ""},
      {"app:www", false, true, "app", "www"},
      {"1000", false, true, "1000", ""},
      {"1000:33", false, true, "1000", "33"},
      {":www", true, true, "", "www"},
      {":www", false, false, "", "missing user name"},
      {"", false, false, "", "missing user name"},
      {"app:", false, false, "", "missing group after ':'"},
      {"-app", false, false, "", "invalid user name '-app'"},
      {"a b", false, false, "", "invalid user name 'a b'"},
      {"app:w/w", false, false, "", "invalid group name 'w/w'"},
      {"app:www:x", false, false, "", "invalid group name 'www:x'"},
      {"4294967295", false, false, "", "user id '4294967295' is out of range"},
      {"99999999999", false, false, "", "out of range"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    UserSpec spec;
    std::string err;
    REQUIRE(parse_user_spec(row.text, row.group_only, &spec, &err) == row.ok);
    if (row.ok) {
      CHECK(spec.user == row.user);
      CHECK(spec.group == row.group);
    } else {
      CHECK_MESSAGE(err.find(row.group) != std::string::npos, err);
    }
  }
}

TEST_CASE("resolving --user") {
  FakeAccounts db;
  struct Row {
    UserSpec spec;
    bool ok;
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;
    const char* error;
  };
  const Row rows[] = {
      {{"app", ""}, true, 1000, 1000, {1000, 33}, ""},
      {{"app", "www"}, true, 1000, 33, {33, 33}, ""},
      {{"app", "4242"}, true, 1000, 4242, {4242, 33}, ""},
      {{"65534", ""}, true, 65534, 65534, {65534}, ""},
      {{"5000", "5000"}, true, 5000, 5000, {}, ""},
      {{"5000", ""}, false, 0, 0, {}, "not in the password database"},
      {{"ghost", ""}, false, 0, 0, {}, "no such user 'ghost'"},
      {{"app", "ghosts"}, false, 0, 0, {}, "no such group 'ghosts'"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.spec.user);
    CAPTURE(row.spec.group);
    Credentials c;
    std::string err;
    REQUIRE(resolve_user(row.spec, db, &c, &err) == row.ok);
    if (row.ok) {
      CHECK(c.uid == row.uid);
      CHECK(c.gid == row.gid);
      CHECK(c.groups == row.groups);
    } else {
      CHECK_MESSAGE(err.find(row.error) != std::string::npos, err);
    }
  }
}

TEST_CASE("the password entry comes along for USER, LOGNAME and HOME") {
  FakeAccounts db;
  Credentials c;
  std::string err;
  REQUIRE(resolve_user({"65534", "nogroup"}, db, &c, &err));
  REQUIRE(c.account);
  CHECK(c.account->name == "nobody");
  CHECK(c.account->home == "/nonexistent");
}

TEST_CASE("resolving a socket owner") {
  FakeAccounts db;
  const auto none_u = static_cast<uid_t>(-1);
  const auto none_g = static_cast<gid_t>(-1);
  struct Row {
    UserSpec spec;
    bool ok;
    uid_t uid;
    gid_t gid;
  };
  const Row rows[] = {
      {{"app", ""}, true, 1000, 1000},
      {{"app", "www"}, true, 1000, 33},
      {{"", "www"}, true, none_u, 33},
      {{"5000", ""}, true, 5000, none_g},
      {{"ghost", ""}, false, 0, 0},
      {{"", "ghosts"}, false, 0, 0},
  };
  for (const Row& row : rows) {
    CAPTURE(row.spec.user);
    Ownership o;
    std::string err;
    REQUIRE(resolve_owner(row.spec, db, &o, &err) == row.ok);
    if (row.ok) {
      CHECK(o.uid == row.uid);
      CHECK(o.gid == row.gid);
    }
  }
}

TEST_CASE("who may switch users") {
  Credentials nobody;
  nobody.uid = 65534;
  nobody.gid = 65534;
  std::string err;
  const CurrentIds root{0, 0, 0, 0, 0, 0};
  const CurrentIds user{1000, 1000, 1000, 1000, 1000, 1000};
  const CurrentIds as_nobody{65534, 65534, 65534, 65534, 65534, 65534};
  const CurrentIds setuid_left{65534, 65534, 0, 65534, 65534, 65534};
  CHECK(can_switch_to(nobody, root, &err));
  CHECK(can_switch_to(nobody, as_nobody, &err));
  CHECK(already_running_as(nobody, as_nobody));
  CHECK_FALSE(already_running_as(nobody, setuid_left));
  CHECK_FALSE(can_switch_to(nobody, user, &err));
  CHECK(err.find("needs root") != std::string::npos);
  CHECK(err.find("uid 1000") != std::string::npos);
}
