// The command line: CLI11 turns argv into a plain Options struct, and every
// value is checked here, before anything is bound or created.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "log.h"
#include "restart.h"
#include "privileges.h"
#include "retry.h"
#include "socket.h"

namespace bindretry {

/// Everything the command line says.
struct Options {
  std::vector<BindRequest> binds;
  RetryPolicy retry;
  SocketOptions socket;
  bool watch_addresses = true;
  Level log_level = Level::Info;
  LogFormat log_format = LogFormat::Auto;
  std::string metrics_file;  ///< empty: none
  std::vector<std::string> command;
  // Supervise mode (--supervise): fork the command instead of exec'ing it.
  bool supervise = false;
  RestartPolicy restart;  ///< delays copied from `retry`
  Duration stop_timeout = std::chrono::seconds(10);
  std::string user_spec;               ///< --user as written, for messages
  std::optional<Credentials> user;     ///< --user, resolved
  bool no_new_privs = false;           ///< --no-new-privs
};

/// Where parsing looks beyond argv: the environment (BINDRETRY_<OPTION>)
/// and the account database (--user, --socket-owner, owner=).
struct ParseContext {
  std::function<const char*(const std::string&)> getenv;
  const AccountDb* accounts = nullptr;
};

/// The process environment and the system's account database.
ParseContext real_parse_context();

/// What to do after parsing: run, or exit now with a status and text to print.
struct ParseOutcome {
  bool run = false;
  int exit_code = 0;
  std::string out;  ///< for stdout (--help, --version)
  std::string err;  ///< one line for stderr (usage errors), without the program prefix
};

/// Parses argv (argv[0] included). Usage errors give exit code 2 and a line
/// naming the option and the value.
/// Options missing from argv come from BINDRETRY_<OPTION> variables, then
/// from the --config file (TOML).
ParseOutcome parse_command_line(const std::vector<std::string>& args, Options* options);
ParseOutcome parse_command_line(const std::vector<std::string>& args, Options* options,
                                const ParseContext& context);

}  // namespace bindretry
