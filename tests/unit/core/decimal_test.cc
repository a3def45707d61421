#include "exporter/core/decimal.h"

#include <gtest/gtest.h>

namespace akash::core {
namespace {

Decimal P(const char* s) {
  auto d = Decimal::Parse(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(Decimal());
}

TEST(Decimal, ParsesChainDecCoinExactly) {
  EXPECT_EQ(P("152.341000000000000000").ToString(), "152.341");
  EXPECT_EQ(P("0.000000000000000001").ToString(), "0.000000000000000001");
  EXPECT_EQ(P("1827092").ToString(), "1827092");
}

TEST(Decimal, ParsesJsonFloatForms) {
  EXPECT_EQ(P("198821549.899183").ToString(), "198821549.899183");
  EXPECT_EQ(P("1e-05").ToString(), "0.00001");
  EXPECT_EQ(P("1.5e+16").ToString(), "15000000000000000");
  EXPECT_EQ(P("1.5E16").ToString(), "15000000000000000");
  EXPECT_EQ(P("0.0").ToString(), "0");
  EXPECT_EQ(P("-2.50").ToString(), "-2.5");
  EXPECT_EQ(P("+7").ToString(), "7");
  EXPECT_EQ(P("62549.30588271079").ToString(), "62549.30588271079");
}

TEST(Decimal, RejectsGarbage) {
  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1e", "1e+", "nan", "inf", "12abc",
                          "1 2", "0x10", "1e5x"}) {
    EXPECT_FALSE(Decimal::Parse(bad).has_value()) << bad;
  }
}

TEST(Decimal, RejectsOverflow) {
  EXPECT_FALSE(Decimal::Parse("1e40").has_value());
  EXPECT_FALSE(Decimal::Parse("123456789012345678901234567890").has_value());
}

TEST(Decimal, TruncatesBeyondEighteenDigits) {
  EXPECT_EQ(P("0.1234567890123456789").ToString(), "0.123456789012345678");
  EXPECT_TRUE(P("1e-30").IsZero());
}

TEST(Decimal, SumsExactlyWhereDoublesDrift) {
  Decimal sum;
  double dsum = 0;
  for (int i = 0; i < 1000; ++i) {
    sum += P("0.1");
    dsum += 0.1;
  }
  EXPECT_EQ(sum.ToString(), "100");
  EXPECT_NE(dsum, 100.0);  // the reason this type exists
  EXPECT_DOUBLE_EQ(sum.ToDouble(), 100.0);
}

TEST(Decimal, ShiftAndMultiply) {
  EXPECT_EQ(P("198821549.899183").ShiftDown(6).ToString(), "198.821549899183");
  EXPECT_EQ(P("152.341").MulInt(600).ToString(), "91404.6");
  EXPECT_DOUBLE_EQ(P("523063470.03441215").ShiftDown(6).ToDouble(), 523.06347003441215);
}

TEST(Decimal, FromDoubleUsesShortestForm) {
  EXPECT_EQ(Decimal::FromDouble(0.1).ToString(), "0.1");
  EXPECT_EQ(Decimal::FromDouble(3.21).ToString(), "3.21");
}

TEST(Decimal, Ordering) {
  EXPECT_LT(P("1.000000000000000001"), P("1.000000000000000002"));
  EXPECT_GT(P("0"), P("-0.5"));
}

}  // namespace
}  // namespace akash::core
