#include "collectors/market.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using core::Date;
using core::Decimal;
using core::ErrorReason;
using testing::At;
using testing::FakeFetcher;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kUrl = "https://console.test/v1/market-data/akt";

std::vector<core::TakeRateRegime> ChainRates() {
  return {{Date::FromYmd(2026, 3, 21), *Decimal::Parse("0.02"), *Decimal::Parse("0.20")},
          {std::nullopt, Decimal(), Decimal()}};
}

TEST(MarketParseTest, PriceEncodings) {
  EXPECT_EQ(ParseAktPrice(Fixture("market/ok.json"), "r")->ToString(), "3.21");
  EXPECT_EQ(ParseAktPrice(Fixture("market/price_string.json"), "r")->ToString(), "3.21");
  EXPECT_EQ(ParseAktPrice(Fixture("market/price_exponent.json"), "r")->ToString(), "0.25");
}

TEST(MarketParseTest, UnusablePricesAreParseErrors) {
  for (const char* fixture :
       {"market/price_null.json", "market/price_missing.json", "market/price_zero.json",
        "errors/cloudflare_403.html", "earnings/truncated.json"}) {
    auto p = ParseAktPrice(Fixture(fixture), "https://console.test/v1/market-data/akt");
    ASSERT_FALSE(p.ok()) << fixture;
    EXPECT_EQ(p.error().reason, ErrorReason::kParse) << fixture;
  }
  auto missing = ParseAktPrice(Fixture("market/price_missing.json"), "route");
  EXPECT_NE(missing.error().message.find("field price"), std::string::npos);
}

class MarketSourceTest : public ::testing::Test {
 protected:
  core::Result<PollOutput> PollAt(std::chrono::system_clock::time_point now) {
    PollContext ctx{now, &facts_};
    return source_.Poll(fetcher_, ctx);
  }
  core::SharedFacts facts_;
  FakeFetcher fetcher_;
  MarketSource source_{"https://console.test", ChainRates()};
};

TEST_F(MarketSourceTest, ExportsPriceAndPublishesIt) {
  fetcher_.Set(kUrl, Respond(200, Fixture("market/ok.json")));
  auto out = PollAt(At(2026, 8, 20, 12));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(source_.name(), "market");
  EXPECT_EQ(source_.target(), "");
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_akt_price_usd", {}), 3.21);
  ASSERT_TRUE(facts_.AktPriceUsd().has_value());
  EXPECT_DOUBLE_EQ(*facts_.AktPriceUsd(), 3.21);
  ASSERT_EQ(out->families.size(), 2u);
  for (const auto& f : out->families) {
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge);
    EXPECT_NE(f.help.find("refreshed every market interval"), std::string::npos) << f.name;
  }
  ASSERT_EQ(fetcher_.calls().size(), 1u);
  EXPECT_TRUE(fetcher_.calls()[0].secret_headers.empty());
}

TEST_F(MarketSourceTest, TakeRateFollowsTodaysRegime) {
  fetcher_.Set(kUrl, Respond(200, Fixture("market/ok.json")));
  // The last day before BME still has the old rates; BME day itself has none.
  auto before = PollAt(At(2026, 3, 20, 23, 59));
  ASSERT_TRUE(before.ok());
  EXPECT_DOUBLE_EQ(*Value(*before, "akash_take_rate_ratio", {{"denom", "akt"}}), 0.02);
  EXPECT_DOUBLE_EQ(*Value(*before, "akash_take_rate_ratio", {{"denom", "act"}}), 0.2);
  auto after = PollAt(At(2026, 3, 21, 0, 0));
  ASSERT_TRUE(after.ok());
  // Both label values are always exported, 0 after BME.
  EXPECT_EQ(*Value(*after, "akash_take_rate_ratio", {{"denom", "akt"}}), 0.0);
  EXPECT_EQ(*Value(*after, "akash_take_rate_ratio", {{"denom", "act"}}), 0.0);
}

TEST_F(MarketSourceTest, ErrorsLeaveFactsAlone) {
  fetcher_.Set(kUrl, Respond(502, Fixture("errors/console_502_database_timeout.json")));
  auto out = PollAt(At(2026, 8, 20, 12));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kHttp5xx);
  EXPECT_NE(out.error().message.find("database_timeout"), std::string::npos);
  EXPECT_FALSE(facts_.AktPriceUsd().has_value());

  fetcher_.Set(kUrl, Respond(200, Fixture("market/price_null.json")));
  out = PollAt(At(2026, 8, 20, 12));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kParse);
  EXPECT_FALSE(facts_.AktPriceUsd().has_value());

  core::Response limited = Respond(429, Fixture("errors/cloudflare_429.html"), "text/html");
  limited.retry_after = std::chrono::seconds(60);
  fetcher_.Set(kUrl, limited);
  out = PollAt(At(2026, 8, 20, 12));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kRateLimited);
  EXPECT_EQ(out.error().retry_after, std::chrono::seconds(60));
}

}  // namespace
}  // namespace akash::collectors
