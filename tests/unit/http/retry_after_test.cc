#include <gtest/gtest.h>

#include <chrono>

#include "exporter/http/client.h"

namespace akash::http {
namespace {

using std::chrono::seconds;
using std::chrono::sys_days;
using namespace std::chrono_literals;

// 2026-10-21 07:00:00 UTC
const auto kNow = std::chrono::system_clock::time_point(
    sys_days{std::chrono::year{2026} / 10 / 21} + std::chrono::hours{7});

TEST(ParseRetryAfter, DeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), seconds(120));
  EXPECT_EQ(ParseRetryAfter("0", kNow), seconds(0));
  EXPECT_EQ(ParseRetryAfter("  30 ", kNow), seconds(30));
}

TEST(ParseRetryAfter, HugeDeltaIsClamped) {
  const auto v = ParseRetryAfter("99999999999999999999999", kNow);
  ASSERT_TRUE(v.has_value());
  EXPECT_GT(*v, seconds(1'000'000'000));
}

TEST(ParseRetryAfter, ImfFixdate) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", kNow), seconds(28 * 60));
}

TEST(ParseRetryAfter, Rfc850) {
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-26 07:28:00 GMT", kNow), seconds(28 * 60));
  // "99" is more than 50 years ahead of 2026, so it means 1999: long past.
  EXPECT_EQ(ParseRetryAfter("Thursday, 21-Oct-99 07:28:00 GMT", kNow), seconds(0));
}

TEST(ParseRetryAfter, Asctime) {
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:28:00 2026", kNow), seconds(28 * 60));
  // Single-digit day padded with a space.
  const auto nov6 =
      std::chrono::system_clock::time_point(sys_days{std::chrono::year{2026} / 11 / 6});
  EXPECT_EQ(ParseRetryAfter("Fri Nov  6 00:01:00 2026", nov6), seconds(60));
}

TEST(ParseRetryAfter, PastDateIsZero) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kNow), seconds(0));
  // Before the range of nanosecond time points (1677): still just the past, no overflow
  // (found by the CI fuzz run).
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 1026 07:28:07 GMT", kNow), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 0001 07:28:07 GMT", kNow), seconds(0));
}

TEST(ParseRetryAfter, SubSecondRemainderRoundsUp) {
  const auto now = kNow + 500ms;
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:00:02 GMT", now), seconds(2));
}

TEST(ParseRetryAfter, Garbage) {
  for (const char* v : {"", "  ", "soon", "-5", "1.5", "12abc", "Wed, 21 Oct 2026 07:28:00",
                        "Wed, 21 Oct 2026 07:28:00 UTC", "Wed, 32 Oct 2026 07:28:00 GMT",
                        "Wed, 21 Foo 2026 07:28:00 GMT", "Wed, 21 Oct 2026 25:28:00 GMT",
                        "Wed, 31 Feb 2026 07:28:00 GMT", "Xyz, 21 Oct 2026 07:28:00 GMT",
                        "Wed Oct 21 07:28:00", "Wednesday, 21-Oct-2026 07:28:00 GMT"}) {
    EXPECT_FALSE(ParseRetryAfter(v, kNow).has_value()) << "'" << v << "'";
  }
}

}  // namespace
}  // namespace akash::http
