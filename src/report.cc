#include "report.h"

#include "log.h"
#include "messages.h"

namespace bindretry {

namespace {
// Time granted beyond the bind deadline for the last attempt and the exec.
constexpr Duration kStartSlack = std::chrono::seconds(10);

void report_status(Notifier& notifier, const RetryEvent& e, std::optional<Duration> max_time,
                   bool* announced) {
  if (!notifier.enabled()) return;
  if (e.kind == RetryEvent::Kind::Waiting) {
    std::string message = "STATUS=" + status_text(e);
    // A TimeoutStartSec= shorter than --max-bind-time must not kill the wait.
    if (max_time)
      message += "\nEXTEND_TIMEOUT_USEC=" +
                 std::to_string((*max_time - e.elapsed + kStartSlack).count());
    notifier.send(message);
    *announced = true;
  } else if (e.kind == RetryEvent::Kind::GaveUp || e.kind == RetryEvent::Kind::Fatal) {
    notifier.send("STATUS=Failed to bind " + e.request->spec + ": " + e.error.message());
  }
}

}  // namespace

void EventReporter::report(const RetryEvent& event) {
  log_line(describe(event));
  report_status(notifier_, event, max_time_, &announced_);
}

}  // namespace bindretry
