#include <gtest/gtest.h>

#include <map>
#include <string>

#include "collectors/source.h"
#include "exporter/core/config.h"
#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using testing::At;
using testing::FakeFetcher;
using testing::Respond;

constexpr const char* kKeyed = "akash1keyed00000000000000000000000000000000";
constexpr const char* kPublic = "akash1public0000000000000000000000000000000";

core::Config TwoProviders() {
  core::Config c;
  for (const char* source : core::kAllSources) {
    c.sources[source] = core::DefaultSourceSettings(source);
  }
  core::ProviderTarget keyed;
  keyed.address = kKeyed;
  keyed.earnings_api_key = core::Secret("akash_" + std::string(64, 'a'));
  c.providers.push_back(keyed);
  core::ProviderTarget open;
  open.address = kPublic;
  c.providers.push_back(open);
  core::TenantTarget tenant;
  tenant.address = "akash1tenant";
  c.tenants.push_back(tenant);
  c.endpoints.console_api = "https://console.test";
  c.endpoints.provider_console_api = "https://pc.test";
  c.take_rates = core::DefaultTakeRates();
  return c;
}

std::multimap<std::string, std::string> Pairs(const std::vector<std::unique_ptr<Source>>& sources) {
  std::multimap<std::string, std::string> m;
  for (const auto& s : sources) m.emplace(s->name(), s->target());
  return m;
}

TEST(RegistryTest, BuildsImplementedSourcesForEveryPlannedPair) {
  auto sources = MakeSources(TwoProviders());
  // chain_leases needs chain_rest; tenant_billing needs a Console key.
  EXPECT_EQ(Pairs(sources), (std::multimap<std::string, std::string>{
                                {"market", ""},
                                {"provider_dashboard", kKeyed},
                                {"provider_dashboard", kPublic},
                                {"provider_earnings", kKeyed},
                                {"provider_earnings", kPublic},
                                {"provider_status", kKeyed},
                                {"provider_status", kPublic},
                                {"tenant_usage", "akash1tenant"},
                            }));
}

TEST(RegistryTest, DisabledSourceIsNotBuilt) {
  core::Config c = TwoProviders();
  c.sources[core::kSourceProviderEarnings].enabled = false;
  auto sources = MakeSources(c);
  for (const auto& s : sources) EXPECT_NE(s->name(), "provider_earnings");
  EXPECT_EQ(sources.size(), 6u);
}

TEST(RegistryTest, NoTargetsStillRunsMarket) {
  core::Config c = TwoProviders();
  c.providers.clear();
  c.tenants.clear();
  auto sources = MakeSources(c);
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0]->name(), "market");
}

TEST(RegistryTest, EachProviderGetsItsOwnRouteAndKey) {
  auto sources = MakeSources(TwoProviders());
  FakeFetcher fetcher;
  fetcher.SetHandler([](const core::Request&) -> std::optional<core::Result<core::Response>> {
    return Respond(200, R"({"earnings":{"totalUAktEarned":0,"totalUUsdcEarned":0,)"
                        R"("totalUUsdEarned":0}})");
  });
  core::SharedFacts facts;
  for (const auto& s : sources) {
    if (s->name() != "provider_earnings") continue;
    fetcher.ClearCalls();
    auto out = s->Poll(fetcher, PollContext{At(2026, 8, 20, 5), &facts});
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_FALSE(fetcher.calls().empty());
    for (const auto& call : fetcher.calls()) {
      if (s->target() == kKeyed) {
        EXPECT_EQ(call.url.rfind("https://pc.test/provider-earnings?", 0), 0u) << call.url;
        EXPECT_EQ(call.secret_headers.at("X-API-Key"), "akash_" + std::string(64, 'a'));
      } else {
        EXPECT_EQ(call.url.rfind(
                      std::string("https://console.test/v1/provider-earnings/") + kPublic + "?", 0),
                  0u)
            << call.url;
        EXPECT_TRUE(call.secret_headers.empty());
      }
    }
  }
}

TEST(RegistryTest, EveryTenantGetsItsOwnSourcePairAndKey) {
  core::Config c = TwoProviders();
  c.providers.clear();
  c.tenants.clear();
  core::TenantTarget key_only;
  key_only.console_api_key = core::Secret("ac.sk.production." + std::string(64, 'b'));
  c.tenants.push_back(key_only);
  core::TenantTarget both;
  both.address = "akash1both";
  both.console_api_key = core::Secret("ac.sk.production." + std::string(64, 'c'));
  c.tenants.push_back(both);
  auto sources = MakeSources(c);
  EXPECT_EQ(Pairs(sources), (std::multimap<std::string, std::string>{
                                {"market", ""},
                                {"tenant_billing", "tenants[0]"},
                                {"tenant_billing", "akash1both"},
                                {"tenant_usage", "tenants[0]"},
                                {"tenant_usage", "akash1both"},
                            }));
  // The key-only tenant resolves its address with its own key.
  for (const auto& s : sources) {
    if (s->target() != "tenants[0]" || s->name() != "tenant_usage") continue;
    FakeFetcher fetcher;
    fetcher.Set("https://console.test/v1/user/me",
                Respond(401, R"({"error":"Unauthorized","message":"Invalid API key"})"));
    core::SharedFacts facts;
    auto out = s->Poll(fetcher, PollContext{At(2026, 8, 20, 5), &facts});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, core::ErrorReason::kAuth);
    ASSERT_EQ(fetcher.calls().size(), 1u);
    EXPECT_EQ(fetcher.calls()[0].secret_headers.at("x-api-key"),
              "ac.sk.production." + std::string(64, 'b'));
  }
}

TEST(RegistryTest, MarketUsesConfiguredTakeRates) {
  core::Config c = TwoProviders();
  c.take_rates = {{std::nullopt, *core::Decimal::Parse("0.04"), *core::Decimal::Parse("0.1")}};
  auto sources = MakeSources(c);
  FakeFetcher fetcher;
  fetcher.Set("https://console.test/v1/market-data/akt", Respond(200, R"({"price":2})"));
  core::SharedFacts facts;
  for (const auto& s : sources) {
    if (s->name() != "market") continue;
    auto out = s->Poll(fetcher, PollContext{At(2026, 8, 20, 5), &facts});
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_DOUBLE_EQ(*testing::Value(*out, "akash_take_rate_ratio", {{"denom", "akt"}}), 0.04);
    EXPECT_DOUBLE_EQ(*testing::Value(*out, "akash_take_rate_ratio", {{"denom", "act"}}), 0.1);
  }
}

}  // namespace
}  // namespace akash::collectors
