// The real exporter against akash_sim speaking the real upstream's quirks: the market route's
// `price: 0` fallback, the earnings API's EARNINGS_005 and the dashboard's extra 404s map to the
// right reasons (never to a $0 price); and the completed earnings days cached in the source
// state survive a restart with --storage.path (the restarted exporter asks the earnings route
// nothing), while a restart without it refetches them.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <string>

#include "tests/integration/harness.h"
#include "tests/integration/sim_json.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

double Errors(const std::string& body, const std::string& source, const std::string& target,
              const std::string& reason) {
  return SampleValue(body, "akash_exporter_source_errors_total{source=\"" + source +
                               "\",target=\"" + target + "\",reason=\"" + reason + "\"}")
      .value_or(0);
}

std::optional<double> Up(const std::string& body, const std::string& source,
                         const std::string& target) {
  return SampleValue(
      body, "akash_exporter_source_up{source=\"" + source + "\",target=\"" + target + "\"}");
}

TEST(UpstreamWireTest, FallbackPriceEarnings005AndDashboard404sMapToReasons) {
  TempDir dir;
  Sim sim =
      StartSim(dir, {"--start-time=now", "--time-scale=0", "--providers=2",
                     "--fault=market:no_price", "--fault=provider_console_earnings:earnings_005",
                     "--fault=provider_dashboard:not_found:block_24h"});
  auto world = Json(sim.base_url + "/_sim/world");
  const std::string provider = world["providers"][0]["address"].GetString();
  dir.Write("p.key", std::string(world["providers"][0]["earnings_api_key"].GetString()) + "\n");
  const std::string config =
      "providers:\n  - address: " + provider + "\n    earnings_api_key_file: " + dir.path() +
      "/p.key\nendpoints:\n  console_api: " + sim.base_url +
      "\n  provider_console_api: " + sim.base_url +
      "\nsources:\n  market: {interval: 1s}\n  provider_dashboard: {interval: 1s}\n"
      "  provider_earnings: {interval: 1s}\n";
  auto ex = StartExporter(dir, config);
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Http("GET", ex.base_url + "/metrics").body;
        return Errors(body, "market", "", "parse") >= 1 &&
               Errors(body, "provider_earnings", provider, "http_4xx") >= 1 &&
               Errors(body, "provider_dashboard", provider, "http_4xx") >= 1;
      },
      20s))
      << body << ex.process->Stderr();
  EXPECT_EQ(Up(body, "market", ""), 0.0);
  EXPECT_EQ(body.find("\nakash_akt_price_usd "), std::string::npos) << "a $0 price was exported";
  EXPECT_EQ(Up(body, "provider_earnings", provider), 0.0);
  EXPECT_EQ(Up(body, "provider_dashboard", provider), 0.0);
  // The upstream's code reaches the log, so an operator sees why.
  EXPECT_NE(ex.process->Stderr().find("EARNINGS_005"), std::string::npos) << ex.process->Stderr();

  // Without the faults every source recovers and the price is the simulator's.
  ASSERT_EQ(Http("DELETE", sim.base_url + "/_sim/faults").status, 200);
  ASSERT_TRUE(Eventually(
      [&] {
        body = Http("GET", ex.base_url + "/metrics").body;
        return Up(body, "market", "") == 1.0 && Up(body, "provider_earnings", provider) == 1.0 &&
               Up(body, "provider_dashboard", provider) == 1.0;
      },
      20s))
      << body;
  EXPECT_EQ(SampleValue(body, "akash_akt_price_usd"),
            Json(sim.base_url + "/v1/market-data/akt")["price"].GetDouble());
}

class EarningsCacheRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = StartSim(dir_, {"--start-time=now", "--time-scale=0", "--providers=1"});
    provider_ = Json(sim_.base_url + "/_sim/world")["providers"][0]["address"].GetString();
    config_ = "providers:\n  - address: " + provider_ +
              "\nendpoints:\n  console_api: " + sim_.base_url +
              "\n  provider_console_api: " + sim_.base_url +
              "\nsources:\n  market: {enabled: false}\n  provider_dashboard: {enabled: false}\n"
              "  provider_earnings: {interval: 1s}\n";
  }
  std::uint64_t EarningsRequests() {
    return Json(sim_.base_url + "/_sim/stats")["requests"]["provider_earnings"].GetUint64();
  }
  // Runs the exporter until provider_earnings has published, then stops it.
  void RunOnce(const std::vector<std::string>& args) {
    auto ex = StartExporter(dir_, config_, args);
    std::string body;
    ASSERT_TRUE(Eventually(
        [&] {
          body = Http("GET", ex.base_url + "/metrics").body;
          return Up(body, "provider_earnings", provider_) == 1.0;
        },
        20s))
        << body << ex.process->Stderr();
    EXPECT_TRUE(SampleValue(body, "akash_provider_earnings_usd{provider=\"" + provider_ +
                                      "\",window=\"30d\"}")
                    .has_value());
    ex.process->Signal(SIGTERM);
    ASSERT_EQ(ex.process->Wait(10s), 0) << ex.process->Stderr();
  }
  TempDir dir_;
  Sim sim_;
  std::string provider_;
  std::string config_;
};

TEST_F(EarningsCacheRestartTest, ARestartWithStoragePathAsksForNoCompletedDay) {
  const std::string storage = "--storage.path=" + dir_.path() + "/state";
  RunOnce({storage});
  const std::uint64_t first = EarningsRequests();
  ASSERT_GE(first, 3u);

  RunOnce({storage});
  EXPECT_EQ(EarningsRequests(), first) << "the restart fetched completed days again";

  // The control: without the flag the same restart refetches every range.
  RunOnce({});
  EXPECT_GE(EarningsRequests(), 2 * first);
}

}  // namespace
}  // namespace akash::itest
