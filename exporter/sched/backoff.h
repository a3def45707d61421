#pragma once
// When to poll next: pure functions of the schedule, so they are tested with made-up times.
//
// Success: drift-free. The next deadline is the previous deadline plus the interval, not "now
// plus interval", so a 60 s source polls at t0, t0+60, t0+120 ... however long each poll
// took. If a poll overran whole intervals, the missed slots are skipped (no burst to catch up).
//
// Failure: exponential backoff from a short first retry, capped. After n consecutive failures
// the delay is min(interval, 30 s) × 2^(n−1), at most max(interval, 10 min), then stretched
// to any Retry-After the upstream sent, but never past that same cap (an upstream, a proxy or
// an on-path attacker must not be able to silence a source for days), and jittered by ±10 % so many targets failing together
// do not retry in lockstep. A long-interval source (earnings, 1 h) thus retries a transient
// failure after 30 s instead of an hour, and a dead upstream is asked at most every 10 min
// (or every interval, when that is longer). The first success resets the count.

#include <chrono>
#include <optional>

namespace akash::sched {

using SteadyTime = std::chrono::steady_clock::time_point;

inline constexpr std::chrono::milliseconds kFirstRetryCap{30'000};
inline constexpr std::chrono::milliseconds kMaxBackoff{600'000};

// The longest wait after a failure, Retry-After included: max(interval, 10 min).
std::chrono::milliseconds BackoffCap(std::chrono::milliseconds interval);

// jitter ∈ [-1, 1] scales the ±10 % spread.
std::chrono::milliseconds FailureDelay(std::chrono::milliseconds interval, int consecutive_failures,
                                       std::optional<std::chrono::seconds> retry_after,
                                       double jitter);

SteadyTime NextAfterSuccess(SteadyTime scheduled, SteadyTime now,
                            std::chrono::milliseconds interval);

// Offset of a target's first poll after start: spreads many targets over up to 1 s (or a tenth
// of the interval, when smaller) so they do not hit the upstream in the same millisecond.
// unit ∈ [0, 1).
std::chrono::milliseconds InitialOffset(std::chrono::milliseconds interval, double unit);

}  // namespace akash::sched
