#include "exporter/sched/backoff.h"

#include <algorithm>
#include <cmath>

namespace akash::sched {

using std::chrono::milliseconds;

milliseconds BackoffCap(milliseconds interval) { return std::max(interval, kMaxBackoff); }

milliseconds FailureDelay(milliseconds interval, int consecutive_failures,
                          std::optional<std::chrono::seconds> retry_after, double jitter) {
  const milliseconds first = std::min(interval, kFirstRetryCap);
  const milliseconds cap = BackoffCap(interval);
  const int doublings = std::clamp(consecutive_failures - 1, 0, 30);
  double delay = static_cast<double>(first.count()) * std::pow(2.0, doublings);
  delay = std::min(delay, static_cast<double>(cap.count()));
  delay *= 1.0 + 0.1 * std::clamp(jitter, -1.0, 1.0);
  milliseconds out{static_cast<long long>(delay)};
  if (retry_after) out = std::max<milliseconds>(out, std::min<milliseconds>(*retry_after, cap));
  return std::max(out, milliseconds{1});
}

SteadyTime NextAfterSuccess(SteadyTime scheduled, SteadyTime now, milliseconds interval) {
  SteadyTime next = scheduled + interval;
  if (next <= now) {
    const auto missed = (now - scheduled) / interval;  // whole intervals overrun
    next = scheduled + interval * (missed + 1);
  }
  return next;
}

milliseconds InitialOffset(milliseconds interval, double unit) {
  const milliseconds spread = std::min(milliseconds{1000}, interval / 10);
  return milliseconds{static_cast<long long>(static_cast<double>(spread.count()) *
                                             std::clamp(unit, 0.0, 0.999999))};
}

}  // namespace akash::sched
