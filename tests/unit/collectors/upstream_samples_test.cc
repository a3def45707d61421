// The response bodies taken from Akash's own code (tests/fixtures/collectors/upstream-samples/,
// see its README) parse to exactly the values that README derives: exact decimals where the
// parser keeps decimals, 1e-12 relative where the exported double is compared.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "collectors/market.h"
#include "collectors/provider_dashboard.h"
#include "collectors/provider_earnings.h"
#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using core::ErrorReason;
using testing::At;
using testing::FakeFetcher;
using testing::Respond;
using testing::Value;

constexpr const char* kProvider = "akash1qyqszqgpqyqszqgpqyqszqgpqyqszqgplgve5x";
constexpr const char* kConsole = "https://console.test";
constexpr const char* kProviderConsole = "https://provider-console.test";
constexpr const char* kKey =
    "akash_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string Sample(const std::string& name) { return testing::Fixture("upstream-samples/" + name); }

void ExpectRel(double actual, double expected) {
  if (expected == 0) {
    EXPECT_EQ(actual, 0.0);
  } else {
    EXPECT_LE(std::fabs(actual - expected) / std::fabs(expected), 1e-12)
        << actual << " vs " << expected;
  }
}

std::string Micro(const core::Decimal& d) { return d.ShiftDown(6).ToString(); }

// --- Provider Console Earnings API and the Console earnings route ----------------------------

TEST(UpstreamSamplesTest, EarningsKeyOpenApiExample) {
  auto a = ParseEarnings(Sample("earnings_key_openapi_example.json"), "r");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(Micro(a->uakt), "198.821549899183");
  // This API has no totalUActEarned: ACT comes from totalUUsdcEarned.
  EXPECT_EQ(Micro(a->uact), "0.06254930588271079");
  EXPECT_EQ(Micro(a->uusd), "523.06347003441215");
  ExpectRel(a->uakt.ShiftDown(6).ToDouble(), 198.821549899183);
  ExpectRel(a->uact.ShiftDown(6).ToDouble(), 0.06254930588271079);
  ExpectRel(a->uusd.ShiftDown(6).ToDouble(), 523.0634700344121);
}

TEST(UpstreamSamplesTest, EarningsZeroBodies) {
  for (const char* name : {"earnings_key_zero_window.json", "earnings_console_zero.json"}) {
    auto a = ParseEarnings(Sample(name), "r");
    ASSERT_TRUE(a.ok()) << name << ": " << a.error().message;
    EXPECT_TRUE(a->uakt.IsZero()) << name;
    EXPECT_TRUE(a->uact.IsZero()) << name;
    EXPECT_TRUE(a->uusd.IsZero()) << name;
  }
}

class EarningsSampleSourceTest : public ::testing::Test {
 protected:
  ProviderEarningsSource Source() {
    ProviderEarningsOptions o;
    o.provider = kProvider;
    o.console_api = kConsole;
    o.provider_console_api = kProviderConsole;
    o.earnings_api_key = core::Secret(kKey);
    return ProviderEarningsSource(std::move(o));
  }
  core::SharedFacts facts_;
  FakeFetcher fetcher_;
};

TEST_F(EarningsSampleSourceTest, MissingKeyAnswerIsAuth) {
  fetcher_.SetHandler([](const core::Request&) -> std::optional<core::Result<core::Response>> {
    return Respond(401, Sample("earnings_key_401_missing.json"));
  });
  auto source = Source();
  auto out = source.Poll(fetcher_, PollContext{At(2026, 8, 22, 10), &facts_});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kAuth) << out.error().message;
  EXPECT_EQ(fetcher_.calls().size(), 1u);
}

TEST_F(EarningsSampleSourceTest, NotIndexedAnswerFallsBackOneDay) {
  // 2026-08-22: a range ending today answers the sample 404 (EARNINGS_004); every range ending
  // on the 21st answers the zero window.
  fetcher_.SetHandler([](const core::Request& r) -> std::optional<core::Result<core::Response>> {
    if (r.url.find("to_date=2026-08-22") != std::string::npos) {
      return Respond(404, Sample("earnings_key_404.json"));
    }
    return Respond(200, Sample("earnings_key_zero_window.json"));
  });
  auto source = Source();
  auto out = source.Poll(fetcher_, PollContext{At(2026, 8, 22, 0, 10), &facts_});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*Value(*out, "akash_provider_earnings_window_end_timestamp_seconds",
                   {{"provider", kProvider}}),
            core::Date::FromYmd(2026, 8, 21).MidnightSeconds());
  EXPECT_EQ(
      *Value(*out, "akash_provider_earnings_usd", {{"provider", kProvider}, {"window", "7d"}}),
      0.0);
}

// --- Console provider dashboard ---------------------------------------------------------------

TEST(UpstreamSamplesTest, DashboardWithLeasesInTheWireTypes) {
  auto d = ParseProviderDashboard(Sample("dashboard_with_leases_wire.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->active_cpu_milli.ShiftDown(3).ToString(), "34");
  EXPECT_EQ(d->active_gpu.ToString(), "2");
  EXPECT_EQ(d->active_memory_bytes.ToString(), "137438953472");
  EXPECT_EQ(d->active_ephemeral_storage_bytes.ToString(), "214748364800");
  EXPECT_EQ(d->active_persistent_storage_bytes.ToString(), "0");
  EXPECT_EQ(d->active_lease_count, 3);
  EXPECT_EQ(d->total_lease_count, 412);
  EXPECT_EQ(Micro(d->total_uakt_earned), "198.821549899183");
  EXPECT_EQ(Micro(d->total_uact_earned), "62.54930588271079");
  EXPECT_EQ(Micro(d->total_uusd_earned), "523.06347003441215");
  EXPECT_EQ(Micro(d->daily_uakt_earned), "0");
  EXPECT_EQ(Micro(d->daily_uact_earned), "1.4501235");
  EXPECT_EQ(Micro(d->daily_uusd_earned), "1.4501235");
}

TEST(UpstreamSamplesTest, DashboardWithLeasesExportedValues) {
  FakeFetcher fetcher;
  fetcher.Set(std::string(kConsole) + "/v1/provider-dashboard/" + kProvider,
              Respond(200, Sample("dashboard_with_leases_wire.json")));
  core::SharedFacts facts;
  ProviderDashboardSource source(kConsole, kProvider);
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 22, 9), &facts});
  ASSERT_TRUE(out.ok()) << out.error().message;
  const Labels p = {{"provider", kProvider}};
  ExpectRel(*Value(*out, "akash_provider_leased_cpu_cores", p), 34);
  ExpectRel(*Value(*out, "akash_provider_leased_gpus", p), 2);
  ExpectRel(*Value(*out, "akash_provider_leased_memory_bytes", p), 137438953472.0);
  ExpectRel(*Value(*out, "akash_provider_leased_storage_bytes",
                   {{"provider", kProvider}, {"class", "ephemeral"}}),
            214748364800.0);
  // Never the concatenated activeStorage ("2147483648000").
  EXPECT_EQ(*Value(*out, "akash_provider_leased_storage_bytes",
                   {{"provider", kProvider}, {"class", "persistent"}}),
            0.0);
  EXPECT_EQ(*Value(*out, "akash_provider_leases_active", p), 3);
  EXPECT_EQ(*Value(*out, "akash_provider_leases_created_total", p), 412);
  ExpectRel(*Value(*out, "akash_provider_earned_akt_total", p), 198.821549899183);
  ExpectRel(*Value(*out, "akash_provider_earned_act_total", p), 62.54930588271079);
  ExpectRel(*Value(*out, "akash_provider_earned_usd_total", p), 523.0634700344121);
  EXPECT_EQ(*Value(*out, "akash_provider_earnings_last_24h_akt", p), 0.0);
  ExpectRel(*Value(*out, "akash_provider_earnings_last_24h_act", p), 1.4501235);
  ExpectRel(*Value(*out, "akash_provider_earnings_last_24h_usd", p), 1.4501235);
  // 2026-08-22T08:11:42.517Z.
  ExpectRel(*Value(*out, "akash_provider_data_timestamp_seconds", p),
            core::Date::FromYmd(2026, 8, 22).MidnightSeconds() + 8 * 3600 + 11 * 60 + 42.517);
}

TEST(UpstreamSamplesTest, DashboardIntegrationSeedIsAllZero) {
  auto d = ParseProviderDashboard(Sample("dashboard_integration_seed_wire.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  for (const core::Decimal* v :
       {&d->total_uakt_earned, &d->total_uact_earned, &d->total_uusd_earned, &d->daily_uakt_earned,
        &d->daily_uact_earned, &d->daily_uusd_earned, &d->active_cpu_milli, &d->active_gpu,
        &d->active_memory_bytes, &d->active_ephemeral_storage_bytes,
        &d->active_persistent_storage_bytes}) {
    EXPECT_TRUE(v->IsZero()) << v->ToString();
  }
  EXPECT_EQ(d->active_lease_count, 0);
  EXPECT_EQ(d->total_lease_count, 0);
  EXPECT_EQ(d->date_seconds, core::Date::FromYmd(2026, 8, 22).MidnightSeconds() + 8 * 3600);
}

TEST(UpstreamSamplesTest, ConsoleProviderNotFoundIsHttp4xx) {
  FakeFetcher fetcher;
  fetcher.Set(std::string(kConsole) + "/v1/provider-dashboard/" + kProvider,
              Respond(404, Sample("console_404_provider_not_found.json")));
  core::SharedFacts facts;
  ProviderDashboardSource source(kConsole, kProvider);
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 22, 9), &facts});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kHttp4xx);
  EXPECT_NE(out.error().message.find("not_found"), std::string::npos) << out.error().message;
}

// --- Console market data ------------------------------------------------------------------------

TEST(UpstreamSamplesTest, MarketOracleAnswerWithZeroVolume) {
  auto price = ParseAktPrice(Sample("market_data_oracle_functional_test.json"), "r");
  ASSERT_TRUE(price.ok()) << price.error().message;
  EXPECT_EQ(price->ToString(), "1.5");
}

TEST(UpstreamSamplesTest, MarketFallbackWithoutPriceIsAnErrorNeverZeroDollars) {
  FakeFetcher fetcher;
  fetcher.Set(std::string(kConsole) + "/v1/market-data/akt",
              Respond(200, Sample("market_data_fallback_no_price.json")));
  core::SharedFacts facts;
  MarketSource source(kConsole, {});
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 22, 9), &facts});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kParse);
  EXPECT_NE(out.error().message.find("price"), std::string::npos) << out.error().message;
  EXPECT_FALSE(facts.AktPriceUsd().has_value()) << "a $0 price reached the shared facts";
}

}  // namespace
}  // namespace akash::collectors
