// The open-file limit: a thousand sockets need a thousand descriptors (and
// moving misplaced ones into their slots a few more for a moment).
#pragma once

#include <cstddef>
#include <string>

namespace bindretry {

/// Descriptors needed while binding `sockets` sockets: 0-2, the sockets, the
/// few bindretry opens for itself and, when the limit is close, whatever else
/// is open already.
std::size_t descriptors_needed(std::size_t sockets);

/// The highest open descriptor number, -1 when it cannot be told.
int highest_open_descriptor();

/// Raises the soft RLIMIT_NOFILE to `needed` when it is lower, up to the hard
/// limit. Sets *raised to a message when it changed something. False, with
/// *err giving the numbers, when even the hard limit is too low.
bool ensure_descriptor_limit(std::size_t needed, std::string* raised, std::string* err);

}  // namespace bindretry
