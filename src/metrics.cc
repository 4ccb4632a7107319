#include "metrics.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "unique_fd.h"

namespace bindretry {
namespace {

// Exact decimal seconds from a count of sub-second units, trailing zeros
// dropped: Prometheus parses any float, and exact text keeps tests exact.
std::string decimal_seconds(long long count, long long per_second, int digits) {
  if (count < 0) count = 0;
  std::string text = std::to_string(count / per_second);
  std::string frac = std::to_string(count % per_second);
  frac.insert(0, static_cast<std::size_t>(digits) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) text += "." + frac;
  return text;
}

struct Family {
  const char* name;
  const char* type;
  const char* help;
};

constexpr Family kAttempts{"bindretry_bind_attempts_total", "counter",
                           "Bind attempts made for the address in the last run."};
constexpr Family kBound{"bindretry_bind_bound", "gauge",
                        "Whether the address was bound (1) or not (0) when the last run ended its wait."};
constexpr Family kWait{"bindretry_bind_wait_seconds", "gauge",
                       "Seconds from the first attempt until the address was bound or the wait ended."};
constexpr Family kLastError{"bindretry_bind_last_error_info", "gauge",
                            "Error of the last failed attempt for the address (errno name, or none); "
                            "the value is always 1."};
constexpr Family kSuccess{"bindretry_last_run_success", "gauge",
                          "Whether the last run bound every address (1) or not (0)."};
constexpr Family kTimestamp{"bindretry_last_run_timestamp_seconds", "gauge",
                            "Unix time at which the last run ended its wait."};

void header(std::string* out, const Family& f) {
  *out += std::string("# HELP ") + f.name + " " + f.help + "\n";
  *out += std::string("# TYPE ") + f.name + " " + f.type + "\n";
}

// Two sockets on the same address (--reuse-port) must still be two series.
std::vector<std::string> series_labels(const std::vector<AddressOutcome>& outcomes) {
  std::vector<std::string> labels;
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const AddressOutcome& o : outcomes) {
    const int n = ++seen[{o.address, o.name}];
    const std::string address = n == 1 ? o.address : o.address + "#" + std::to_string(n);
    labels.push_back("address=\"" + escape_label_value(address) + "\",name=\"" +
                     escape_label_value(o.name) + "\"");
  }
  return labels;
}

bool fail(std::string* err, const std::string& what) {
  *err = what + ": " + std::strerror(errno);
  return false;
}

}  // namespace

MetricsRecorder::MetricsRecorder(const std::vector<BindRequest>& requests, Reporter& next,
                                 TimeSource& clock)
    : requests_(requests), next_(next), clock_(clock), start_(clock.now()),
      outcomes_(requests.size()) {
  for (std::size_t i = 0; i < requests.size(); ++i) {
    outcomes_[i].address = requests[i].spec;
    if (!requests[i].name.empty()) outcomes_[i].name = requests[i].name;
  }
}

void MetricsRecorder::report(const RetryEvent& e) {
  next_.report(e);
  const auto i = static_cast<std::size_t>(e.request - requests_.data());
  if (e.request < requests_.data() || i >= outcomes_.size()) return;
  AddressOutcome& o = outcomes_[i];
  if (e.kind == RetryEvent::Kind::Waiting) return;  // a copy of an AttemptFailed
  o.attempts = e.attempt;
  if (!e.error.ok()) o.last_error = e.error.symbol();
  if (e.kind == RetryEvent::Kind::Bound || e.kind == RetryEvent::Kind::FreeBound) {
    o.bound = true;
    o.waited = e.elapsed;
  } else if (e.kind == RetryEvent::Kind::GaveUp || e.kind == RetryEvent::Kind::Fatal) {
    o.waited = e.elapsed;
  }
}

std::vector<AddressOutcome> MetricsRecorder::outcomes() const {
  std::vector<AddressOutcome> out = outcomes_;
  const auto now = std::chrono::duration_cast<Duration>(clock_.now() - start_);
  for (AddressOutcome& o : out)
    if (!o.bound && now > o.waited) o.waited = now;
  return out;
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_metrics(const std::vector<AddressOutcome>& outcomes,
                           std::chrono::system_clock::time_point now) {
  const std::vector<std::string> labels = series_labels(outcomes);
  std::string out;
  auto each = [&](const Family& f, auto value) {
    header(&out, f);
    for (std::size_t i = 0; i < outcomes.size(); ++i)
      out += std::string(f.name) + "{" + labels[i] + "} " + value(outcomes[i]) + "\n";
  };
  each(kAttempts, [](const AddressOutcome& o) { return std::to_string(o.attempts); });
  each(kBound, [](const AddressOutcome& o) { return std::string(o.bound ? "1" : "0"); });
  each(kWait, [](const AddressOutcome& o) { return decimal_seconds(o.waited.count(), 1000000, 6); });
  header(&out, kLastError);
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    out += std::string(kLastError.name) + "{" + labels[i] + ",error=\"" +
           escape_label_value(outcomes[i].last_error) + "\"} 1\n";

  bool success = !outcomes.empty();
  for (const AddressOutcome& o : outcomes) success = success && o.bound;
  header(&out, kSuccess);
  out += std::string(kSuccess.name) + (success ? " 1\n" : " 0\n");
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  header(&out, kTimestamp);
  out += std::string(kTimestamp.name) + " " + decimal_seconds(ms, 1000, 3) + "\n";
  return out;
}

bool write_file_atomically(const std::string& path, const std::string& content, std::string* err) {
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) {
    *err = "not a file name";
    return false;
  }
  // A dot name without the .prom suffix: the textfile collector skips it
  // while it is being written.
  std::string temp = dir + "." + base + ".XXXXXX";
  UniqueFd fd(mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) return fail(err, "creating a temporary file in '" + (dir.empty() ? "." : dir) + "'");
  bool ok = fchmod(fd.get(), 0644) == 0 || fail(err, "fchmod");
  for (std::size_t done = 0; ok && done < content.size();) {
    const ssize_t n = write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = fail(err, "writing '" + temp + "'");
    else done += static_cast<std::size_t>(n);
  }
  ok = ok && (fsync(fd.get()) == 0 || fail(err, "fsync '" + temp + "'"));
  ok = ok && (close(fd.release()) == 0 || fail(err, "closing '" + temp + "'"));
  ok = ok && (rename(temp.c_str(), path.c_str()) == 0 || fail(err, "renaming to '" + path + "'"));
  if (!ok) {
    unlink(temp.c_str());  // the temporary file is ours; nothing else is removed
    return false;
  }
  // The rename itself survives a crash only once the directory is synced.
  UniqueFd dirfd(open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dirfd.valid()) fsync(dirfd.get());
  return true;
}

}  // namespace bindretry
