#include "metrics.h"
#include "cli.h"

#include <doctest/doctest.h>

#include <netdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace bindretry;
using namespace std::chrono_literals;

namespace {

class FakeClock : public TimeSource {
 public:
  TimePoint now() override { return t; }
  TimePoint t{};
};

class RecordingReporter : public Reporter {
 public:
  void report(const RetryEvent& e) override { kinds.push_back(e.kind); }
  std::vector<RetryEvent::Kind> kinds;
};

BindRequest request(const std::string& spec, const std::string& name = "") {
  BindRequest r;
  r.spec = spec;
  r.name = name;
  return r;
}

RetryEvent event(RetryEvent::Kind kind, const BindRequest& r, unsigned attempt, Duration elapsed,
                 BindError error = {}) {
  RetryEvent e;
  e.kind = kind;
  e.request = &r;
  e.attempt = attempt;
  e.elapsed = elapsed;
  e.error = error;
  return e;
}

std::string line_of(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("metrics: the recorder counts attempts, keeps the last error and forwards every event") {
  const std::vector<BindRequest> reqs = {request("100.64.1.2:8080", "web"), request("8081")};
  RecordingReporter next;
  FakeClock clock;
  MetricsRecorder rec(reqs, next, clock);
  const BindError notavail = BindError::from_errno(EADDRNOTAVAIL);
  rec.report(event(RetryEvent::Kind::Bound, reqs[1], 1, 1ms));
  rec.report(event(RetryEvent::Kind::AttemptFailed, reqs[0], 1, 2ms, notavail));
  rec.report(event(RetryEvent::Kind::Waiting, reqs[0], 1, 2ms, notavail));
  rec.report(event(RetryEvent::Kind::AttemptFailed, reqs[0], 2, 1002ms, notavail));
  rec.report(event(RetryEvent::Kind::Bound, reqs[0], 3, 3004ms));
  clock.t += 10s;  // the wait of bound addresses is fixed when they bind

  CHECK(next.kinds.size() == 5);
  const auto out = rec.outcomes();
  REQUIRE(out.size() == 2);
  CHECK(out[0].address == "100.64.1.2:8080");
  CHECK(out[0].name == "web");
  CHECK(out[0].attempts == 3);
  CHECK(out[0].bound);
  CHECK(out[0].waited == 3004ms);
  CHECK(out[0].last_error == "EADDRNOTAVAIL");
  CHECK(out[1].name == "unknown");
  CHECK(out[1].attempts == 1);
  CHECK(out[1].last_error == "none");
  CHECK(out[1].waited == 1ms);
}

TEST_CASE("metrics: an address never bound has waited until the outcome is taken") {
  const std::vector<BindRequest> reqs = {request("10.0.0.1:80")};
  RecordingReporter next;
  FakeClock clock;
  MetricsRecorder rec(reqs, next, clock);
  rec.report(event(RetryEvent::Kind::AttemptFailed, reqs[0], 1, 0ms,
                   BindError::from_errno(EADDRINUSE)));
  clock.t += 2500ms;  // a signal ended the wait here
  const auto out = rec.outcomes();
  CHECK_FALSE(out[0].bound);
  CHECK(out[0].attempts == 1);
  CHECK(out[0].waited == 2500ms);
  CHECK(out[0].last_error == "EADDRINUSE");
}

TEST_CASE("metrics: resolver failures are named by their EAI code") {
  const std::vector<BindRequest> reqs = {request("db.internal:5432")};
  RecordingReporter next;
  FakeClock clock;
  MetricsRecorder rec(reqs, next, clock);
  rec.report(event(RetryEvent::Kind::GaveUp, reqs[0], 6, 31s, BindError::from_resolver(EAI_NONAME)));
  CHECK(rec.outcomes()[0].last_error == "EAI_NONAME");
  CHECK(rec.outcomes()[0].waited == 31s);
}

TEST_CASE("metrics: label values are escaped") {
  struct Row {
    std::string in, out;
  };
  const Row rows[] = {{"plain", "plain"},
                      {"a\"b", "a\\\"b"},
                      {"back\\slash", "back\\\\slash"},
                      {"new\nline", "new\\nline"},
                      {"", ""}};
  for (const Row& row : rows) {
    CAPTURE(row.in);
    CHECK(escape_label_value(row.in) == row.out);
  }
}

TEST_CASE("metrics: the file has every family with HELP and TYPE, and exact values") {
  AddressOutcome a;
  a.address = "100.64.1.2:8080";
  a.name = "web";
  a.attempts = 3;
  a.bound = true;
  a.waited = 3004500us;
  a.last_error = "EADDRNOTAVAIL";
  AddressOutcome b;
  b.address = "/run/a\"b.sock";
  b.attempts = 6;
  b.waited = 31s;
  const auto now = std::chrono::system_clock::time_point(1700000000123ms);
  const std::string text = format_metrics({a, b}, now);

  for (const char* family :
       {"bindretry_bind_attempts_total counter", "bindretry_bind_bound gauge",
        "bindretry_bind_wait_seconds gauge", "bindretry_bind_last_error_info gauge",
        "bindretry_last_run_success gauge", "bindretry_last_run_timestamp_seconds gauge"}) {
    CAPTURE(family);
    CHECK(text.find(std::string("# TYPE ") + family + "\n") != std::string::npos);
    const std::string name = std::string(family).substr(0, std::string(family).find(' '));
    CHECK(text.find("# HELP " + name + " ") != std::string::npos);
  }
  const std::string la = "{address=\"100.64.1.2:8080\",name=\"web\"}";
  const std::string lb = "{address=\"/run/a\\\"b.sock\",name=\"unknown\"}";
  CHECK(line_of(text, "bindretry_bind_attempts_total" + la) == "bindretry_bind_attempts_total" + la + " 3");
  CHECK(line_of(text, "bindretry_bind_attempts_total" + lb) == "bindretry_bind_attempts_total" + lb + " 6");
  CHECK(line_of(text, "bindretry_bind_bound" + la) == "bindretry_bind_bound" + la + " 1");
  CHECK(line_of(text, "bindretry_bind_bound" + lb) == "bindretry_bind_bound" + lb + " 0");
  CHECK(line_of(text, "bindretry_bind_wait_seconds" + la) == "bindretry_bind_wait_seconds" + la + " 3.0045");
  CHECK(line_of(text, "bindretry_bind_wait_seconds" + lb) == "bindretry_bind_wait_seconds" + lb + " 31");
  CHECK(line_of(text, "bindretry_bind_last_error_info{address=\"100.64.1.2:8080\"") ==
        "bindretry_bind_last_error_info{address=\"100.64.1.2:8080\",name=\"web\",error=\"EADDRNOTAVAIL\"} 1");
  CHECK(line_of(text, "bindretry_bind_last_error_info{address=\"/run") ==
        "bindretry_bind_last_error_info" + lb.substr(0, lb.size() - 1) + ",error=\"none\"} 1");
  CHECK(line_of(text, "bindretry_last_run_success ") == "bindretry_last_run_success 0");
  CHECK(line_of(text, "bindretry_last_run_timestamp_seconds ") ==
        "bindretry_last_run_timestamp_seconds 1700000000.123");
  CHECK(text.back() == '\n');
}

TEST_CASE("metrics: success is 1 only when every address is bound") {
  AddressOutcome a;
  a.address = "8080";
  a.bound = true;
  const auto now = std::chrono::system_clock::time_point(1s);
  CHECK(line_of(format_metrics({a}, now), "bindretry_last_run_success ") ==
        "bindretry_last_run_success 1");
  CHECK(line_of(format_metrics({}, now), "bindretry_last_run_success ") ==
        "bindretry_last_run_success 0");
  CHECK(line_of(format_metrics({a}, now), "bindretry_last_run_timestamp_seconds ") ==
        "bindretry_last_run_timestamp_seconds 1");
}

TEST_CASE("metrics: the same address twice (--reuse-port) is still two series") {
  AddressOutcome a;
  a.address = "8080";
  const std::string text = format_metrics({a, a}, std::chrono::system_clock::time_point{});
  CHECK(text.find("bindretry_bind_bound{address=\"8080\",name=\"unknown\"} 0\n") != std::string::npos);
  CHECK(text.find("bindretry_bind_bound{address=\"8080#2\",name=\"unknown\"} 0\n") != std::string::npos);
}

TEST_CASE("metrics: the file is replaced whole and no temporary file is left") {
  char tmpl[] = "/tmp/bindretry-metrics-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/bindretry.prom";
  std::string err;
  REQUIRE(write_file_atomically(path, "old\n", &err));
  REQUIRE(write_file_atomically(path, "new content\n", &err));
  CHECK(read_all(path) == "new content\n");
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);  // node_exporter usually runs as another user
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("metrics: an unwritable place is an error with a reason, not a crash") {
  std::string err;
  CHECK_FALSE(write_file_atomically("/nonexistent-bindretry-dir/m.prom", "x\n", &err));
  CHECK(err.find("No such file or directory") != std::string::npos);
  CHECK_FALSE(write_file_atomically("", "x\n", &err));
}

TEST_CASE("metrics: --metrics-file on the command line") {
  Options options;
  ParseOutcome out = parse_command_line({"bindretry", "--bind", "8080", "--", "true"}, &options);
  CHECK(out.run);
  CHECK(options.metrics_file.empty());
  out = parse_command_line(
      {"bindretry", "--metrics-file", "/var/lib/node_exporter/bindretry.prom", "--bind", "8080", "--", "true"},
      &options);
  CHECK(out.run);
  CHECK(options.metrics_file == "/var/lib/node_exporter/bindretry.prom");
  for (const char* bad : {"", "/var/lib/node_exporter/"}) {
    CAPTURE(bad);
    out = parse_command_line({"bindretry", "--metrics-file", bad, "--bind", "8080", "--", "true"}, &options);
    CHECK_FALSE(out.run);
    CHECK(out.exit_code == 2);
    CHECK(out.err == std::string("--metrics-file '") + bad + "': expected the path of a file");
  }
}
