#include "collectors/tenant_usage.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "exporter/core/state.h"
#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using testing::At;
using testing::FakeFetcher;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kConsole = "https://console.test";
constexpr const char* kAccount = "akash1tenant000000000000000000000000000000";
constexpr const char* kResolved = "akash1resolved0000000000000000000000000000";
const std::string kKey = "ac.sk.production." + std::string(64, 'e');

TenantOptions Options(std::string address, std::string key = "") {
  TenantOptions o;
  o.console_api = kConsole;
  o.address = address;
  o.target = address.empty() ? "tenants[0]" : address;
  o.console_api_key = core::Secret(std::move(key));
  return o;
}

std::string Param(const std::string& url, const std::string& name) {
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::size_t at = url.find(name + "=", q);
  while (at != std::string::npos && url[at - 1] != '?' && url[at - 1] != '&') {
    at = url.find(name + "=", at + 1);
  }
  if (at == std::string::npos) return "";
  const std::size_t begin = at + name.size() + 1;
  const std::size_t end = url.find('&', begin);
  return url.substr(begin, end == std::string::npos ? end : end - begin);
}

std::string CentsText(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

double Dollars(std::int64_t cents) { return core::Decimal::FromInt(cents).ShiftDown(2).ToDouble(); }

// A Console that answers /v1/usage/history for any range from per-day spend functions (cents),
// and records every range it was asked for.
struct FakeUsage {
  std::function<std::int64_t(core::Date)> akt = [](core::Date) { return 0; };
  std::function<std::int64_t(core::Date)> act = [](core::Date) { return 0; };
  std::function<std::int64_t(core::Date)> usd = [](core::Date) { return 0; };
  std::function<std::int64_t(core::Date)> leases = [](core::Date) { return 0; };
  bool with_act = true;
  std::vector<std::pair<core::Date, core::Date>> asked;

  void Install(FakeFetcher& fetcher) {
    fetcher.SetHandler([this](
                           const core::Request& r) -> std::optional<core::Result<core::Response>> {
      const std::string prefix = std::string(kConsole) + "/v1/usage/history?";
      if (r.url.rfind(prefix, 0) != 0) return std::nullopt;
      const auto start = core::Date::Parse(Param(r.url, "startDate"));
      const auto end = core::Date::Parse(Param(r.url, "endDate"));
      EXPECT_TRUE(start && end) << r.url;
      if (!start || !end) return Respond(400, "{}");
      EXPECT_LE(end->days() - start->days(), 366) << r.url;
      asked.emplace_back(*start, *end);
      std::string body = "[";
      std::int64_t ta = 0, tc = 0, tu = 0;
      for (core::Date d = *start; d <= *end; d = d.AddDays(1)) {
        ta += akt(d);
        tc += act(d);
        tu += usd(d);
        if (body.size() > 1) body += ",";
        body += "{\"date\":\"" + d.ToString() +
                "\",\"activeDeployments\":" + std::to_string(leases(d)) +
                ",\"dailyAktSpent\":" + CentsText(akt(d)) + ",\"totalAktSpent\":" + CentsText(ta) +
                ",\"dailyUsdcSpent\":" + CentsText(act(d)) + ",\"totalUsdcSpent\":" + CentsText(tc);
        if (with_act) {
          body += ",\"dailyActSpent\":" + CentsText(act(d)) + ",\"totalActSpent\":" + CentsText(tc);
        }
        body +=
            ",\"dailyUsdSpent\":" + CentsText(usd(d)) + ",\"totalUsdSpent\":" + CentsText(tu) + "}";
      }
      return Respond(200, body + "]");
    });
  }
};

TEST(TenantUsageParse, RowsWithActFields) {
  auto rows = ParseUsageHistory(Fixture("tenant/usage_with_act.json"), "route");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].date.ToString(), "2026-08-18");
  EXPECT_EQ((*rows)[0].akt.ToString(), "1.73");
  EXPECT_EQ((*rows)[0].act.ToString(), "36");
  EXPECT_EQ((*rows)[0].usd.ToString(), "38.16");
  EXPECT_EQ((*rows)[2].active_leases, 3);
  EXPECT_EQ((*rows)[2].act.ToString(), "4.25");  // numeric strings are accepted
}

TEST(TenantUsageParse, RowsWithoutActFieldsTakeTheUsdcFigure) {
  auto rows = ParseUsageHistory(Fixture("tenant/usage_without_act.json"), "route");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].act.ToString(), "10.1");
  EXPECT_EQ((*rows)[1].akt.ToString(), "0.01");
  EXPECT_EQ((*rows)[1].act.ToString(), "0");
}

TEST(TenantUsageParse, MalformedBodiesAreParseErrors) {
  for (const char* body : {"{}", "[{\"date\":\"2026-08-20\"}]",
                           "[{\"date\":\"20.8.2026\","
                           "\"activeDeployments\":1,\"dailyAktSpent\":0,\"dailyUsdcSpent\":0,"
                           "\"dailyUsdSpent\":0}]",
                           "<html>", "[1]"}) {
    auto rows = ParseUsageHistory(body, "route");
    ASSERT_FALSE(rows.ok()) << body;
    EXPECT_EQ(rows.error().reason, core::ErrorReason::kParse) << body;
  }
}

TEST(TenantUsage, FixtureValuesAreSummedIntoTheCounters) {
  FakeFetcher fetcher;
  // Today is 2026-08-20; the fixture covers the last three days and the walk asks for one window.
  fetcher.SetHandler([](const core::Request& r) -> std::optional<core::Result<core::Response>> {
    if (r.url.find("endDate=2026-08-20") != std::string::npos) {
      return Respond(200, Fixture("tenant/usage_with_act.json"));
    }
    return Respond(200, "[]");
  });
  TenantUsageSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 9), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  const Labels labels = {{"account", kAccount}};
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_akt_total", labels), 1.74);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_act_total", labels), 52.75);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_usd_total", labels), 54.93);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_active_leases", labels), 3);
  // The public route is called without the key and never past today.
  for (const auto& call : fetcher.calls()) {
    EXPECT_TRUE(call.secret_headers.empty());
    EXPECT_LE(Param(call.url, "endDate"), std::string("2026-08-20"));
  }
}

TEST(TenantUsage, LifetimeWalkThenOnlyTheLastDays) {
  const core::Date first = core::Date::FromYmd(2024, 2, 10);
  const core::Date today = core::Date::FromYmd(2026, 8, 20);
  FakeUsage usage;
  const auto spends = [&](core::Date d) { return d >= first && d <= today.AddDays(1); };
  usage.akt = [&](core::Date d) { return spends(d) ? 100 + d.days() % 37 : 0; };
  usage.act = [&](core::Date d) { return spends(d) ? 250 + d.days() % 11 : 0; };
  usage.usd = [&](core::Date d) { return spends(d) ? 777 + d.days() % 5 : 0; };
  usage.leases = [&](core::Date d) { return spends(d) ? 2 + d.days() % 3 : 0; };
  FakeFetcher fetcher;
  usage.Install(fetcher);
  const auto expected = [&](const std::function<std::int64_t(core::Date)>& f, core::Date to) {
    std::int64_t sum = 0;
    for (core::Date d = first; d <= to; d = d.AddDays(1)) sum += f(d);
    return Dollars(sum);
  };

  TenantUsageSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  const Labels labels = {{"account", kAccount}};
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_akt_total", labels),
                   expected(usage.akt, today));
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_act_total", labels),
                   expected(usage.act, today));
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_usd_total", labels),
                   expected(usage.usd, today));
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_active_leases", labels),
                   static_cast<double>(usage.leases(today)));
  // Windows of 366 days back from today: three hold spend (2026, 2025, 2024), the fourth is
  // empty and ends the walk.
  ASSERT_EQ(usage.asked.size(), 4u);
  for (std::size_t i = 0; i < usage.asked.size(); ++i) {
    EXPECT_EQ(usage.asked[i].second.days() - usage.asked[i].first.days(), 365);
    EXPECT_EQ(usage.asked[i].second, i == 0 ? today : usage.asked[i - 1].first.AddDays(-1));
  }

  // Same day: only yesterday and today.
  usage.asked.clear();
  out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 20), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(usage.asked.size(), 1u);
  EXPECT_EQ(usage.asked[0].first, today.AddDays(-1));
  EXPECT_EQ(usage.asked[0].second, today);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_usd_total", labels),
                   expected(usage.usd, today));

  // Next day: the day that became complete, yesterday and today.
  usage.asked.clear();
  const core::Date tomorrow = today.AddDays(1);
  out = source.Poll(fetcher, PollContext{At(2026, 8, 21, 1), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(usage.asked.size(), 1u);
  EXPECT_EQ(usage.asked[0].first, today.AddDays(-1));
  EXPECT_EQ(usage.asked[0].second, tomorrow);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_akt_total", labels),
                   expected(usage.akt, tomorrow));
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_active_leases", labels),
                   static_cast<double>(usage.leases(tomorrow)));
}

TEST(TenantUsage, WalkNeverAsksBeforeMarch2021) {
  FakeUsage usage;
  usage.act = [](core::Date) { return 5; };  // spend on every day, forever
  usage.with_act = false;                    // and the pre-April-2026 payload
  FakeFetcher fetcher;
  usage.Install(fetcher);
  TenantUsageSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_FALSE(usage.asked.empty());
  for (const auto& [start, end] : usage.asked) {
    EXPECT_GE(start, TenantUsageSource::FloorDay());
    EXPECT_LE(end, core::Date::FromYmd(2026, 8, 20));
  }
  EXPECT_EQ(usage.asked.back().first, TenantUsageSource::FloorDay());
  const std::int64_t days =
      core::Date::FromYmd(2026, 8, 20).days() - TenantUsageSource::FloorDay().days() + 1;
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_spent_act_total", {{"account", kAccount}}),
                   Dollars(5 * days));
}

TEST(TenantUsage, AccountWithoutSpendAsksOnce) {
  FakeUsage usage;
  FakeFetcher fetcher;
  usage.Install(fetcher);
  TenantUsageSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(usage.asked.size(), 1u);
  EXPECT_EQ(*Value(*out, "akash_tenant_spent_usd_total", {{"account", kAccount}}), 0);
  EXPECT_EQ(*Value(*out, "akash_tenant_active_leases", {{"account", kAccount}}), 0);
}

TEST(TenantUsage, CompletedDaysSurviveARestartThroughTheState) {
  FakeUsage usage;
  usage.usd = [](core::Date d) { return 1000 + d.days() % 13; };
  usage.akt = [](core::Date d) { return d.days() % 2 == 0 ? 0 : 3; };
  FakeFetcher fetcher;
  usage.Install(fetcher);
  core::SourceState state("tenant_usage", kAccount);
  auto first = TenantUsageSource(Options(kAccount))
                   .Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr, &state});
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(state.Get("usage").has_value());
  EXPECT_GT(usage.asked.size(), 1u);

  usage.asked.clear();
  TenantUsageSource restarted(Options(kAccount));
  auto second = restarted.Poll(fetcher, PollContext{At(2026, 8, 20, 11), nullptr, &state});
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(usage.asked.size(), 1u);
  EXPECT_EQ(usage.asked[0].first, core::Date::FromYmd(2026, 8, 19));
  for (const char* name : {"akash_tenant_spent_akt_total", "akash_tenant_spent_usd_total"}) {
    EXPECT_DOUBLE_EQ(*Value(*second, name, {{"account", kAccount}}),
                     *Value(*first, name, {{"account", kAccount}}))
        << name;
  }

  // A blob that cannot be parsed (or belongs to another account) is absent: the walk runs again.
  for (const std::string& blob :
       {std::string("{not json"), std::string(R"({"v":99})"),
        EncodeUsageSums("akash1other", UsageSums{core::Date::FromYmd(2026, 8, 18), {}, {}, {}})}) {
    state.Put("usage", blob);
    usage.asked.clear();
    auto again = TenantUsageSource(Options(kAccount))
                     .Poll(fetcher, PollContext{At(2026, 8, 20, 12), nullptr, &state});
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_GT(usage.asked.size(), 1u) << blob;
    EXPECT_DOUBLE_EQ(*Value(*again, "akash_tenant_spent_usd_total", {{"account", kAccount}}),
                     *Value(*first, "akash_tenant_spent_usd_total", {{"account", kAccount}}));
  }
}

TEST(TenantUsage, BlobRoundTrip) {
  UsageSums sums{core::Date::FromYmd(2026, 1, 2), *core::Decimal::Parse("12.34"),
                 *core::Decimal::Parse("0.01"), *core::Decimal::Parse("99999.99")};
  const auto back = DecodeUsageSums(EncodeUsageSums(kAccount, sums), kAccount);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, sums);
  EXPECT_FALSE(DecodeUsageSums(EncodeUsageSums(kAccount, sums), "akash1x").has_value());
}

TEST(TenantUsage, KeyOnlyTenantResolvesItsAddressOnce) {
  FakeUsage usage;
  usage.act = [](core::Date) { return 1; };
  FakeFetcher fetcher;
  usage.Install(fetcher);
  fetcher.Set(std::string(kConsole) + "/v1/user/me", Respond(200, Fixture("tenant/user_me.json")));
  fetcher.Set(std::string(kConsole) + "/v1/wallets?userId=0b6c1f5e-8c2a-4d7e-9f3b-1a2b3c4d5e6f",
              Respond(200, Fixture("tenant/wallets.json")));
  core::SourceState state("tenant_usage", "tenants[0]");
  TenantUsageSource source(Options("", kKey));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr, &state});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(Value(*out, "akash_tenant_spent_act_total", {{"account", kResolved}}).has_value());
  ASSERT_GE(fetcher.calls().size(), 3u);
  EXPECT_EQ(fetcher.calls()[0].url, std::string(kConsole) + "/v1/user/me");
  EXPECT_EQ(fetcher.calls()[0].secret_headers.at("x-api-key"), kKey);
  EXPECT_EQ(fetcher.calls()[1].secret_headers.at("x-api-key"), kKey);
  for (std::size_t i = 2; i < fetcher.calls().size(); ++i) {
    EXPECT_NE(fetcher.calls()[i].url.find("address=" + std::string(kResolved)), std::string::npos);
    EXPECT_TRUE(fetcher.calls()[i].secret_headers.empty());
  }
  // The state file never holds the key itself.
  EXPECT_EQ(state.Get("account")->find(kKey), std::string::npos);

  // Later polls, and a new Source over the same state, do not resolve again.
  for (int i = 0; i < 2; ++i) {
    fetcher.ClearCalls();
    TenantUsageSource fresh(Options("", kKey));
    auto again =
        (i == 0 ? source : fresh).Poll(fetcher, PollContext{At(2026, 8, 20, 11), nullptr, &state});
    ASSERT_TRUE(again.ok()) << again.error().message;
    for (const auto& call : fetcher.calls()) {
      EXPECT_EQ(call.url.find("/v1/user/me"), std::string::npos);
      EXPECT_EQ(call.url.find("/v1/wallets"), std::string::npos);
    }
  }
}

TEST(TenantUsage, BadKeyDoesNotMatterWhenTheAddressIsConfigured) {
  FakeUsage usage;
  FakeFetcher fetcher;
  usage.Install(fetcher);
  fetcher.Set(std::string(kConsole) + "/v1/user/me",
              Respond(401, R"({"error":"Unauthorized","message":"Invalid API key"})"));
  TenantUsageSource source(Options(kAccount, kKey));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  for (const auto& call : fetcher.calls()) EXPECT_TRUE(call.secret_headers.empty());
}

TEST(TenantUsage, KeyOnlyTenantWithBadKeyIsAuth) {
  FakeFetcher fetcher;
  fetcher.Set(std::string(kConsole) + "/v1/user/me",
              Respond(401, R"({"error":"Unauthorized","message":"Invalid API key"})"));
  TenantUsageSource source(Options("", kKey));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, core::ErrorReason::kAuth);
  EXPECT_EQ(out.error().message.find(kKey), std::string::npos);
}

TEST(TenantUsage, UpstreamErrorsFailThePoll) {
  FakeFetcher fetcher;
  fetcher.SetHandler([](const core::Request&) -> std::optional<core::Result<core::Response>> {
    return Respond(502, R"({"error":"BadGatewayError","code":"database_timeout"})");
  });
  TenantUsageSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, core::ErrorReason::kHttp5xx);
}

}  // namespace
}  // namespace akash::collectors
