// The retry schedule: exponential backoff without jitter, capped.
#pragma once

#include "duration.h"

namespace bindretry {

/// The wait after failed attempt `attempt` (1-based): min(initial * 2^(attempt-1), max).
Duration backoff_delay(unsigned attempt, Duration initial, Duration max);

}  // namespace bindretry
