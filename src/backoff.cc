#include "backoff.h"

#include <algorithm>

namespace bindretry {

Duration backoff_delay(unsigned attempt, Duration initial, Duration max) {
  // Doubling stops at the cap, so a large attempt number cannot overflow.
  Duration delay = std::min(initial, max);
  for (unsigned k = 1; k < attempt && delay < max; ++k) delay = std::min(delay * 2, max);
  return delay;
}

}  // namespace bindretry
