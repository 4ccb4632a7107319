// The outcome of the wait for monitoring: retry events are collected per
// address and written in Prometheus' text exposition format, atomically, for
// node_exporter's textfile collector. Formatting is pure; writing is glue.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "retry.h"

namespace bindretry {

/// What the metrics file says about one address.
struct AddressOutcome {
  std::string address;             ///< as the user wrote it
  std::string name = "unknown";    ///< its LISTEN_FDNAMES entry
  unsigned attempts = 0;           ///< bind attempts made for it
  bool bound = false;
  Duration waited{};               ///< from the first attempt to bound, or to the end of the wait
  std::string last_error = "none"; ///< symbol of the last failed attempt, e.g. "EADDRNOTAVAIL"
};

/// Records each event per address and passes it on unchanged.
class MetricsRecorder : public Reporter {
 public:
  MetricsRecorder(const std::vector<BindRequest>& requests, Reporter& next, TimeSource& clock);
  void report(const RetryEvent& event) override;
  /// The outcome so far; addresses not bound have waited until now.
  std::vector<AddressOutcome> outcomes() const;

 private:
  const std::vector<BindRequest>& requests_;
  Reporter& next_;
  TimeSource& clock_;
  TimePoint start_;
  std::vector<AddressOutcome> outcomes_;
};

/// A Prometheus label value with '\\', '"' and newlines escaped (no quotes).
std::string escape_label_value(const std::string& value);

/// The whole file: HELP and TYPE lines, one series per address and metric,
/// and the run's success and end time (`now` in Unix time).
std::string format_metrics(const std::vector<AddressOutcome>& outcomes,
                           std::chrono::system_clock::time_point now);

/// Replaces `path` with `content` so that readers see the old file or the new
/// one, never a part: a temporary file in the same directory, fsync, rename.
bool write_file_atomically(const std::string& path, const std::string& content, std::string* err);

}  // namespace bindretry
