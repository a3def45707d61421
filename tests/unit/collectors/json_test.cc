#include "collectors/json.h"

#include <gtest/gtest.h>

#include <string>

#include "collectors/common.h"
#include "exporter/core/error.h"

namespace akash::collectors {
namespace {

using core::Decimal;
using core::ErrorReason;

JsonObject Root(const rapidjson::Document& doc) {
  auto root = JsonObject::From(doc, "https://x/route");
  EXPECT_TRUE(root.ok());
  return *root;
}

TEST(JsonTest, NumbersKeepTheirExactText) {
  auto doc = ParseJson(R"({"a":198821549.899183,"b":"62549.30588271079","c":1e-05,"d":1.5e+16,
                           "e":"1e-05","f":0.0,"g":-3})",
                       "r");
  ASSERT_TRUE(doc.ok());
  const JsonObject o = Root(*doc);
  EXPECT_EQ(o.Decimal("a")->ToString(), "198821549.899183");
  EXPECT_EQ(o.Decimal("b")->ToString(), "62549.30588271079");
  EXPECT_EQ(o.Decimal("c")->ToString(), "0.00001");
  EXPECT_EQ(o.Decimal("d")->ToString(), "15000000000000000");
  EXPECT_EQ(o.Decimal("e")->ToString(), "0.00001");
  EXPECT_TRUE(o.Decimal("f")->IsZero());
  EXPECT_EQ(*o.Decimal("g"), Decimal::FromInt(-3));
}

TEST(JsonTest, MissingFieldNamesFieldAndRouteNotBody) {
  auto doc = ParseJson(R"({"outer":{"secretish":"do-not-echo"}})", "r");
  ASSERT_TRUE(doc.ok());
  auto outer = JsonObject::From(*doc, "https://x/route")->Object("outer");
  ASSERT_TRUE(outer.ok());
  auto d = outer->Decimal("amount");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, ErrorReason::kParse);
  EXPECT_NE(d.error().message.find("outer.amount"), std::string::npos) << d.error().message;
  EXPECT_NE(d.error().message.find("https://x/route"), std::string::npos);
  EXPECT_NE(d.error().message.find("missing"), std::string::npos);
  EXPECT_EQ(d.error().message.find("do-not-echo"), std::string::npos);
}

TEST(JsonTest, WrongTypesAreParseErrors) {
  auto doc = ParseJson(R"({"t":true,"o":{},"a":[1],"s":"abc","n":null,"str":"x","num":5})", "r");
  ASSERT_TRUE(doc.ok());
  const JsonObject o = Root(*doc);
  for (const char* field : {"t", "o", "a", "s", "n"}) {
    auto d = o.Decimal(field);
    ASSERT_FALSE(d.ok()) << field;
    EXPECT_EQ(d.error().reason, ErrorReason::kParse);
    EXPECT_NE(d.error().message.find(std::string("field ") + field), std::string::npos);
  }
  EXPECT_FALSE(o.Object("str").ok());
  EXPECT_FALSE(o.String("o").ok());
  EXPECT_EQ(*o.String("str"), "x");
  // A number's text is accepted where a string is expected (numbers are parsed as strings).
  EXPECT_EQ(*o.String("num"), "5");
}

TEST(JsonTest, OptionalDecimalTreatsAbsentAndNullAlike) {
  auto doc = ParseJson(R"({"n":null,"v":"7","bad":false})", "r");
  ASSERT_TRUE(doc.ok());
  const JsonObject o = Root(*doc);
  EXPECT_FALSE(o.OptionalDecimal("n")->has_value());
  EXPECT_FALSE(o.OptionalDecimal("absent")->has_value());
  EXPECT_EQ(o.OptionalDecimal("v")->value(), Decimal::FromInt(7));
  EXPECT_FALSE(o.OptionalDecimal("bad").ok());
}

TEST(JsonTest, IntegersFromNumbersAndStrings) {
  auto doc = ParseJson(
      R"({"a":42,"b":"42","c":4.2e1,"d":"42.0","e":2.5,"f":"x","g":99999999999999999999})", "r");
  ASSERT_TRUE(doc.ok());
  const JsonObject o = Root(*doc);
  EXPECT_EQ(*o.Int("a"), 42);
  EXPECT_EQ(*o.Int("b"), 42);
  EXPECT_EQ(*o.Int("c"), 42);
  EXPECT_EQ(*o.Int("d"), 42);
  EXPECT_EQ(o.Int("e").error().reason, ErrorReason::kParse);
  EXPECT_EQ(o.Int("f").error().reason, ErrorReason::kParse);
  EXPECT_EQ(o.Int("g").error().reason, ErrorReason::kParse);
}

TEST(JsonTest, BadJsonReportsOffset) {
  for (const std::string& body :
       {std::string(R"({"earnings":{"totalUAktEarned":1)"), std::string("<!DOCTYPE html><html>"),
        std::string(""), std::string("Provider not found."), std::string(R"({"a":1} trailing)")}) {
    auto doc = ParseJson(body, "https://x/route");
    ASSERT_FALSE(doc.ok()) << body;
    EXPECT_EQ(doc.error().reason, ErrorReason::kParse);
    EXPECT_NE(doc.error().message.find("offset"), std::string::npos) << doc.error().message;
    EXPECT_NE(doc.error().message.find("https://x/route"), std::string::npos);
  }
  auto doc = ParseJson(R"({"a":1)", "r");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("offset 6"), std::string::npos) << doc.error().message;
}

TEST(JsonTest, RootMustBeAnObject) {
  auto doc = ParseJson("[1,2]", "r");
  ASSERT_TRUE(doc.ok());
  auto root = JsonObject::From(*doc, "r");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().reason, ErrorReason::kParse);
}

TEST(JsonTest, IsoTimestamps) {
  // 2026-08-20 is day 20685 since the epoch: 20685 × 86400 = 1787184000.
  const double midnight = 1787184000.0;
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20T00:00:00Z"), midnight);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20T12:00:03.512Z"), midnight + 43203.512);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20T12:00:03.512345678Z"),
                   midnight + 43203.512345678);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20T14:00:03+02:00"), midnight + 43203);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20T10:30:00-0130"), midnight + 43200);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20 12:00:00"), midnight + 43200);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("2026-08-20"), midnight);
  EXPECT_DOUBLE_EQ(*ParseIsoTimestamp("1970-01-01T00:00:00Z"), 0.0);
  for (const char* bad :
       {"", "2026-08-20T", "2026-02-30T00:00:00Z", "2026-08-20T25:00:00Z", "2026-08-20T12:00:00Q",
        "2026-08-20T12:00:00.Z", "20 Aug 2026", "2026-08-20T12:00:00+2"}) {
    EXPECT_FALSE(ParseIsoTimestamp(bad).has_value()) << bad;
  }
}

TEST(JsonTest, UpstreamErrorCodes) {
  EXPECT_EQ(UpstreamErrorCode(R"({"detail":{"error":"Not found","error_code":"EARNINGS_004"}})"),
            "EARNINGS_004");
  EXPECT_EQ(UpstreamErrorCode(R"({"detail":{"error":"API Key Required","message":"m"}})"),
            "API Key Required");
  EXPECT_EQ(UpstreamErrorCode(R"({"detail":[{"type":"missing"}]})"), "validation_error");
  EXPECT_EQ(UpstreamErrorCode(R"({"error":"NotFoundError","code":"not_found"})"), "not_found");
  EXPECT_EQ(UpstreamErrorCode(R"({"error":"Unauthorized","message":"Invalid API key"})"),
            "Unauthorized");
  EXPECT_EQ(UpstreamErrorCode("Provider not found."), "");
  EXPECT_EQ(UpstreamErrorCode("<html></html>"), "");
  EXPECT_EQ(UpstreamErrorCode(R"({"code":"a\nb=c"})"), "a?b?c");
}

TEST(CommonTest, JoinUrl) {
  EXPECT_EQ(JoinUrl("https://h", "/v1/x"), "https://h/v1/x");
  EXPECT_EQ(JoinUrl("https://h/", "v1/x"), "https://h/v1/x");
  EXPECT_EQ(JoinUrl("http://127.0.0.1:8080/base//", "//v1/x"), "http://127.0.0.1:8080/base/v1/x");
}

TEST(CommonTest, MulRatioIsExact) {
  const Decimal amount = *Decimal::Parse("198821549.899183");
  // 198821549.899183 × 0.02 = 3976430.99798366 exactly.
  EXPECT_EQ(MulRatio(amount, *Decimal::Parse("0.02")).ToString(), "3976430.99798366");
  // 62549.30588271079 × 0.8 = 50039.444706168632
  EXPECT_EQ(MulRatio(*Decimal::Parse("62549.30588271079"), *Decimal::Parse("0.8")).ToString(),
            "50039.444706168632");
  EXPECT_EQ(MulRatio(amount, Decimal::FromInt(1)), amount);
  EXPECT_TRUE(MulRatio(amount, Decimal()).IsZero());
  EXPECT_EQ(MulRatio(*Decimal::Parse("-10.5"), *Decimal::Parse("0.5")).ToString(), "-5.25");
  // Large realistic total: the whole AKT supply in uakt.
  EXPECT_EQ(MulRatio(*Decimal::Parse("260000000000000.123456"), *Decimal::Parse("0.04")).ToString(),
            "10400000000000.00493824");
}

TEST(CommonTest, RegimeForHonoursExclusiveUntil) {
  const std::vector<core::TakeRateRegime> rates = {
      {core::Date::FromYmd(2026, 3, 21), *Decimal::Parse("0.02"), *Decimal::Parse("0.2")},
      {std::nullopt, Decimal(), Decimal()}};
  EXPECT_EQ(RegimeFor(core::Date::FromYmd(2026, 3, 20), rates).akt, *Decimal::Parse("0.02"));
  EXPECT_EQ(RegimeFor(core::Date::FromYmd(2026, 3, 20), rates).act, *Decimal::Parse("0.2"));
  EXPECT_TRUE(RegimeFor(core::Date::FromYmd(2026, 3, 21), rates).akt.IsZero());
  EXPECT_TRUE(RegimeFor(core::Date::FromYmd(2026, 3, 21), rates).act.IsZero());
  EXPECT_TRUE(RegimeFor(core::Date::FromYmd(2020, 1, 1), {}).akt.IsZero());
}

}  // namespace
}  // namespace akash::collectors
