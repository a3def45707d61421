// --storage.path: a lifetime counter holds across a restart of the exporter even when the
// upstream answers lower after it (metrics.md "Precise semantics"), and a bad state directory
// or file never stops the daemon.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/harness.h"
#include "tests/integration/stub_upstream.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kProvider = "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwduagr";

// A dashboard body whose lifetime USD total is `usd_micro`.
std::string Dashboard(double usd_micro) {
  const std::string block =
      "{\"date\":\"2026-08-20T12:00:03.512Z\",\"height\":24567890,\"activeLeaseCount\":2,"
      "\"totalLeaseCount\":10,\"dailyLeaseCount\":1,\"totalUAktEarned\":1000000,"
      "\"dailyUAktEarned\":0,\"totalUUsdcEarned\":0,\"dailyUUsdcEarned\":0,\"totalUActEarned\":0,"
      "\"dailyUActEarned\":0,\"totalUUsdEarned\":" +
      std::to_string(usd_micro) +
      ",\"dailyUUsdEarned\":0,\"activeCPU\":1000,\"activeGPU\":0,\"activeMemory\":\"0\","
      "\"activeEphemeralStorage\":\"0\",\"activePersistentStorage\":\"0\",\"activeStorage\":\"00\"}";
  return "{\"current\":" + block + ",\"previous\":" + block + "}";
}

class StorageTest : public ::testing::Test {
 protected:
  std::string Config() const {
    return "endpoints:\n  console_api: " + up_.url() + "\n  provider_console_api: " + up_.url() +
           "\nsources:\n  market: {enabled: false}\n  provider_earnings: {enabled: false}\n"
           "  provider_dashboard: {interval: 1s}\nproviders:\n  - address: " +
           std::string(kProvider) + "\n";
  }
  std::optional<double> Usd(const Exporter& ex) {
    return SampleValue(Http("GET", ex.base_url + "/metrics").body,
                       "akash_provider_earned_usd_total{provider=\"" + std::string(kProvider) +
                           "\"}");
  }
  std::optional<double> Decreases(const Exporter& ex) {
    return SampleValue(Http("GET", ex.base_url + "/metrics").body,
                       "akash_exporter_upstream_decreases_total{source=\"provider_dashboard\","
                       "target=\"" + std::string(kProvider) + "\"}");
  }
  void Stop(Exporter& ex) {
    ex.process->Signal(SIGTERM);
    ASSERT_EQ(ex.process->Wait(5s), 0) << ex.process->Stderr();
  }
  TempDir dir_;
  StubUpstream up_;
};

TEST_F(StorageTest, ACounterHoldsAcrossARestartWhenTheUpstreamRevaluesDownward) {
  const std::string state = dir_.path() + "/state";
  up_.Set("/v1/provider-dashboard/" + std::string(kProvider), {200, Dashboard(500e6), 0});
  {
    auto ex = StartExporter(dir_, Config(), {"--storage.path=" + state});
    ASSERT_TRUE(Eventually([&] { return Usd(ex) == 500.0; })) << ex.process->Stderr();
    Stop(ex);
  }
  EXPECT_FALSE(std::filesystem::is_empty(state));

  // While the exporter was down the upstream revalued past days: its total is now lower.
  up_.Set("/v1/provider-dashboard/" + std::string(kProvider), {200, Dashboard(480e6), 0});
  auto ex = StartExporter(dir_, Config(), {"--storage.path=" + state});
  ASSERT_TRUE(Eventually([&] { return Decreases(ex) >= 1.0; })) << ex.process->Stderr();
  EXPECT_EQ(Usd(ex), 500.0) << "the restart exported the lower total: a counter reset";

  // Once the upstream passes the held value, the counter follows it again.
  up_.Set("/v1/provider-dashboard/" + std::string(kProvider), {200, Dashboard(501.5e6), 0});
  EXPECT_TRUE(Eventually([&] { return Usd(ex) == 501.5; }));
  Stop(ex);
}

TEST_F(StorageTest, WithoutTheFlagARestartStartsFromTheUpstreamAndWritesNothing) {
  up_.Set("/v1/provider-dashboard/" + std::string(kProvider), {200, Dashboard(500e6), 0});
  {
    auto ex = StartExporter(dir_, Config());
    ASSERT_TRUE(Eventually([&] { return Usd(ex) == 500.0; })) << ex.process->Stderr();
    Stop(ex);
  }
  up_.Set("/v1/provider-dashboard/" + std::string(kProvider), {200, Dashboard(480e6), 0});
  auto ex = StartExporter(dir_, Config());
  EXPECT_TRUE(Eventually([&] { return Usd(ex) == 480.0; }));
  Stop(ex);
  // The harness's own files (the config and the processes' output) are all that appeared.
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    const std::string name = entry.path().filename();
    EXPECT_TRUE(name == "config.yml" || name.rfind("proc_", 0) == 0) << name;
  }
}

TEST_F(StorageTest, GarbageStateOrAnUnusableDirectoryNeverStopsTheDaemon) {
  up_.Set("/v1/provider-dashboard/" + std::string(kProvider), {200, Dashboard(500e6), 0});
  const std::string state = dir_.path() + "/state";
  std::filesystem::create_directories(state);
  for (const auto& entry : {std::string("provider_dashboard-") + kProvider + ".state",
                            std::string("provider_dashboard-") + kProvider + ".state.prev"}) {
    std::ofstream(state + "/" + entry) << "\x00\x01garbage{{{";
  }
  {
    auto ex = StartExporter(dir_, Config(), {"--storage.path=" + state});
    ASSERT_TRUE(Eventually([&] { return Usd(ex) == 500.0; })) << ex.process->Stderr();
    EXPECT_NE(ex.process->Stderr().find("state file ignored"), std::string::npos);
    Stop(ex);
  }
  // A path that cannot be a directory: logged, and the exporter serves from memory.
  const std::string file = dir_.Write("not-a-dir", "x");
  auto ex = StartExporter(dir_, Config(), {"--storage.path=" + file + "/state"});
  ASSERT_TRUE(Eventually([&] { return Usd(ex) == 500.0; })) << ex.process->Stderr();
  EXPECT_NE(ex.process->Stderr().find("cannot write state file"), std::string::npos);
  Stop(ex);
}

}  // namespace
}  // namespace akash::itest
