#include "exporter/core/date.h"

#include <gtest/gtest.h>

namespace akash::core {
namespace {

TEST(Date, ParsesAndFormats) {
  auto d = Date::Parse("2026-03-21");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToString(), "2026-03-21");
  EXPECT_EQ(d->year(), 2026);
  EXPECT_EQ(d->month(), 3u);
  EXPECT_EQ(d->day(), 21u);
}

TEST(Date, RejectsInvalid) {
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-1-01", "20260101", "", "2026-01-0a",
                          "2026-04-31"}) {
    EXPECT_FALSE(Date::Parse(bad).has_value()) << bad;
  }
  EXPECT_TRUE(Date::Parse("2024-02-29").has_value());
}

TEST(Date, Arithmetic) {
  const Date d = *Date::Parse("2026-12-31");
  EXPECT_EQ(d.AddDays(1).ToString(), "2027-01-01");
  EXPECT_EQ(d.FirstOfMonth().ToString(), "2026-12-01");
  EXPECT_EQ(d.FirstOfYear().ToString(), "2026-01-01");
  EXPECT_EQ(Date::FromDays(0).ToString(), "1970-01-01");
}

TEST(Date, FromTimeUsesUtcDay) {
  using namespace std::chrono;
  const auto t = Date::Parse("2026-08-20")->Midnight() + hours(23) + minutes(59);
  EXPECT_EQ(Date::FromTime(t).ToString(), "2026-08-20");
  EXPECT_EQ(Date::FromTime(t + minutes(1)).ToString(), "2026-08-21");
  EXPECT_DOUBLE_EQ(Date::Parse("1970-01-02")->MidnightSeconds(), 86400.0);
}

}  // namespace
}  // namespace akash::core
