// The environment and --config file as sources of options, and the options
// that resolve users (--user, --socket-owner, owner=).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "cli.h"

using namespace bindretry;

namespace {

class OneUser : public AccountDb {
 public:
  bool user_by_name(const std::string& name, Account* out) const override {
    if (name != "app") return false;
    *out = Account{"app", 1000, 1001, "/srv/app"};
    return true;
  }
  bool user_by_id(uid_t uid, Account* out) const override {
    return uid == 1000 && user_by_name("app", out);
  }
  bool group_by_name(const std::string& name, gid_t* out) const override {
    if (name != "www") return false;
    *out = 33;
    return true;
  }
  std::vector<gid_t> groups_of(const std::string&, gid_t primary) const override {
    return {primary, 33};
  }
};

struct Env {
  std::map<std::string, std::string> vars;
  OneUser accounts;
  ParseContext context() const {
    return ParseContext{[this](const std::string& name) -> const char* {
                          const auto it = vars.find(name);
                          return it == vars.end() ? nullptr : it->second.c_str();
                        },
                        &accounts};
  }
};

// A file removed again at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/bindretry-config-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

ParseOutcome parse(std::vector<std::string> args, const Env& env, Options* o) {
  args.insert(args.begin(), "bindretry");
  return parse_command_line(args, o, env.context());
}

}  // namespace

TEST_CASE("precedence: command line, then environment, then file") {
  TempFile file("bind = [\"web=127.0.0.1:8080\", \"unix:/run/app.sock\"]\n"
                "max-bind-retries = 10\nbacklog = 7\nlog-level = \"debug\"\n");
  struct Row {
    const char* what;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    unsigned retries;
    int backlog;
    std::size_t binds;
  };
  const Row rows[] = {
      {"file only", {"--config", file.path, "--", "x"}, {}, 10, 7, 2},
      {"env beats file", {"--config", file.path, "--", "x"},
       {{"BINDRETRY_MAX_BIND_RETRIES", "3"}, {"BINDRETRY_BIND", "1.2.3.4:1 5.6.7.8:2 [::1]:3"}},
       3, 7, 3},
      {"command line beats both", {"--config", file.path, "--max-bind-retries", "1", "-b", "80", "--", "x"},
       {{"BINDRETRY_MAX_BIND_RETRIES", "3"}, {"BINDRETRY_BIND", "1.2.3.4:1"}}, 1, 7, 1},
      {"config file named by the environment", {"--", "x"},
       {{"BINDRETRY_CONFIG", file.path}, {"BINDRETRY_BACKLOG", "9"}}, 10, 9, 2},
      {"empty variable is unset", {"--config", file.path, "--", "x"},
       {{"BINDRETRY_MAX_BIND_RETRIES", ""}}, 10, 7, 2},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    Env env;
    env.vars = row.env;
    Options o;
    const ParseOutcome out = parse(row.args, env, &o);
    REQUIRE_MESSAGE(out.run, out.err);
    CHECK(o.retry.max_retries == row.retries);
    CHECK(o.socket.backlog == row.backlog);
    CHECK(o.binds.size() == row.binds);
    CHECK(o.log_level == Level::Debug);
  }
}

TEST_CASE("flags from the environment and the file") {
  TempFile file("reuse_port = true\nno-watch-addresses = true\nfreebind = \"fallback\"\n");
  Env env;
  env.vars["BINDRETRY_IPV6_ONLY"] = "true";
  Options o;
  const ParseOutcome out = parse({"--config", file.path, "-b", "80", "--", "x"}, env, &o);
  REQUIRE_MESSAGE(out.run, out.err);
  CHECK(o.socket.reuse_port);
  CHECK(o.socket.ipv6_only);
  CHECK_FALSE(o.watch_addresses);
  CHECK(o.retry.freebind == FreeBindMode::Fallback);
}

TEST_CASE("bad values name their source") {
  TempFile bad_value("max-bind-retries = -1\n");
  TempFile unknown("bind = [\"80\"]\nmax-retries = 3\n");
  TempFile section("[server]\nbind = \"80\"\n");
  TempFile config_in_config("config = \"/etc/x\"\n");
  struct Row {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string error;
  };
  const Row rows[] = {
      {{"--config", bad_value.path, "-b", "80", "--", "x"}, {},
       "config file '" + bad_value.path + "', key 'max-bind-retries': max-bind-retries '-1'"},
      {{"--config", unknown.path, "--", "x"}, {},
       "config file '" + unknown.path + "': unknown key 'max-retries'"},
      {{"--config", section.path, "--", "x"}, {},
       "config file '" + section.path + "': unknown key 'server.bind'"},
      {{"--config", config_in_config.path, "--", "x"}, {},
       "config file '" + config_in_config.path + "': unknown key 'config'"},
      {{"--config", "/nonexistent/bindretry.toml", "--", "x"}, {},
       "--config '/nonexistent/bindretry.toml': cannot read"},
      {{"-b", "80", "--", "x"}, {{"BINDRETRY_BACKLOG", "0"}},
       "environment variable BINDRETRY_BACKLOG: backlog '0'"},
      {{"--", "x"}, {{"BINDRETRY_BIND", "80 1.2.3:4"}},
       "environment variable BINDRETRY_BIND: bind '1.2.3:4'"},
      {{"-b", "80", "--", "x"}, {{"BINDRETRY_QUIET", "maybe"}},
       "environment variable BINDRETRY_QUIET"},
      // A bad value on the command line still names the option.
      {{"--backlog", "0", "-b", "80", "--", "x"}, {{"BINDRETRY_BACKLOG", "5"}}, "--backlog '0'"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.error);
    Env env;
    env.vars = row.env;
    Options o;
    const ParseOutcome out = parse(row.args, env, &o);
    CHECK_FALSE(out.run);
    CHECK(out.exit_code == 2);
    CHECK_MESSAGE(out.err.find(row.error) != std::string::npos, out.err);
  }
}

TEST_CASE("--user, --socket-owner and owner= are resolved while parsing") {
  Env env;
  Options o;
  ParseOutcome out = parse({"--user", "app", "--no-new-privs", "--socket-owner", "app:www", "-b",
                            "/run/a.sock", "-b", "/run/b.sock,owner=:www", "--", "x"},
                           env, &o);
  REQUIRE_MESSAGE(out.run, out.err);
  REQUIRE(o.user);
  CHECK(o.user->uid == 1000u);
  CHECK(o.user->gid == 1001u);
  CHECK(o.user->groups == std::vector<gid_t>{1001, 33});
  CHECK(o.no_new_privs);
  CHECK(o.socket.owner_uid == 1000u);
  CHECK(o.socket.owner_gid == 33u);
  CHECK_FALSE(o.binds[0].options.owner_uid);
  CHECK(o.binds[1].options.owner_uid == static_cast<uid_t>(-1));
  CHECK(o.binds[1].options.owner_gid == 33u);

  struct Row {
    std::vector<std::string> args;
    const char* error;
  };
  const Row rows[] = {
      {{"--user", "ghost", "-b", "80", "--", "x"}, "--user 'ghost': no such user 'ghost'"},
      {{"--user", "app:ghosts", "-b", "80", "--", "x"}, "--user 'app:ghosts': no such group 'ghosts'"},
      {{"--user", ":www", "-b", "80", "--", "x"}, "--user ':www': missing user name"},
      {{"--socket-owner", "ghost", "-b", "80", "--", "x"}, "--socket-owner 'ghost': no such user"},
      {{"-b", "/a.sock,owner=ghost", "--", "x"}, "--bind '/a.sock,owner=ghost': owner 'ghost': no such user"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.error);
    out = parse(row.args, env, &o);
    CHECK_FALSE(out.run);
    CHECK(out.exit_code == 2);
    CHECK_MESSAGE(out.err.find(row.error) != std::string::npos, out.err);
  }
}

TEST_CASE("the same address twice needs reuseport on both") {
  Env env;
  struct Row {
    std::vector<std::string> args;
    bool ok;
  };
  const Row rows[] = {
      {{"-b", "127.0.0.1:80", "-b", "127.0.0.1:80", "--", "x"}, false},
      {{"-b", "127.0.0.1:80,reuseport", "-b", "127.0.0.1:80", "--", "x"}, false},
      {{"-b", "127.0.0.1:80", "-b", "127.0.0.1:80,reuseport", "--", "x"}, false},
      {{"-b", "127.0.0.1:80,reuseport", "-b", "127.0.0.1:80,reuseport", "--", "x"}, true},
      {{"--reuse-port", "-b", "127.0.0.1:80", "-b", "127.0.0.1:80", "--", "x"}, true},
      {{"--reuse-port", "-b", "127.0.0.1:80,reuseport=no", "-b", "127.0.0.1:80", "--", "x"}, false},
      {{"--reuse-port", "-b", "/a.sock", "-b", "/a.sock", "--", "x"}, false},
      {{"-b", "/a.sock,mode=0600", "-b", "/a.sock,mode=0666", "--", "x"}, false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.args[1]);
    Options o;
    const ParseOutcome out = parse(row.args, env, &o);
    CHECK_MESSAGE(out.run == row.ok, out.err);
    if (!row.ok) CHECK(out.err.find("the same address is given twice") != std::string::npos);
  }
}

TEST_CASE("a bind list across lines, with comments, and a byte order mark") {
  TempFile file("\xEF\xBB\xBF# the service's sockets\n"
                "bind = [\n"
                "  \"web=127.0.0.1:8080\",   # public\n"
                "  \"admin=unix:/run/app/admin.sock\",\n"
                "]\n"
                "max-bind-retries = 4\n");
  Env env;
  Options o;
  const ParseOutcome out = parse({"--config", file.path, "--", "x"}, env, &o);
  REQUIRE_MESSAGE(out.run, out.err);
  REQUIRE(o.binds.size() == 2);
  CHECK(o.binds[0].name == "web");
  CHECK(o.binds[1].path == "/run/app/admin.sock");
  CHECK(o.retry.max_retries == 4u);
}

TEST_CASE("a key given twice, or a list where one value goes, is a usage error") {
  for (const char* text : {"bind = [\"80\"]\nbacklog = 3\nbacklog = 4\n",
                           "bind = [\"80\"]\nbacklog = [3, 4]\n"}) {
    CAPTURE(text);
    TempFile file(text);
    Env env;
    Options o;
    const ParseOutcome out = parse({"--config", file.path, "--", "x"}, env, &o);
    CHECK(out.exit_code == 2);
    CHECK(out.err.find("key 'backlog': expected one value") != std::string::npos);
  }
}

TEST_CASE("freebind from the environment reads true and false like any switch") {
  struct Row {
    const char* value;
    FreeBindMode mode;
  };
  for (const Row& row : {Row{"true", FreeBindMode::Always}, Row{"false", FreeBindMode::Off},
                         Row{"fallback", FreeBindMode::Fallback}}) {
    CAPTURE(row.value);
    Env env;
    env.vars["BINDRETRY_FREEBIND"] = row.value;
    Options o;
    const ParseOutcome out = parse({"-b", "80", "--", "x"}, env, &o);
    REQUIRE_MESSAGE(out.run, out.err);
    CHECK(o.retry.freebind == row.mode);
  }
}

TEST_CASE("--quiet and --log-level: one source contradicts itself, two give way by precedence") {
  struct Row {
    const char* what;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    bool ok;
    Level level;
  };
  const Row rows[] = {
      {"both in the environment", {"-b", "80", "--", "x"},
       {{"BINDRETRY_QUIET", "1"}, {"BINDRETRY_LOG_LEVEL", "debug"}}, false, Level::Info},
      {"command line level beats environment quiet", {"--log-level", "debug", "-b", "80", "--", "x"},
       {{"BINDRETRY_QUIET", "1"}}, true, Level::Debug},
      {"command line quiet beats environment level", {"-q", "-b", "80", "--", "x"},
       {{"BINDRETRY_LOG_LEVEL", "debug"}}, true, Level::Error},
  };
  for (const Row& row : rows) {
    CAPTURE(row.what);
    Env env;
    env.vars = row.env;
    Options o;
    const ParseOutcome out = parse(row.args, env, &o);
    CHECK(out.run == row.ok);
    if (row.ok) CHECK(o.log_level == row.level);
    else CHECK(out.err.find("conflicts with --log-level") != std::string::npos);
  }
}
