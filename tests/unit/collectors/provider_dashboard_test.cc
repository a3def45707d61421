#include "collectors/provider_dashboard.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using core::ErrorReason;
using testing::FakeFetcher;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kProvider = "akash1provider0000000000000000000000000000";
constexpr const char* kConsole = "https://console.test";
const std::string kUrl = std::string(kConsole) + "/v1/provider-dashboard/" + std::string(kProvider);
// 2026-08-20T00:00:00Z as Unix seconds (20685 days × 86400).
constexpr double kAug20 = 1787184000.0;

TEST(ProviderDashboardParseTest, SampleValues) {
  auto d = ParseProviderDashboard(Fixture("dashboard/ok.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->total_uakt_earned.ToString(), "198821549.899183");
  EXPECT_EQ(d->total_uact_earned.ToString(), "62549.30588271079");
  EXPECT_EQ(d->total_uusd_earned.ToString(), "523063470.03441215");
  EXPECT_EQ(d->active_lease_count, 42);
  EXPECT_EQ(d->total_lease_count, 1337);
  EXPECT_EQ(d->active_cpu_milli.ToString(), "123500");
  EXPECT_EQ(d->active_gpu.ToString(), "8");
  EXPECT_EQ(d->active_memory_bytes.ToString(), "687194767360");
  EXPECT_EQ(d->active_ephemeral_storage_bytes.ToString(), "1099511627776");
  EXPECT_EQ(d->active_persistent_storage_bytes.ToString(), "2199023255552");
  EXPECT_DOUBLE_EQ(d->date_seconds, kAug20 + 12 * 3600 + 3.512);
}

TEST(ProviderDashboardParseTest, NumericStringsAndOffsetDate) {
  auto d = ParseProviderDashboard(Fixture("dashboard/numeric_strings.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->total_uakt_earned.ToString(), "198821549.899183");
  EXPECT_EQ(d->total_uact_earned.ToString(), "62549.30588271079");
  EXPECT_EQ(d->active_lease_count, 42);
  EXPECT_EQ(d->active_memory_bytes.ToString(), "687194767360");
  // 14:00:03.512345+02:00 is 12:00:03.512345Z.
  EXPECT_NEAR(d->date_seconds, kAug20 + 12 * 3600 + 3.512345, 1e-6);
}

TEST(ProviderDashboardParseTest, PreBmePayloadTakesActFromUsdc) {
  auto d = ParseProviderDashboard(Fixture("dashboard/pre_bme.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->total_uact_earned.ToString(), "7500000.5");
}

TEST(ProviderDashboardParseTest, ActNeverAddsUsdc) {
  auto d = ParseProviderDashboard(Fixture("dashboard/act_and_usdc_differ.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  // totalUActEarned (5e6) wins; neither 7e6 (USDC) nor 12e6 (their sum).
  EXPECT_EQ(d->total_uact_earned.ToString(), "5000000");
}

TEST(ProviderDashboardParseTest, ExponentFloats) {
  auto d = ParseProviderDashboard(Fixture("dashboard/exponent_floats.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->total_uakt_earned.ToString(), "15000000000000000");
  EXPECT_EQ(d->total_uact_earned.ToString(), "0.00001");
  EXPECT_EQ(d->active_lease_count, 10);
  EXPECT_EQ(d->total_lease_count, 200);
  EXPECT_EQ(d->active_cpu_milli.ToString(), "2500");
  EXPECT_TRUE(d->active_gpu.IsZero());
  EXPECT_EQ(d->active_memory_bytes.ToString(), "1073741824");
  EXPECT_EQ(d->active_persistent_storage_bytes.ToString(), "5000000000");
}

struct BadCase {
  const char* fixture;
  const char* field;  // expected in the message
};

TEST(ProviderDashboardParseTest, MalformedBodiesAreParseErrorsNamingTheField) {
  const BadCase cases[] = {
      {"dashboard/missing_cpu.json", "current.activeCPU"},
      {"dashboard/missing_date.json", "current.date"},
      {"dashboard/bad_date.json", "current.date"},
      {"dashboard/fractional_lease_count.json", "current.activeLeaseCount"},
      {"dashboard/null_usd.json", "current.totalUUsdEarned"},
      {"dashboard/cpu_is_object.json", "current.activeCPU"},
      {"dashboard/no_current.json", "current"},
      {"dashboard/current_not_object.json", "current"},
      {"errors/cloudflare_403.html", "offset"},
      {"errors/plain_404_provider_not_found.txt", "offset"},
      {"earnings/truncated.json", "offset"},
  };
  for (const auto& c : cases) {
    auto d = ParseProviderDashboard(Fixture(c.fixture), "https://console.test/v1/x");
    ASSERT_FALSE(d.ok()) << c.fixture;
    EXPECT_EQ(d.error().reason, ErrorReason::kParse) << c.fixture;
    EXPECT_NE(d.error().message.find(c.field), std::string::npos)
        << c.fixture << ": " << d.error().message;
    EXPECT_NE(d.error().message.find("https://console.test/v1/x"), std::string::npos);
  }
}

class ProviderDashboardSourceTest : public ::testing::Test {
 protected:
  core::Result<PollOutput> Poll() {
    PollContext ctx{testing::At(2026, 8, 20, 12), &facts_};
    return source_.Poll(fetcher_, ctx);
  }
  core::SharedFacts facts_;
  FakeFetcher fetcher_;
  ProviderDashboardSource source_{std::string(kConsole) + "/", kProvider};
};

TEST_F(ProviderDashboardSourceTest, ExportsEveryFamilyWithLabelsAndHelp) {
  fetcher_.Set(kUrl, Respond(200, Fixture("dashboard/ok.json")));
  auto out = Poll();
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(fetcher_.calls().size(), 1u);
  EXPECT_TRUE(fetcher_.calls()[0].secret_headers.empty());
  EXPECT_EQ(source_.name(), "provider_dashboard");
  EXPECT_EQ(source_.target(), kProvider);

  const Labels p = {{"provider", kProvider}};
  // Values derived by hand from ok.json: micro-units / 1e6, activeCPU / 1000.
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earned_akt_total", p), 198.821549899183);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earned_act_total", p), 0.06254930588271079);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earned_usd_total", p), 523.06347003441215);
  EXPECT_EQ(*Value(*out, "akash_provider_leases_active", p), 42);
  EXPECT_EQ(*Value(*out, "akash_provider_leases_created_total", p), 1337);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_leased_cpu_cores", p), 123.5);
  EXPECT_EQ(*Value(*out, "akash_provider_leased_gpus", p), 8);
  EXPECT_EQ(*Value(*out, "akash_provider_leased_memory_bytes", p), 687194767360.0);
  EXPECT_EQ(*Value(*out, "akash_provider_leased_storage_bytes",
                   {{"provider", kProvider}, {"class", "ephemeral"}}),
            1099511627776.0);
  EXPECT_EQ(*Value(*out, "akash_provider_leased_storage_bytes",
                   {{"provider", kProvider}, {"class", "persistent"}}),
            2199023255552.0);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_data_timestamp_seconds", p), kAug20 + 43203.512);

  const std::map<std::string, prometheus::MetricType> expected = {
      {"akash_provider_earned_akt_total", prometheus::MetricType::Counter},
      {"akash_provider_earned_act_total", prometheus::MetricType::Counter},
      {"akash_provider_earned_usd_total", prometheus::MetricType::Counter},
      {"akash_provider_leases_active", prometheus::MetricType::Gauge},
      {"akash_provider_leases_created_total", prometheus::MetricType::Counter},
      {"akash_provider_leased_cpu_cores", prometheus::MetricType::Gauge},
      {"akash_provider_leased_gpus", prometheus::MetricType::Gauge},
      {"akash_provider_leased_memory_bytes", prometheus::MetricType::Gauge},
      {"akash_provider_leased_storage_bytes", prometheus::MetricType::Gauge},
      {"akash_provider_data_timestamp_seconds", prometheus::MetricType::Gauge},
      {"akash_provider_earnings_last_24h_akt", prometheus::MetricType::Gauge},
      {"akash_provider_earnings_last_24h_act", prometheus::MetricType::Gauge},
      {"akash_provider_earnings_last_24h_usd", prometheus::MetricType::Gauge},
  };
  ASSERT_EQ(out->families.size(), expected.size());
  for (const auto& f : out->families) {
    ASSERT_TRUE(expected.contains(f.name)) << f.name;
    EXPECT_EQ(f.type, expected.at(f.name)) << f.name;
    EXPECT_NE(f.help.find("Console API provider dashboard"), std::string::npos) << f.name;
    EXPECT_NE(f.help.find("refreshed every provider_dashboard interval"), std::string::npos)
        << f.name;
    for (const auto& m : f.metric) {
      ASSERT_FALSE(m.label.empty());
      EXPECT_EQ(m.label[0].name, "provider");
      EXPECT_EQ(m.label[0].value, kProvider);
      EXPECT_EQ(m.label.size(), f.name == "akash_provider_leased_storage_bytes" ? 2u : 1u);
    }
  }
}

TEST_F(ProviderDashboardSourceTest, HttpErrorsMapToReasons) {
  struct Case {
    int status;
    const char* fixture;
    ErrorReason reason;
  };
  const Case cases[] = {
      {404, "errors/plain_404_provider_not_found.txt", ErrorReason::kHttp4xx},
      {404, "errors/console_404_provider_not_found.json", ErrorReason::kHttp4xx},
      {400, "errors/console_400_validation.json", ErrorReason::kHttp4xx},
      {401, "errors/console_401_invalid_api_key.json", ErrorReason::kAuth},
      {401, "errors/console_401_unauthorized_hono.json", ErrorReason::kAuth},
      {403, "errors/cloudflare_403.html", ErrorReason::kAuth},
      {429, "errors/cloudflare_429.html", ErrorReason::kRateLimited},
      {500, "errors/console_500_internal.json", ErrorReason::kHttp5xx},
      {502, "errors/console_502_database_timeout.json", ErrorReason::kHttp5xx},
  };
  for (const auto& c : cases) {
    core::Response r = Respond(c.status, Fixture(c.fixture));
    if (c.status == 429) r.retry_after = std::chrono::seconds(30);
    fetcher_.Set(kUrl, r);
    auto out = Poll();
    ASSERT_FALSE(out.ok()) << c.fixture;
    EXPECT_EQ(out.error().reason, c.reason) << c.fixture << ": " << out.error().message;
    EXPECT_NE(out.error().message.find(std::to_string(c.status)), std::string::npos);
    if (c.status == 429) {
      EXPECT_EQ(out.error().retry_after, std::chrono::seconds(30));
    }
  }
}

TEST_F(ProviderDashboardSourceTest, TransportErrorsPassThrough) {
  fetcher_.SetError(kUrl, core::MakeError(ErrorReason::kTimeout, "timed out"));
  auto out = Poll();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kTimeout);
}

TEST_F(ProviderDashboardSourceTest, HtmlWith200IsAParseError) {
  fetcher_.Set(kUrl, Respond(200, Fixture("errors/cloudflare_403.html"), "text/html"));
  auto out = Poll();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kParse);
}

// A dashboard body in the real wire types: money and counts as numbers, bytes as strings.
std::string DashboardBody(const std::string& uakt, const std::string& uact, const std::string& uusd,
                          const std::string& leases, const std::string& daily = "") {
  const std::string d = daily.empty()
                            ? R"("dailyUAktEarned":0,"dailyUUsdcEarned":0,"dailyUActEarned":0,)"
                              R"("dailyUUsdEarned":0,)"
                            : daily;
  return R"({"current":{"date":"2026-08-20T12:00:00Z","height":1,"activeLeaseCount":1,)"
         R"("totalLeaseCount":)" +
         leases + R"(,"totalUAktEarned":)" + uakt + R"(,"totalUUsdcEarned":)" + uact +
         R"(,"totalUActEarned":)" + uact + R"(,"totalUUsdEarned":)" + uusd + "," + d +
         R"("activeCPU":1000,"activeGPU":0,"activeMemory":"0","activeEphemeralStorage":"0",)"
         R"("activePersistentStorage":"0","activeStorage":"00"}})";
}

TEST_F(ProviderDashboardSourceTest, ExportsUpstreamTotalsAsTheyComeEvenWhenLower) {
  // The source keeps no counter state: a lower upstream total (a revaluation of past days'
  // AKT prices) is exported as read, and the scheduler's central hold keeps the counter from
  // going backwards (tested with the hold in metrics/ and sched/).
  const Labels p = {{"provider", kProvider}};
  fetcher_.Set(kUrl, Respond(200, DashboardBody("198821549.899183", "62549.30588271079",
                                                "523063470.03441215", "1337")));
  auto first = Poll();
  ASSERT_TRUE(first.ok());
  EXPECT_DOUBLE_EQ(*Value(*first, "akash_provider_earned_usd_total", p), 523.06347003441215);

  fetcher_.Set(kUrl, Respond(200, DashboardBody("198821549.899183", "62549.30588271079",
                                                "501000000", "1337")));
  auto second = Poll();
  ASSERT_TRUE(second.ok());
  EXPECT_DOUBLE_EQ(*Value(*second, "akash_provider_earned_usd_total", p), 501.0);
  EXPECT_DOUBLE_EQ(*Value(*second, "akash_provider_earned_akt_total", p), 198.821549899183);
  EXPECT_EQ(*Value(*second, "akash_provider_leases_created_total", p), 1337);
}

TEST_F(ProviderDashboardSourceTest, Last24hGaugesFromTheDailyFields) {
  const Labels p = {{"provider", kProvider}};
  fetcher_.Set(kUrl, Respond(200, Fixture("dashboard/ok.json")));
  auto out = Poll();
  ASSERT_TRUE(out.ok()) << out.error().message;
  // ok.json: dailyUAktEarned 123456.5, dailyUActEarned 100.25, dailyUUsdEarned 400000.5.
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earnings_last_24h_akt", p), 0.1234565);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earnings_last_24h_act", p), 0.00010025);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earnings_last_24h_usd", p), 0.4000005);
  for (const char* name :
       {"akash_provider_earnings_last_24h_akt", "akash_provider_earnings_last_24h_act",
        "akash_provider_earnings_last_24h_usd"}) {
    const auto* f = testing::FindFamily(*out, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->type, prometheus::MetricType::Gauge);
    EXPECT_NE(f->help.find("rolling 24 h before the indexed block"), std::string::npos) << f->help;
    EXPECT_NE(f->help.find("Gross"), std::string::npos) << f->help;
  }
}

TEST_F(ProviderDashboardSourceTest, Last24hActIsActElseUsdcNeverBoth) {
  const Labels p = {{"provider", kProvider}};
  fetcher_.Set(kUrl, Respond(200, DashboardBody("0", "0", "0", "1",
                                                R"("dailyUAktEarned":0,"dailyUUsdcEarned":7000000,)"
                                                R"("dailyUActEarned":5000000,)"
                                                R"("dailyUUsdEarned":5000000,)")));
  auto both = Poll();
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_DOUBLE_EQ(*Value(*both, "akash_provider_earnings_last_24h_act", p), 5.0);

  // Before 2026-04-09 the Console sent only the USDC names.
  fetcher_.Set(kUrl, Respond(200, Fixture("dashboard/pre_bme.json")));
  auto pre = Poll();
  ASSERT_TRUE(pre.ok()) << pre.error().message;
  EXPECT_DOUBLE_EQ(*Value(*pre, "akash_provider_earnings_last_24h_act", p), 0.25);
  EXPECT_DOUBLE_EQ(*Value(*pre, "akash_provider_earnings_last_24h_akt", p), 1.0);
  EXPECT_DOUBLE_EQ(*Value(*pre, "akash_provider_earnings_last_24h_usd", p), 3.25);
}

TEST(ProviderDashboardParseTest, MissingDailyFieldIsAParseErrorNamingIt) {
  const std::string body = DashboardBody(
      "1", "1", "1", "1", R"("dailyUAktEarned":0,"dailyUUsdcEarned":0,"dailyUActEarned":0,)");
  auto d = ParseProviderDashboard(body, "r");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, ErrorReason::kParse);
  EXPECT_NE(d.error().message.find("current.dailyUUsdEarned"), std::string::npos)
      << d.error().message;
}

TEST_F(ProviderDashboardSourceTest, FailedPollBetweenTwoGoodOnesChangesNothing) {
  const Labels p = {{"provider", kProvider}};
  fetcher_.Set(kUrl, Respond(200, DashboardBody("5000000", "0", "5000000", "3")));
  ASSERT_TRUE(Poll().ok());
  fetcher_.Set(kUrl, Respond(502, Fixture("errors/console_502_database_timeout.json")));
  ASSERT_FALSE(Poll().ok());
  fetcher_.Set(kUrl, Respond(200, DashboardBody("6000000", "0", "6000000", "4")));
  auto out = Poll();
  ASSERT_TRUE(out.ok());
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_provider_earned_akt_total", p), 6.0);
  EXPECT_EQ(*Value(*out, "akash_provider_leases_created_total", p), 4);
}

}  // namespace
}  // namespace akash::collectors
