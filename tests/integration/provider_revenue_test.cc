// Issue acceptance for provider revenue: against akash_sim, every metric of provider_dashboard,
// provider_earnings and market equals the simulator's own truth (computed by the simulator from
// its world, independently of its API handlers) to 1e-9 relative, for several providers at once;
// and a provider with no key, one with a bad key and one whose upstream is down each show the
// right akash_exporter_source_* state while the others keep working.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <thread>

#include "exporter/core/date.h"
#include "tests/integration/harness.h"
#include "tests/integration/sim_json.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

// Decimal strings of micro-units → whole units as long double (exact enough for 1e-9).
long double Micro(const rapidjson::Value& v) { return std::stold(v.GetString()) / 1e6L; }

void ExpectClose(std::optional<double> got, long double want, const std::string& what) {
  ASSERT_TRUE(got.has_value()) << what << " missing";
  const long double diff = std::fabs(static_cast<long double>(*got) - want);
  const long double scale = std::max<long double>(std::fabs(want), 1e-12L);
  EXPECT_LE(diff / scale, 1e-9L) << what << ": got " << *got << " want " << static_cast<double>(want);
}

std::string Series(const std::string& name, const std::string& labels) {
  return name + "{" + labels + "}";
}

struct Amounts {
  long double akt = 0, act = 0, usd = 0;
};

class ProviderRevenueTest : public ::testing::Test {
 protected:
  Amounts Truth(const std::string& provider, const std::string& from, const std::string& to) {
    Amounts a;
    if (from >= to) return a;
    auto d = Json(sim_.base_url + "/_sim/truth/earnings/" + provider + "?from=" + from + "&to=" + to);
    a.akt = Micro(d["uakt"]);
    a.act = Micro(d["uact_plus_uusdc"]);
    a.usd = Micro(d["uusd"]);
    return a;
  }
  // Net of one piece at the given take rates.
  static Amounts Net(const Amounts& g, long double ra, long double rc) {
    return {g.akt * (1 - ra), g.act * (1 - rc), g.usd - (g.usd - g.act) * ra - g.act * rc};
  }

  void ExpectWindow(const std::string& body, const std::string& provider, const std::string& window,
                    const std::string& from, const std::string& to) {
    // The default take-rate schedule: 2 % / 20 % before 2026-03-21, nothing from then on.
    const std::string bme = "2026-03-21";
    const std::string pre_to = std::min(to, bme);
    const std::string post_from = std::max(from, bme);
    const Amounts pre = Truth(provider, from, pre_to);
    const Amounts post = Truth(provider, post_from, to);
    const Amounts pre_net = Net(pre, 0.02L, 0.20L);
    const std::string labels = "provider=\"" + provider + "\",window=\"" + window + "\"";
    const std::string ctx = provider + " " + window;
    ExpectClose(SampleValue(body, Series("akash_provider_earnings_akt", labels)), pre.akt + post.akt, ctx + " akt");
    ExpectClose(SampleValue(body, Series("akash_provider_earnings_act", labels)), pre.act + post.act, ctx + " act");
    ExpectClose(SampleValue(body, Series("akash_provider_earnings_usd", labels)), pre.usd + post.usd, ctx + " usd");
    ExpectClose(SampleValue(body, Series("akash_provider_net_earnings_akt", labels)), pre_net.akt + post.akt, ctx + " net akt");
    ExpectClose(SampleValue(body, Series("akash_provider_net_earnings_act", labels)), pre_net.act + post.act, ctx + " net act");
    ExpectClose(SampleValue(body, Series("akash_provider_net_earnings_usd", labels)), pre_net.usd + post.usd, ctx + " net usd");
  }

  void ExpectDashboard(const std::string& body, const std::string& provider) {
    auto t = Json(sim_.base_url + "/_sim/truth/provider/" + provider);
    const std::string p = "provider=\"" + provider + "\"";
    ExpectClose(SampleValue(body, Series("akash_provider_earned_akt_total", p)), Micro(t["total_uakt"]), provider + " akt");
    ExpectClose(SampleValue(body, Series("akash_provider_earned_act_total", p)), Micro(t["total_uact_plus_uusdc"]), provider + " act");
    ExpectClose(SampleValue(body, Series("akash_provider_earned_usd_total", p)), Micro(t["total_uusd"]), provider + " usd");
    ExpectClose(SampleValue(body, Series("akash_provider_earnings_last_24h_akt", p)), Micro(t["daily_uakt"]), provider + " 24h akt");
    ExpectClose(SampleValue(body, Series("akash_provider_earnings_last_24h_act", p)), Micro(t["daily_uact_plus_uusdc"]), provider + " 24h act");
    ExpectClose(SampleValue(body, Series("akash_provider_earnings_last_24h_usd", p)), Micro(t["daily_uusd"]), provider + " 24h usd");
    ExpectClose(SampleValue(body, Series("akash_provider_leases_active", p)), t["active_lease_count"].GetInt64(), provider + " active");
    ExpectClose(SampleValue(body, Series("akash_provider_leases_created_total", p)), t["total_lease_count"].GetInt64(), provider + " created");
    ExpectClose(SampleValue(body, Series("akash_provider_leased_cpu_cores", p)), t["active_cpu"].GetInt64() / 1000.0L, provider + " cpu");
    ExpectClose(SampleValue(body, Series("akash_provider_leased_gpus", p)), t["active_gpu"].GetInt64(), provider + " gpu");
    ExpectClose(SampleValue(body, Series("akash_provider_leased_memory_bytes", p)), t["active_memory"].GetInt64(), provider + " mem");
    ExpectClose(SampleValue(body, Series("akash_provider_leased_storage_bytes", p + ",class=\"ephemeral\"")), t["active_ephemeral_storage"].GetInt64(), provider + " eph");
    ExpectClose(SampleValue(body, Series("akash_provider_leased_storage_bytes", p + ",class=\"persistent\"")), t["active_persistent_storage"].GetInt64(), provider + " pers");
  }

  std::optional<double> Up(const std::string& body, const std::string& source, const std::string& target) {
    return SampleValue(body, "akash_exporter_source_up{source=\"" + source + "\",target=\"" + target + "\"}");
  }
  std::optional<double> Errors(const std::string& body, const std::string& source,
                               const std::string& target, const std::string& reason) {
    return SampleValue(body, "akash_exporter_source_errors_total{source=\"" + source + "\",target=\"" +
                                 target + "\",reason=\"" + reason + "\"}");
  }

  TempDir dir_;
  Sim sim_;
};

// The exporter reads the real clock, so the simulator is frozen at the real "now": the expected
// windows follow from today's UTC date T and the window end E the exporter reports (E is T, or
// T−1 in the minutes after midnight while the indexer catches up). Windows that cross the
// 2026-03-21 take-rate change are split by ExpectWindow; year_to_date crosses it in 2026.
struct Expected {
  std::string name, from, to;
};

std::vector<Expected> Windows(core::Date today, core::Date end) {
  auto clip = [&](core::Date from, core::Date to) { return from < to ? to : from; };
  const core::Date month = today.FirstOfMonth();
  const core::Date prev = month.AddDays(-1).FirstOfMonth();
  const core::Date year = today.FirstOfYear();
  return {
      {"1d", end.AddDays(-1).ToString(), end.ToString()},
      {"7d", end.AddDays(-7).ToString(), end.ToString()},
      {"30d", end.AddDays(-30).ToString(), end.ToString()},
      {"month_to_date", month.ToString(), clip(month, end).ToString()},
      {"previous_month", prev.ToString(), std::min(month, end).ToString()},
      {"year_to_date", year.ToString(), clip(year, end).ToString()},
  };
}

core::Date SimToday(const rapidjson::Document& world) {
  return core::Date::FromDays(world["now_unix_ms"].GetInt64() / 86'400'000);
}

TEST_F(ProviderRevenueTest, MatchesSimulatorTruthForSeveralProvidersAtOnce) {
  sim_ = StartSim(dir_, {"--seed=11", "--providers=4", "--tenants=2", "--leases=400",
                         "--start-time=now", "--time-scale=0"});
  auto world = Json(sim_.base_url + "/_sim/world");
  std::vector<std::string> addr;
  std::vector<std::string> keys;
  for (const auto& p : world["providers"].GetArray()) {
    addr.emplace_back(p["address"].GetString());
    keys.emplace_back(p["earnings_api_key"].GetString());
  }
  ASSERT_EQ(addr.size(), 4u);
  dir_.Write("p1.key", keys[1] + "\n");
  dir_.Write("p2.key", keys[2] + "\n");
  dir_.Write("bad.key", "akash_" + std::string(64, 'e') + "\n");
  const std::string config =
      "providers:\n"
      "  - address: " + addr[0] + "\n"  // no key: the public Console route
      "  - address: " + addr[1] + "\n    earnings_api_key_file: " + dir_.path() + "/p1.key\n"
      "  - address: " + addr[2] + "\n    earnings_api_key_file: " + dir_.path() + "/p2.key\n"
      "  - address: " + addr[3] + "\n    earnings_api_key_file: " + dir_.path() + "/bad.key\n"
      "endpoints:\n  console_api: " + sim_.base_url + "\n  provider_console_api: " + sim_.base_url +
      "\nsources:\n"
      "  provider_dashboard: {interval: 1s}\n"
      "  provider_earnings: {interval: 1s}\n"
      "  market: {interval: 1s}\n";
  auto ex = StartExporter(dir_, config);
  std::string body;
  ASSERT_TRUE(Eventually([&] {
    body = Http("GET", ex.base_url + "/metrics").body;
    // Every source has had its first poll, the bad key's dashboard included (it polls on its
    // own schedule, so it must be waited for like the others).
    bool all = Up(body, "market", "") == 1.0 &&
               Errors(body, "provider_earnings", addr[3], "auth") >= 1.0 &&
               Up(body, "provider_dashboard", addr[3]) == 1.0;
    for (int i = 0; i < 3; ++i) {
      all = all && Up(body, "provider_earnings", addr[i]) == 1.0 &&
            Up(body, "provider_dashboard", addr[i]) == 1.0;
    }
    return all;
  }, 30s)) << body << ex.process->Stderr();

  const core::Date today = SimToday(world);
  for (int i = 0; i < 3; ++i) {
    ExpectDashboard(body, addr[i]);
    const auto end_s = SampleValue(body, "akash_provider_earnings_window_end_timestamp_seconds{provider=\"" +
                                             addr[i] + "\"}");
    ASSERT_TRUE(end_s.has_value());
    const core::Date end = core::Date::FromDays(static_cast<std::int64_t>(*end_s) / 86400);
    ASSERT_TRUE(end == today || end == today.AddDays(-1)) << end.ToString();
    for (const auto& w : Windows(today, end)) ExpectWindow(body, addr[i], w.name, w.from, w.to);
  }
  // Market: the price the simulator serves; the take rate in force today from the default
  // schedule (0 since 2026-03-21).
  auto market = Json(sim_.base_url + "/v1/market-data/akt");
  ExpectClose(SampleValue(body, "akash_akt_price_usd"), market["price"].GetDouble(), "price");
  const double rate_after_bme = today >= *core::Date::Parse("2026-03-21") ? 0.0 : 0.02;
  EXPECT_EQ(SampleValue(body, "akash_take_rate_ratio{denom=\"akt\"}"), rate_after_bme);

  // The bad key: auth, no earnings series, no fall back to the public route; its dashboard
  // (which needs no key) works.
  EXPECT_EQ(Up(body, "provider_earnings", addr[3]), 0.0);
  EXPECT_EQ(body.find("akash_provider_earnings_akt{provider=\"" + addr[3]), std::string::npos);
  EXPECT_EQ(Up(body, "provider_dashboard", addr[3]), 1.0);
  ExpectDashboard(body, addr[3]);

  // Completed days are cached: further polls on the same day ask the earnings routes nothing
  // (the rejected key keeps asking, so only the public route is counted).
  auto stats_before = Json(sim_.base_url + "/_sim/stats");
  std::this_thread::sleep_for(3s);
  auto stats_after = Json(sim_.base_url + "/_sim/stats");
  EXPECT_EQ(stats_after["requests"]["provider_earnings"].GetUint64(),
            stats_before["requests"]["provider_earnings"].GetUint64())
      << "the public earnings route was asked again for cached days";
  EXPECT_GT(stats_after["requests"]["provider_dashboard"].GetUint64(),
            stats_before["requests"]["provider_dashboard"].GetUint64());
}

TEST_F(ProviderRevenueTest, EarningsApiDownFailsOnlyTheProvidersThatUseIt) {
  sim_ = StartSim(dir_, {"--seed=12", "--providers=2", "--tenants=1", "--leases=120",
                         "--start-time=now", "--time-scale=0",
                         "--fault=provider_console_earnings:503"});
  auto world = Json(sim_.base_url + "/_sim/world");
  const std::string open = world["providers"][0]["address"].GetString();
  const std::string keyed = world["providers"][1]["address"].GetString();
  dir_.Write("k.key", std::string(world["providers"][1]["earnings_api_key"].GetString()) + "\n");
  const std::string config =
      "providers:\n  - address: " + open + "\n  - address: " + keyed +
      "\n    earnings_api_key_file: " + dir_.path() + "/k.key\nendpoints:\n  console_api: " +
      sim_.base_url + "\n  provider_console_api: " + sim_.base_url +
      "\nsources:\n  provider_dashboard: {interval: 1s}\n  provider_earnings: {interval: 1s}\n"
      "  market: {interval: 1s}\n";
  auto ex = StartExporter(dir_, config);
  std::string body;
  ASSERT_TRUE(Eventually([&] {
    body = Http("GET", ex.base_url + "/metrics").body;
    return Errors(body, "provider_earnings", keyed, "http_5xx") >= 1.0 &&
           Up(body, "provider_earnings", open) == 1.0 && Up(body, "market", "") == 1.0 &&
           Up(body, "provider_dashboard", keyed) == 1.0;
  }, 30s)) << body << ex.process->Stderr();
  EXPECT_EQ(Up(body, "provider_earnings", keyed), 0.0);
  EXPECT_EQ(body.find("akash_provider_earnings_akt{provider=\"" + keyed), std::string::npos)
      << "no value was ever fetched for the keyed provider";
  EXPECT_EQ(Errors(body, "provider_earnings", keyed, "auth"), 0.0);
  EXPECT_EQ(Http("GET", ex.base_url + "/-/ready").status, 503) << "one source never succeeded";
  ExpectDashboard(body, keyed);
  // The open provider's values are right while the other one is failing.
  const core::Date today = SimToday(world);
  const auto end_s = SampleValue(body, "akash_provider_earnings_window_end_timestamp_seconds{provider=\"" +
                                           open + "\"}");
  ASSERT_TRUE(end_s.has_value());
  const core::Date end = core::Date::FromDays(static_cast<std::int64_t>(*end_s) / 86400);
  ExpectWindow(body, open, "1d", end.AddDays(-1).ToString(), end.ToString());
  ExpectWindow(body, open, "year_to_date", today.FirstOfYear().ToString(),
               std::max(today.FirstOfYear(), end).ToString());
}

TEST_F(ProviderRevenueTest, YesterdayNotIndexedMovesEveryWindowEndBackOneDay) {
  // An indexer lag reaching back past today's midnight: the API answers 404 EARNINGS_004 for
  // any range ending today, exactly as it does in the minutes after midnight UTC.
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  const long long lag = now_s % 86400 + 600;
  sim_ = StartSim(dir_, {"--seed=5", "--providers=1", "--tenants=1", "--leases=80",
                         "--start-time=now", "--time-scale=0",
                         "--indexer-lag=" + std::to_string(lag) + "s"});
  auto world = Json(sim_.base_url + "/_sim/world");
  const std::string provider = world["providers"][0]["address"].GetString();
  dir_.Write("k.key", std::string(world["providers"][0]["earnings_api_key"].GetString()) + "\n");
  const std::string config = "providers:\n  - address: " + provider + "\n    earnings_api_key_file: " +
                             dir_.path() + "/k.key\nendpoints:\n  console_api: " + sim_.base_url +
                             "\n  provider_console_api: " + sim_.base_url +
                             "\nsources:\n  provider_earnings: {interval: 1s}\n";
  auto ex = StartExporter(dir_, config);
  std::string body;
  ASSERT_TRUE(Eventually([&] {
    body = Http("GET", ex.base_url + "/metrics").body;
    return Up(body, "provider_earnings", provider) == 1.0;
  }, 20s)) << body << ex.process->Stderr();
  const core::Date today = SimToday(world);
  const core::Date end = today.AddDays(-1);
  EXPECT_EQ(SampleValue(body, "akash_provider_earnings_window_end_timestamp_seconds{provider=\"" +
                                  provider + "\"}"),
            end.MidnightSeconds());
  for (const auto& w : Windows(today, end)) ExpectWindow(body, provider, w.name, w.from, w.to);
}

}  // namespace
}  // namespace akash::itest
