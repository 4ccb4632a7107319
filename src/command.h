// Finding and running COMMAND, with env(1)'s exit statuses.
#pragma once

#include <string>
#include <vector>

namespace bindretry {

/// Exit status when COMMAND cannot be run: 127 when it does not exist, 126
/// when it exists but cannot be executed (as env(1), nohup(1) and shells do).
int exec_failure_status(int err);

/// Looks COMMAND up the way execvp() will (in $PATH unless it contains a '/').
/// Returns 0 when a runnable candidate exists, EACCES when one exists but is
/// not a regular executable file, else ENOENT; lets bindretry report 126 or
/// 127 before it waits for any address.
int find_command(const std::string& command);

/// execvp(); returns only on failure, with errno.
int exec_command(const std::vector<std::string>& command);

}  // namespace bindretry
