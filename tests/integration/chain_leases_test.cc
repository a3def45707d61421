// Issue acceptance for chain_leases: against akash_sim, every chain_leases metric equals the
// simulator's own chain truth (/_sim/truth/provider/{addr} "chain", computed from the world by
// plain loops rather than by the list handlers) to 1e-9 relative, for several providers; the
// same holds when the first chain endpoint fails in the middle of a crawl (another simulator with
// the same world takes over), and the landing page names the endpoint in use.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <csignal>
#include <string>
#include <thread>

#include "tests/integration/harness.h"
#include "tests/integration/sim_json.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

long double Dec(const rapidjson::Value& v) { return std::stold(v.GetString()); }

void ExpectClose(std::optional<double> got, long double want, const std::string& what) {
  ASSERT_TRUE(got.has_value()) << what << " missing";
  const long double diff = std::fabs(static_cast<long double>(*got) - want);
  const long double scale = std::max<long double>(std::fabs(want), 1e-12L);
  EXPECT_LE(diff / scale, 1e-9L) << what << ": got " << *got << " want "
                                 << static_cast<double>(want);
}

std::optional<double> Up(const std::string& body, const std::string& source,
                         const std::string& target) {
  return SampleValue(
      body, "akash_exporter_source_up{source=\"" + source + "\",target=\"" + target + "\"}");
}

// Compares every chain_leases series of `provider` in `body` with the simulator's truth.
void ExpectChainTruth(const std::string& body, const std::string& sim_url,
                      const std::string& provider, double akt_price, bool chain_gauges) {
  auto world = Json(sim_url + "/_sim/world");
  auto truth = Json(sim_url + "/_sim/truth/provider/" + provider);
  const rapidjson::Value& c = truth["chain"];
  const long double block_s = world["block_time_ms"].GetInt64() / 1000.0L;
  const long double per_hour = 3600.0L / block_s;
  const std::string p = "provider=\"" + provider + "\"";
  auto series = [&](const std::string& name, const std::string& extra = "") {
    return SampleValue(body, name + "{" + p + extra + "}");
  };
  for (const auto& m : c["leases"].GetObject()) {
    const std::string state = m.name.GetString();
    ExpectClose(series("akash_provider_chain_leases", ",state=\"" + state + "\""),
                m.value.GetInt64(), provider + " leases " + state);
  }
  const long double rate_akt = Dec(c["rate_uakt_per_block"]) / 1e6L * per_hour;
  const long double rate_act = Dec(c["rate_uact_per_block"]) / 1e6L * per_hour;
  ExpectClose(series("akash_provider_lease_rate_akt_per_hour"), rate_akt, "rate akt");
  ExpectClose(series("akash_provider_lease_rate_act_per_hour"), rate_act, "rate act");
  ExpectClose(series("akash_provider_lease_rate_usd_per_hour"), rate_akt * akt_price + rate_act,
              "rate usd");
  ExpectClose(series("akash_provider_escrow_unwithdrawn_akt"), Dec(c["unwithdrawn_uakt"]) / 1e6L,
              "unwithdrawn akt");
  ExpectClose(series("akash_provider_escrow_unwithdrawn_act"), Dec(c["unwithdrawn_uact"]) / 1e6L,
              "unwithdrawn act");
  ExpectClose(series("akash_provider_escrow_unsettled_akt"), Dec(c["unsettled_uakt"]) / 1e6L,
              "unsettled akt");
  ExpectClose(series("akash_provider_escrow_unsettled_act"), Dec(c["unsettled_uact"]) / 1e6L,
              "unsettled act");
  ExpectClose(series("akash_provider_escrow_overdrawn_leases"), c["overdrawn_leases"].GetInt64(),
              "overdrawn");
  ExpectClose(series("akash_provider_withdrawn_akt_total"), Dec(c["withdrawn_uakt"]) / 1e6L,
              "withdrawn akt");
  ExpectClose(series("akash_provider_withdrawn_act_total"), Dec(c["withdrawn_uact"]) / 1e6L,
              "withdrawn act");
  int gpu_models = 0;
  for (const auto& m : c["active_gpus_by_model"].GetObject()) {
    const std::string key = m.name.GetString();
    const std::string labels = ",vendor=\"" + key.substr(0, key.find('/')) + "\",model=\"" +
                               key.substr(key.find('/') + 1) + "\"";
    ExpectClose(series("akash_provider_lease_gpus", labels), m.value.GetInt64(), "gpus " + key);
    ++gpu_models;
  }
  EXPECT_GT(gpu_models, 0) << "the world should have active GPU leases";
  for (const auto& m : c["gpu_blocks_by_model"].GetObject()) {
    const std::string key = m.name.GetString();
    const std::string labels = ",vendor=\"" + key.substr(0, key.find('/')) + "\",model=\"" +
                               key.substr(key.find('/') + 1) + "\"";
    ExpectClose(series("akash_provider_gpu_seconds_total", labels), Dec(m.value) * block_s,
                "gpu seconds " + key);
  }
  if (chain_gauges) {
    ExpectClose(SampleValue(body, "akash_chain_block_height"), c["height"].GetInt64(), "height");
    ExpectClose(SampleValue(body, "akash_chain_block_interval_seconds"), block_s, "interval");
  }
}

class ChainLeasesTest : public ::testing::Test {
 protected:
  std::string Config(const std::vector<std::string>& providers,
                     const std::vector<std::string>& chain, const std::string& console) {
    std::string y = "providers:\n";
    for (const auto& p : providers) y += "  - address: " + p + "\n";
    y += "endpoints:\n  console_api: " + console + "\n  chain_rest: [";
    for (std::size_t i = 0; i < chain.size(); ++i) y += (i ? ", " : "") + chain[i];
    y += "]\nsources:\n"
         "  provider_dashboard: {enabled: false}\n"
         "  provider_earnings: {enabled: false}\n"
         "  market: {interval: 1s}\n"
         "  chain_leases: {interval: 1s, page_limit: 100}\n";
    return y;
  }

  TempDir dir_;
};

TEST_F(ChainLeasesTest, ValuesEqualTheWorld) {
  Sim sim = StartSim(
      dir_, {"--seed=21", "--providers=3", "--tenants=4", "--leases=2500", "--time-scale=0"});
  auto world = Json(sim.base_url + "/_sim/world");
  std::vector<std::string> addr;
  for (const auto& p : world["providers"].GetArray()) addr.push_back(p["address"].GetString());
  auto ex = StartExporter(dir_, Config(addr, {sim.base_url}, sim.base_url));
  const auto price = Json(sim.base_url + "/v1/market-data/akt")["price"].GetDouble();
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Http("GET", ex.base_url + "/metrics").body;
        bool all = Up(body, "market", "") == 1.0;
        for (const auto& a : addr) {
          all = all && Up(body, "chain_leases", a) == 1.0 &&
                SampleValue(body, "akash_provider_lease_rate_usd_per_hour{provider=\"" + a + "\"}");
        }
        return all;
      },
      60s))
      << body << ex.process->Stderr();
  for (std::size_t i = 0; i < addr.size(); ++i) {
    ExpectChainTruth(body, sim.base_url, addr[i], price, true);
  }
  // Later polls list active leases only: no unfiltered listing of a provider's history.
  auto before = Json(sim.base_url + "/_sim/stats");
  std::this_thread::sleep_for(2500ms);
  auto after = Json(sim.base_url + "/_sim/stats");
  EXPECT_EQ(after["requests"]["bids"].GetUint64(), before["requests"]["bids"].GetUint64())
      << "bids are read again although no lease is new";
  const auto home = Http("GET", ex.base_url + "/");
  EXPECT_NE(home.body.find("chain endpoint " + sim.base_url + " (market v1beta5)"),
            std::string::npos)
      << home.body;
}

TEST_F(ChainLeasesTest, FailoverMidCrawlKeepsValuesExact) {
  // Same seed and flags: the two simulators are two nodes of one chain. The first answers blocks
  // and bids but fails every lease listing, so each full crawl switches node half-way.
  const std::vector<std::string> args = {"--seed=22", "--providers=2", "--tenants=3",
                                         "--leases=1200", "--time-scale=0"};
  std::vector<std::string> failing = args;
  failing.push_back("--fault=leases:503");
  Sim a = StartSim(dir_, failing);
  Sim b = StartSim(dir_, args);
  auto world = Json(b.base_url + "/_sim/world");
  std::vector<std::string> addr;
  for (const auto& p : world["providers"].GetArray()) addr.push_back(p["address"].GetString());
  auto ex = StartExporter(dir_, Config(addr, {a.base_url, b.base_url}, b.base_url));
  const auto price = Json(b.base_url + "/v1/market-data/akt")["price"].GetDouble();
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Http("GET", ex.base_url + "/metrics").body;
        bool all = Up(body, "market", "") == 1.0;
        for (const auto& p : addr) {
          all = all && Up(body, "chain_leases", p) == 1.0 &&
                SampleValue(body, "akash_provider_lease_rate_usd_per_hour{provider=\"" + p + "\"}");
        }
        return all;
      },
      60s))
      << body << ex.process->Stderr();
  for (std::size_t i = 0; i < addr.size(); ++i) {
    ExpectChainTruth(body, b.base_url, addr[i], price, i == 0);
  }
  auto stats_a = Json(a.base_url + "/_sim/stats");
  EXPECT_GE(stats_a["requests"]["bids"].GetUint64(), 1u) << "node A served part of the crawl";
  EXPECT_GE(stats_a["requests"]["leases"].GetUint64(), 1u);
  const auto home = Http("GET", ex.base_url + "/");
  EXPECT_NE(home.body.find("chain endpoint " + b.base_url), std::string::npos) << home.body;
  // The working node is remembered: node A is not asked again.
  auto before = Json(a.base_url + "/_sim/stats");
  std::this_thread::sleep_for(2500ms);
  auto after = Json(a.base_url + "/_sim/stats");
  EXPECT_EQ(after["total"].GetUint64(), before["total"].GetUint64());
}

TEST_F(ChainLeasesTest, RestartWithStoragePathDoesNotRecrawlHistory) {
  Sim sim = StartSim(
      dir_, {"--seed=23", "--providers=1", "--tenants=3", "--leases=1500", "--time-scale=0"});
  auto world = Json(sim.base_url + "/_sim/world");
  const std::string provider = world["providers"][0]["address"].GetString();
  const std::string config = Config({provider}, {sim.base_url}, sim.base_url);
  const std::string storage = "--storage.path=" + dir_.path() + "/state";
  const auto price = Json(sim.base_url + "/v1/market-data/akt")["price"].GetDouble();
  auto ready = [&](const Exporter& ex, std::string* body) {
    return Eventually(
        [&] {
          *body = Http("GET", ex.base_url + "/metrics").body;
          return Up(*body, "chain_leases", provider) == 1.0 && Up(*body, "market", "") == 1.0 &&
                 SampleValue(*body, "akash_provider_lease_rate_usd_per_hour{provider=\"" +
                                        provider + "\"}");
        },
        60s);
  };
  std::string body;
  {
    auto ex = StartExporter(dir_, config, {storage});
    ASSERT_TRUE(ready(ex, &body)) << body << ex.process->Stderr();
    ex.process->Signal(SIGTERM);
    ASSERT_TRUE(ex.process->Wait(5s).has_value());
  }
  ASSERT_EQ(Http("DELETE", sim.base_url + "/_sim/stats").status, 200);
  auto ex = StartExporter(dir_, config, {storage});
  ASSERT_TRUE(ready(ex, &body)) << body << ex.process->Stderr();
  ExpectChainTruth(body, sim.base_url, provider, price, true);
  auto stats = Json(sim.base_url + "/_sim/stats");
  EXPECT_EQ(stats["requests"]["bids"].GetUint64(), 0u) << "bids of old leases read again";
  // Only the state-filtered listings: a handful of pages, not the 1500-lease history.
  const auto leases = stats["requests"]["leases"].GetUint64();
  EXPECT_GE(leases, 1u);
  EXPECT_LE(leases, 12u);
}

}  // namespace
}  // namespace akash::itest
