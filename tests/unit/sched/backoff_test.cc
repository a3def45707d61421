#include "exporter/sched/backoff.h"

#include <gtest/gtest.h>

namespace akash::sched {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

TEST(FailureDelay, DoublesFromShortFirstRetryUpToCap) {
  const milliseconds interval = 60s;
  EXPECT_EQ(FailureDelay(interval, 1, std::nullopt, 0), 30s);
  EXPECT_EQ(FailureDelay(interval, 2, std::nullopt, 0), 60s);
  EXPECT_EQ(FailureDelay(interval, 3, std::nullopt, 0), 120s);
  EXPECT_EQ(FailureDelay(interval, 5, std::nullopt, 0), 480s);
  EXPECT_EQ(FailureDelay(interval, 6, std::nullopt, 0), 600s);
  EXPECT_EQ(FailureDelay(interval, 60, std::nullopt, 0), 600s) << "no overflow for long outages";
}

TEST(FailureDelay, ShortIntervalStartsAtInterval) {
  EXPECT_EQ(FailureDelay(5s, 1, std::nullopt, 0), 5s);
  EXPECT_EQ(FailureDelay(5s, 2, std::nullopt, 0), 10s);
}

TEST(FailureDelay, LongIntervalCapsAtInterval) {
  EXPECT_EQ(FailureDelay(1h, 1, std::nullopt, 0), 30s);
  EXPECT_EQ(FailureDelay(1h, 8, std::nullopt, 0), 1h);  // 30 s × 128 > 1 h
  EXPECT_EQ(FailureDelay(1h, 20, std::nullopt, 0), 1h);
}

TEST(FailureDelay, JitterStaysWithinTenPercent) {
  EXPECT_EQ(FailureDelay(60s, 2, std::nullopt, 1.0), 66s);
  EXPECT_EQ(FailureDelay(60s, 2, std::nullopt, -1.0), 54s);
  EXPECT_EQ(FailureDelay(60s, 2, std::nullopt, 7.0), 66s) << "out-of-range jitter is clamped";
}

TEST(FailureDelay, RetryAfterIsAFloor) {
  EXPECT_EQ(FailureDelay(60s, 1, 300s, 0), 300s);
  EXPECT_EQ(FailureDelay(60s, 3, 5s, 0), 120s) << "a short Retry-After does not shorten backoff";
  EXPECT_EQ(FailureDelay(60s, 1, 0s, 0), 30s);
}

TEST(FailureDelay, RetryAfterIsHonouredOnlyUpToTheBackoffCap) {
  // One 429 with "Retry-After: 1000000" (11.6 days) must not silence a source for that long.
  EXPECT_EQ(FailureDelay(60s, 1, 1'000'000s, 0), 600s);
  EXPECT_EQ(FailureDelay(2h, 1, 1'000'000s, 0), 2h) << "the cap is max(interval, 10 min)";
  EXPECT_EQ(FailureDelay(60s, 1, 599s, 0), 599s) << "below the cap it is honoured exactly";
  EXPECT_EQ(BackoffCap(60s), 600s);
  EXPECT_EQ(BackoffCap(1h), 1h);
}

TEST(NextAfterSuccess, IsDriftFree) {
  const SteadyTime t0{};
  // The poll took 7 s: the next one is still at t0 + 60 s, not t0 + 67 s.
  EXPECT_EQ(NextAfterSuccess(t0, t0 + 7s, 60s), t0 + 60s);
}

TEST(NextAfterSuccess, SkipsMissedSlotsWithoutBursting) {
  const SteadyTime t0{};
  EXPECT_EQ(NextAfterSuccess(t0, t0 + 150s, 60s), t0 + 180s);
  EXPECT_EQ(NextAfterSuccess(t0, t0 + 60s, 60s), t0 + 120s) << "exactly on a slot: take the next";
}

TEST(InitialOffset, SpreadIsBounded) {
  EXPECT_EQ(InitialOffset(60s, 0.0), 0ms);
  EXPECT_LT(InitialOffset(60s, 0.999), 1000ms);
  EXPECT_GE(InitialOffset(60s, 0.5), 499ms);
  EXPECT_LE(InitialOffset(2s, 0.999), 200ms) << "a tenth of a short interval";
}

}  // namespace
}  // namespace akash::sched
