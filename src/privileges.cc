#include "privileges.h"
#include "quote.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace bindretry {
namespace {

bool fail(std::string* err, std::string message) {
  *err = std::move(message);
  return false;
}


bool is_numeric(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// 0 .. 2^32-2: (uid_t)-1 means "no change" to the kernel and is never a user.
bool parse_id(std::string_view s, unsigned* out) {
  if (!is_numeric(s) || s.size() > 10) return false;
  unsigned long long v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v >= 0xffffffffULL) return false;
  *out = static_cast<unsigned>(v);
  return true;
}

// Names as useradd(8) and systemd accept them, loosely: no ':' (the
// separator), no '/', ',' or white space, no leading '-'.
bool check_name(std::string_view what, std::string_view name, std::string* err) {
  if (name.empty()) return fail(err, "empty " + std::string(what) + " name");
  if (name.size() > 256) return fail(err, std::string(what) + " name is too long");
  if (is_numeric(name)) {
    unsigned id = 0;
    if (!parse_id(name, &id))
      return fail(err, std::string(what) + " id " + quote(name) + " is out of range");
    return true;
  }
  const bool bad = name[0] == '-' || std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u >= 0x7f || c == ':' || c == '/' || c == ',';
  });
  if (bad) return fail(err, "invalid " + std::string(what) + " name " + quote(name));
  return true;
}

bool lookup_user(const std::string& user, const AccountDb& db, uid_t* uid,
                 std::optional<Account>* account, std::string* err) {
  Account a;
  unsigned id = 0;
  if (parse_id(user, &id)) {
    *uid = id;
    if (db.user_by_id(id, &a)) *account = a;
    return true;
  }
  if (!db.user_by_name(user, &a)) return fail(err, "no such user " + quote(user));
  *uid = a.uid;
  *account = a;
  return true;
}

bool lookup_group(const std::string& group, const AccountDb& db, gid_t* gid, std::string* err) {
  unsigned id = 0;
  if (parse_id(group, &id)) {
    *gid = id;
    return true;
  }
  if (!db.group_by_name(group, gid)) return fail(err, "no such group " + quote(group));
  return true;
}

// getpw*_r() and getgrnam_r() want a buffer; grow it while they say ERANGE.
// The entry points into the buffer, so `use` copies it out before it goes.
template <typename Call, typename Use>
bool with_buffer(Call call, Use use) {
  std::vector<char> buf(1024);
  for (;;) {
    const int rc = call(buf);
    if (rc == 0) return use();
    if (rc != ERANGE || buf.size() > (1u << 20)) return false;
    buf.resize(buf.size() * 2);
  }
}

Account to_account(const passwd& pw) {
  return Account{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir ? pw.pw_dir : ""};
}

}  // namespace

bool parse_user_spec(std::string_view text, bool allow_group_only, UserSpec* out,
                     std::string* err) {
  *out = UserSpec{};
  const auto colon = text.find(':');
  const std::string_view user = text.substr(0, colon);
  if (colon != std::string_view::npos) {
    const std::string_view group = text.substr(colon + 1);
    if (group.empty()) return fail(err, "missing group after ':'");
    if (!check_name("group", group, err)) return false;
    out->group = group;
    if (user.empty() && allow_group_only) return true;
  }
  if (user.empty()) return fail(err, "missing user name");
  if (!check_name("user", user, err)) return false;
  out->user = user;
  return true;
}

bool resolve_user(const UserSpec& spec, const AccountDb& db, Credentials* out, std::string* err) {
  *out = Credentials{};
  if (!lookup_user(spec.user, db, &out->uid, &out->account, err)) return false;
  if (!spec.group.empty()) {
    if (!lookup_group(spec.group, db, &out->gid, err)) return false;
  } else if (out->account) {
    out->gid = out->account->gid;
  } else {
    return fail(err, "user " + quote(spec.user) +
                         " is not in the password database, so it has no group: give one "
                         "as USER:GROUP");
  }
  if (out->account) out->groups = db.groups_of(out->account->name, out->gid);
  return true;
}

bool resolve_owner(const UserSpec& spec, const AccountDb& db, Ownership* out, std::string* err) {
  *out = Ownership{};
  std::optional<Account> account;
  if (!spec.user.empty() && !lookup_user(spec.user, db, &out->uid, &account, err)) return false;
  if (!spec.group.empty()) return lookup_group(spec.group, db, &out->gid, err);
  if (account) out->gid = account->gid;
  return true;
}

CurrentIds current_ids() {
  CurrentIds ids{};
  getresuid(&ids.ruid, &ids.euid, &ids.suid);
  getresgid(&ids.rgid, &ids.egid, &ids.sgid);
  return ids;
}

bool already_running_as(const Credentials& c, const CurrentIds& ids) {
  return ids.ruid == c.uid && ids.euid == c.uid && ids.suid == c.uid && ids.rgid == c.gid &&
         ids.egid == c.gid && ids.sgid == c.gid;
}

bool can_switch_to(const Credentials& c, const CurrentIds& ids, std::string* err) {
  if (ids.euid == 0 || already_running_as(c, ids)) return true;
  return fail(err, "changing the user needs root (running as uid " + std::to_string(ids.euid) +
                       ", asked for uid " + std::to_string(c.uid) + " gid " +
                       std::to_string(c.gid) + ")");
}

bool drop_privileges(const Credentials& c, std::string* err) {
  // Already there: nothing to drop, and setgroups() would fail without root.
  if (already_running_as(c, current_ids())) return true;
  // Groups first: once the uid is gone, the right to change them is gone too.
  if (setgroups(c.groups.size(), c.groups.data()) != 0)
    return fail(err, std::string("setgroups: ") + std::strerror(errno));
  if (setresgid(c.gid, c.gid, c.gid) != 0)
    return fail(err, "setgid " + std::to_string(c.gid) + ": " + std::strerror(errno));
  if (setresuid(c.uid, c.uid, c.uid) != 0)
    return fail(err, "setuid " + std::to_string(c.uid) + ": " + std::strerror(errno));
  // Trust, but verify: a drop that silently left a saved id behind could be undone.
  if (!already_running_as(c, current_ids()))
    return fail(err, "the user and group ids did not change as asked");
  if (c.uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
    return fail(err, "root could be regained after dropping privileges");
  if (c.uid != 0 && c.gid != 0 && setgid(0) == 0)
    return fail(err, "group root could be regained after dropping privileges");
  return true;
}

void set_user_environment(const Credentials& c) {
  if (c.account) {
    setenv("USER", c.account->name.c_str(), 1);
    setenv("LOGNAME", c.account->name.c_str(), 1);
    setenv("HOME", c.account->home.empty() ? "/" : c.account->home.c_str(), 1);
  } else {
    // Whatever the caller had would name the wrong user.
    unsetenv("USER");
    unsetenv("LOGNAME");
    setenv("HOME", "/", 1);
  }
}

bool set_no_new_privs(std::string* err) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return fail(err, std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno));
  return true;
}

bool RealAccountDb::user_by_name(const std::string& name, Account* out) const {
  passwd pw{};
  passwd* found = nullptr;
  return with_buffer(
      [&](std::vector<char>& buf) { return getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found); },
      [&] {
        if (!found) return false;
        *out = to_account(pw);
        return true;
      });
}

bool RealAccountDb::user_by_id(uid_t uid, Account* out) const {
  passwd pw{};
  passwd* found = nullptr;
  return with_buffer(
      [&](std::vector<char>& buf) { return getpwuid_r(uid, &pw, buf.data(), buf.size(), &found); },
      [&] {
        if (!found) return false;
        *out = to_account(pw);
        return true;
      });
}

bool RealAccountDb::group_by_name(const std::string& name, gid_t* out) const {
  group gr{};
  group* found = nullptr;
  return with_buffer(
      [&](std::vector<char>& buf) {
        return getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
      },
      [&] {
        if (!found) return false;
        *out = gr.gr_gid;
        return true;
      });
}

std::vector<gid_t> RealAccountDb::groups_of(const std::string& user, gid_t primary) const {
  std::vector<gid_t> groups(32);
  for (;;) {
    int n = static_cast<int>(groups.size());
    if (getgrouplist(user.c_str(), primary, groups.data(), &n) >= 0) {
      groups.resize(static_cast<std::size_t>(n));
      return groups;
    }
    if (n <= static_cast<int>(groups.size()) || n > 65536) return {primary};
    groups.resize(static_cast<std::size_t>(n));
  }
}

}  // namespace bindretry
