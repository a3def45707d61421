// What a careless config or a hostile upstream must not be able to do to the daemon: wedge it
// on a key file, keep it from stopping, or silence a source for days with one Retry-After.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <thread>

#include "tests/integration/harness.h"
#include "tests/integration/stub_upstream.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kProvider = "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwduagr";
constexpr const char* kMarketBody =
    "{\"price\":3.21,\"volume\":0,\"marketCap\":0,\"marketCapRank\":0,"
    "\"priceChange24h\":0.1,\"priceChangePercentage24\":3.2}";

class RobustnessTest : public ::testing::Test {
 protected:
  std::string Config(const std::string& key_file = "") const {
    std::string c = "endpoints:\n  console_api: " + up_.url() + "\n  provider_console_api: " +
                    up_.url() + "\nsources:\n  market: {interval: 1s}\n";
    if (!key_file.empty()) {
      c += "providers:\n  - address: " + std::string(kProvider) +
           "\n    earnings_api_key_file: " + key_file + "\n";
    }
    return c;
  }
  std::string Fifo(const std::string& name) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_EQ(mkfifo(path.c_str(), 0600), 0);
    return path;
  }
  TempDir dir_;
  StubUpstream up_;
};

TEST_F(RobustnessTest, AFifoKeyFileIsRefusedPromptlyByCheckStartAndReload) {
  const std::string fifo = Fifo("earnings.key");
  const std::string config = dir_.Write("config.yml", Config(fifo));
  const auto start = std::chrono::steady_clock::now();
  Process check({AKASH_EXPORTER_BIN, "--config.check", "--config.file=" + config}, dir_.path());
  ASSERT_EQ(check.Wait(5s), 1) << "--config.check hung on a FIFO key file";
  EXPECT_NE(check.Stderr().find("not a regular file"), std::string::npos) << check.Stderr();

  Process daemon({AKASH_EXPORTER_BIN, "--config.file=" + config,
                  "--web.listen-address=127.0.0.1:0"},
                 dir_.path());
  ASSERT_EQ(daemon.Wait(5s), 1) << "start-up hung on a FIFO key file";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);

  // A running daemon told to reload into the same mistake keeps running and stops on time.
  up_.Set("/v1/market-data/akt", {200, kMarketBody, 0});
  auto ex = StartExporter(dir_, Config());
  dir_.Write("config.yml", Config(fifo));
  ex.process->Signal(SIGHUP);
  ASSERT_TRUE(ex.process->WaitForOutput("configuration reload failed", 5s)) << ex.process->Stderr();
  EXPECT_EQ(Http("GET", ex.base_url + "/-/healthy").status, 200);
  const auto stop = std::chrono::steady_clock::now();
  ex.process->Signal(SIGTERM);
  EXPECT_EQ(ex.process->Wait(5s), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stop, 2s);
}

TEST_F(RobustnessTest, StopsWithinTwoSecondsDuringAStormOfReloads) {
  up_.Set("/v1/market-data/akt", {200, kMarketBody, 0});
  auto ex = StartExporter(dir_, Config());
  for (int i = 0; i < 50; ++i) ex.process->Signal(SIGHUP);
  const auto stop = std::chrono::steady_clock::now();
  ex.process->Signal(SIGTERM);
  EXPECT_EQ(ex.process->Wait(5s), 0) << ex.process->Stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - stop, 2s);
}

TEST_F(RobustnessTest, AHugeRetryAfterIsCappedNotObeyed) {
  // A 429 asking for 11.6 days. The market source (interval 1 s, loopback upstream) must come
  // back after its back-off cap, max(interval, 10 min); here we only check it is logged as
  // capped and that the next attempt is scheduled (the unit tests pin the exact delay).
  up_.Set("/v1/market-data/akt", {429, "{}", 0});
  up_.SetHeaders("/v1/market-data/akt", {{"Retry-After", "1000000"}});
  auto ex = StartExporter(dir_, Config());
  ASSERT_TRUE(ex.process->WaitForOutput("waiting the cap", 10s)) << ex.process->Stderr();
  EXPECT_NE(ex.process->Stderr().find("retry_after_s=1000000"), std::string::npos);
  EXPECT_NE(ex.process->Stderr().find("cap_s=600"), std::string::npos) << ex.process->Stderr();
  EXPECT_TRUE(Eventually([&] {
    return SampleValue(Http("GET", ex.base_url + "/metrics").body,
                       "akash_exporter_source_errors_total{source=\"market\",target=\"\","
                       "reason=\"rate_limited\"}") == 1.0;
  }));
}

TEST_F(RobustnessTest, AnIntervalThatWouldHammerARemoteApiIsRefused) {
  const std::string config = dir_.Write(
      "fast.yml", "sources:\n  market: {interval: 5ms}\n");  // the real Console API
  Process check({AKASH_EXPORTER_BIN, "--config.check", "--config.file=" + config}, dir_.path());
  ASSERT_EQ(check.Wait(5s), 1);
  EXPECT_NE(check.Stderr().find("fast.yml:2: sources.market.interval 5ms is shorter than the "
                                "minimum 10s"),
            std::string::npos)
      << check.Stderr();
}

}  // namespace
}  // namespace akash::itest
