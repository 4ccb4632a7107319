// Running the target as another user: USER[:GROUP] is parsed (pure), resolved
// through an account database (injected, so the logic is tested with a fake),
// and the drop itself is the only part that makes system calls.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindretry {

/// USER[:GROUP] as written. A part made of digits is a numeric id.
struct UserSpec {
  std::string user;   ///< may be empty only for ":GROUP" (socket owners)
  std::string group;  ///< empty: the user's primary group
};

/// Parses USER[:GROUP]; with allow_group_only, ":GROUP" is accepted too.
bool parse_user_spec(std::string_view text, bool allow_group_only, UserSpec* out,
                     std::string* err);

/// One entry of the password database.
struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

/// The password and group databases (the production one is RealAccountDb).
class AccountDb {
 public:
  virtual ~AccountDb() = default;
  virtual bool user_by_name(const std::string& name, Account* out) const = 0;
  virtual bool user_by_id(uid_t uid, Account* out) const = 0;
  virtual bool group_by_name(const std::string& name, gid_t* out) const = 0;
  /// Every group `user` belongs to, `primary` included (getgrouplist).
  virtual std::vector<gid_t> groups_of(const std::string& user, gid_t primary) const = 0;
};

/// NSS through getpwnam_r() and friends.
class RealAccountDb : public AccountDb {
 public:
  bool user_by_name(const std::string& name, Account* out) const override;
  bool user_by_id(uid_t uid, Account* out) const override;
  bool group_by_name(const std::string& name, gid_t* out) const override;
  std::vector<gid_t> groups_of(const std::string& user, gid_t primary) const override;
};

/// Who the target runs as.
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;      ///< supplementary groups
  std::optional<Account> account; ///< the password entry, when there is one
};

/// Resolves --user: names must exist; a numeric user without a password
/// entry needs an explicit group. Supplementary groups are the user's groups
/// from the database (none for a user without an entry).
bool resolve_user(const UserSpec& spec, const AccountDb& db, Credentials* out, std::string* err);

/// Owner of a socket file; (uid_t)-1 / (gid_t)-1 leave that part unchanged, as in chown(2).
struct Ownership {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

/// Resolves a socket owner: USER takes the user's primary group (as
/// systemd's SocketUser= does), USER:GROUP both, :GROUP the group only.
bool resolve_owner(const UserSpec& spec, const AccountDb& db, Ownership* out, std::string* err);

/// The process's real, effective and saved ids.
struct CurrentIds {
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
};

/// CurrentIds of this process.
CurrentIds current_ids();

/// Whether the process already runs with exactly `c`'s user and group ids
/// (then there is nothing to drop and no privilege is needed).
bool already_running_as(const Credentials& c, const CurrentIds& ids);

/// Checks before binding that a drop to `c` can work: as root, or already as `c`.
bool can_switch_to(const Credentials& c, const CurrentIds& ids, std::string* err);

/// setgroups, setgid, setuid (in that order), then checks that root cannot
/// be regained.
bool drop_privileges(const Credentials& c, std::string* err);

/// USER, LOGNAME and HOME as the password database has them (as systemd's
/// User= sets them); for a user without an entry USER and LOGNAME are
/// removed and HOME is "/".
void set_user_environment(const Credentials& c);

/// PR_SET_NO_NEW_PRIVS: no exec after this can gain privileges.
bool set_no_new_privs(std::string* err);

}  // namespace bindretry
