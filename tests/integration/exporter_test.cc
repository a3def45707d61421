// End-to-end behaviour of the akash_exporter binary: endpoints, reload, signals, secrets and
// the promise that a scrape never waits on an upstream.

#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "tests/integration/harness.h"
#include "tests/integration/stub_upstream.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMarketBody =
    "{\"price\":3.21,\"volume\":1000,\"marketCap\":800000000,\"marketCapRank\":150,"
    "\"priceChange24h\":0.1,\"priceChangePercentage24\":3.2}";

std::string Config(const StubUpstream& up, const std::string& extra = "") {
  return "endpoints:\n  console_api: " + up.url() + "\n  provider_console_api: " + up.url() +
         "\nsources:\n  market: {interval: 1s}\n" + extra;
}

class ExporterTest : public ::testing::Test {
 protected:
  void SetUp() override { up_.Set("/v1/market-data/akt", {200, kMarketBody, 0}); }
  TempDir dir_;
  StubUpstream up_;
};

TEST_F(ExporterTest, EveryEndpointAnswers) {
  auto ex = StartExporter(dir_, Config(up_));
  ASSERT_TRUE(Eventually([&] { return Http("GET", ex.base_url + "/-/ready").status == 200; }))
      << ex.process->Stderr();

  auto healthy = Http("GET", ex.base_url + "/-/healthy");
  EXPECT_EQ(healthy.status, 200);

  // /metrics serves the newest complete render, which follows a change within milliseconds.
  ASSERT_TRUE(Eventually([&] {
    return SampleValue(Http("GET", ex.base_url + "/metrics").body, "akash_akt_price_usd") == 3.21;
  }));
  auto metrics = Http("GET", ex.base_url + "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(SampleValue(metrics.body, "akash_akt_price_usd"), 3.21);
  EXPECT_EQ(SampleValue(metrics.body, "akash_exporter_source_up{source=\"market\",target=\"\"}"), 1);
  EXPECT_TRUE(SampleValue(metrics.body, "process_resident_memory_bytes").has_value());

  auto landing = Http("GET", ex.base_url + "/");
  ASSERT_EQ(landing.status, 200);
  EXPECT_NE(landing.headers["content-type"].find("text/html"), std::string::npos);
  EXPECT_NE(landing.body.find("href=\"/metrics\""), std::string::npos);
  EXPECT_NE(landing.body.find("<td>market</td>"), std::string::npos);
  EXPECT_NE(landing.body.find("class=\"up\""), std::string::npos);

  EXPECT_EQ(Http("GET", ex.base_url + "/nope").status, 404);
  auto wrong_method = Http("GET", ex.base_url + "/-/reload");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers["allow"], "POST");
  auto head = Http("HEAD", ex.base_url + "/metrics");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ExporterTest, GzipIsNegotiated) {
  auto ex = StartExporter(dir_, Config(up_));
  auto gz = Http("GET", ex.base_url + "/metrics", {"Accept-Encoding: gzip"});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  ASSERT_GE(gz.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f);
  auto plain = Http("GET", ex.base_url + "/metrics", {"Accept-Encoding: identity"});
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_NE(plain.body.find("# TYPE akash_exporter_build_info gauge"), std::string::npos);
}

TEST_F(ExporterTest, PromtoolAcceptsMetrics) {
  auto ex = StartExporter(dir_, Config(up_));
  ASSERT_TRUE(Eventually([&] { return Http("GET", ex.base_url + "/-/ready").status == 200; }));
  const auto path = dir_.Write("scrape.prom", Http("GET", ex.base_url + "/metrics").body);
  std::string out;
  EXPECT_EQ(RunCommand(std::string(AKASH_PROMTOOL) + " check metrics < " + path, &out), 0) << out;
}

TEST_F(ExporterTest, ReadyWaitsForFirstSuccess) {
  up_.Set("/v1/market-data/akt", {503, "{\"error\":\"x\"}", 0});
  auto ex = StartExporter(dir_, Config(up_));
  ASSERT_TRUE(Eventually([&] { return up_.hits("/v1/market-data/akt") >= 1; }));
  auto ready = Http("GET", ex.base_url + "/-/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("market"), std::string::npos);
  up_.Set("/v1/market-data/akt", {200, kMarketBody, 0});
  EXPECT_TRUE(Eventually([&] { return Http("GET", ex.base_url + "/-/ready").status == 200; },
                         20s));
}

TEST_F(ExporterTest, ScrapeAnswersAtOnceWhileAPollIsBlocked) {
  up_.Set("/v1/market-data/akt", {200, kMarketBody, 8000});
  auto ex = StartExporter(dir_, Config(up_, "  # slow upstream\n") +
                                    "");
  ASSERT_TRUE(Eventually([&] { return up_.hits("/v1/market-data/akt") >= 1; }));
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto m = Http("GET", ex.base_url + "/metrics", {}, 2s);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(m.status, 200) << m.error;
    EXPECT_LT(took, 500ms) << "a scrape must not wait on the upstream";
    EXPECT_EQ(SampleValue(m.body, "akash_exporter_source_up{source=\"market\",target=\"\"}"), 0);
  }
}

TEST_F(ExporterTest, HttpReloadNeedsLifecycleFlag) {
  auto ex = StartExporter(dir_, Config(up_));
  auto r = Http("POST", ex.base_url + "/-/reload");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Lifecycle API is not enabled.\n");
}

TEST_F(ExporterTest, ReloadKeepsOldConfigOnErrorAndAppliesGoodOne) {
  auto ex = StartExporter(dir_, Config(up_), {"--web.enable-lifecycle"});
  ASSERT_TRUE(Eventually([&] { return Http("GET", ex.base_url + "/-/ready").status == 200; }));

  dir_.Write("config.yml", Config(up_) + "bogus_key: 1\n");
  auto bad = Http("POST", ex.base_url + "/-/reload");
  EXPECT_EQ(bad.status, 500);
  EXPECT_NE(bad.body.find("config.yml:"), std::string::npos) << bad.body;
  std::string m;
  EXPECT_TRUE(Eventually([&] {
    m = Http("GET", ex.base_url + "/metrics").body;
    return SampleValue(m, "akash_exporter_config_last_reload_successful") == 0.0;
  })) << m;
  EXPECT_EQ(SampleValue(m, "akash_exporter_source_up{source=\"market\",target=\"\"}"), 1)
      << "the old configuration keeps running";

  dir_.Write("config.yml", Config(up_, "  provider_dashboard: {interval: 1s}\n") +
                               "providers:\n  - address: "
                               "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwduagr\n");
  // Inside the 5 s reload interval: the SIGHUP is deferred, never dropped.
  ex.process->Signal(SIGHUP);
  ASSERT_TRUE(ex.process->WaitForOutput("reload deferred", 5s));
  ASSERT_TRUE(Eventually([&] {
    return SampleValue(Http("GET", ex.base_url + "/metrics").body,
                       "akash_exporter_config_last_reload_successful") == 1.0;
  }));
  m = Http("GET", ex.base_url + "/metrics").body;
  EXPECT_NE(m.find("source=\"provider_dashboard\",target=\"akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwduagr\""),
            std::string::npos);
  // Right after that reload, another one over HTTP is refused with a hint when to retry.
  auto limited = Http("POST", ex.base_url + "/-/reload");
  EXPECT_EQ(limited.status, 429);
  ASSERT_EQ(limited.headers.count("retry-after"), 1u);
  const int retry = std::stoi(limited.headers["retry-after"]);
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 5);
}

TEST_F(ExporterTest, StopsCleanlyWithinTwoSecondsEvenWithAHungPoll) {
  up_.Set("/v1/market-data/akt", {200, kMarketBody, 30000});
  for (int sig : {SIGTERM, SIGINT}) {
    auto ex = StartExporter(dir_, Config(up_), {"--log.level=debug"});
    ASSERT_TRUE(Eventually([&] { return up_.hits("/v1/market-data/akt") >= 1; }));
    const auto start = std::chrono::steady_clock::now();
    ex.process->Signal(sig);
    auto code = ex.process->Wait(5s);
    ASSERT_TRUE(code.has_value()) << "did not exit";
    EXPECT_EQ(*code, 0);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 2s) << ex.process->Stderr();
    if (getenv("AKASH_TEST_VERBOSE")) std::cerr << "stop took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n" << ex.process->Stderr();
    up_.Set("/v1/market-data/akt", {200, kMarketBody, 30000});
  }
}

TEST_F(ExporterTest, BadConfigAtStartExitsWithLineAndReason) {
  const auto path = dir_.Write("bad.yml", "sources:\n  market:\n    intervall: 5m\n");
  Process p({AKASH_EXPORTER_BIN, "--config.file=" + path, "--web.listen-address=127.0.0.1:0"},
            dir_.path());
  auto code = p.Wait(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  EXPECT_NE(p.Stderr().find("bad.yml:3:"), std::string::npos) << p.Stderr();
}

TEST_F(ExporterTest, ConfigCheck) {
  const auto good = dir_.Write("good.yml", Config(up_));
  Process ok({AKASH_EXPORTER_BIN, "--config.check", "--config.file=" + good}, dir_.path());
  EXPECT_EQ(ok.Wait(10s), 0);
  EXPECT_NE(ok.Stdout().find("market"), std::string::npos);
  const auto bad = dir_.Write("bad.yml", "providers:\n  - address: nope\n");
  Process ko({AKASH_EXPORTER_BIN, "--config.check", "--config.file=" + bad}, dir_.path());
  EXPECT_EQ(ko.Wait(10s), 1);
  EXPECT_NE(ko.Stderr().find("bad.yml:2:"), std::string::npos) << ko.Stderr();
}

TEST_F(ExporterTest, PortInUseIsAStartupError) {
  auto first = StartExporter(dir_, Config(up_));
  const std::string port = first.base_url.substr(first.base_url.rfind(':') + 1);
  Process second({AKASH_EXPORTER_BIN, "--web.listen-address=127.0.0.1:" + port}, dir_.path());
  EXPECT_EQ(second.Wait(10s), 1);
  EXPECT_NE(second.Stderr().find(port), std::string::npos) << second.Stderr();
}

TEST_F(ExporterTest, UsageErrorsAndVersion) {
  Process v({AKASH_EXPORTER_BIN, "--version"}, dir_.path());
  EXPECT_EQ(v.Wait(10s), 0);
  EXPECT_NE(v.Stdout().find("akash_exporter, version"), std::string::npos);
  Process bad({AKASH_EXPORTER_BIN, "--log.level=loud"}, dir_.path());
  EXPECT_EQ(bad.Wait(10s), 1);
  Process unknown({AKASH_EXPORTER_BIN, "--no.such-flag"}, dir_.path());
  EXPECT_EQ(unknown.Wait(10s), 1);
}

TEST_F(ExporterTest, SecretsNeverLeak) {
  const std::string key = "akash_" + std::string(64, 'c');
  const std::string console_key = "ac.sk.production." + std::string(64, 'd');
  dir_.Write("earnings.key", key + "\n");
  dir_.Write("console.key", console_key + "\n");
  const std::string provider = "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwduagr";
  // Every upstream call fails with 401 so error paths (the likeliest to leak) run too.
  up_.Set("/provider-earnings", {401, "{\"detail\":{\"error\":\"Invalid API Key\"}}", 0});
  up_.Set("/v1/provider-dashboard/" + provider, {401, "{\"error\":\"Unauthorized\"}", 0});
  const std::string config = Config(up_, "  provider_earnings: {interval: 1s}\n") +
                             "providers:\n  - address: " + provider +
                             "\n    earnings_api_key_file: " + dir_.path() +
                             "/earnings.key\ntenants:\n  - address: " + provider +
                             "\n    console_api_key_file: " + dir_.path() + "/console.key\n";
  auto ex = StartExporter(dir_, config, {"--log.level=debug"});
  ASSERT_TRUE(Eventually([&] { return up_.hits("/provider-earnings") >= 2; }))
      << ex.process->Stderr();
  EXPECT_EQ(up_.last_header("/provider-earnings", "x-api-key"), key)
      << "the key must reach the upstream";
  auto metrics = Http("GET", ex.base_url + "/metrics").body;
  auto landing = Http("GET", ex.base_url + "/").body;
  Process check({AKASH_EXPORTER_BIN, "--config.check", "--config.file=" + ex.config_path},
                dir_.path());
  ASSERT_TRUE(check.Wait(10s).has_value());
  ex.process->Signal(SIGTERM);
  ex.process->Wait(5s);
  for (const std::string& secret : {key, console_key, std::string(64, 'c'), std::string(64, 'd')}) {
    EXPECT_EQ(ex.process->Stderr().find(secret), std::string::npos) << "log leaks a key";
    EXPECT_EQ(ex.process->Stdout().find(secret), std::string::npos);
    EXPECT_EQ(metrics.find(secret), std::string::npos) << "metrics leak a key";
    EXPECT_EQ(landing.find(secret), std::string::npos) << "landing page leaks a key";
    EXPECT_EQ(check.Stdout().find(secret), std::string::npos) << "config.check leaks a key";
    EXPECT_EQ(check.Stderr().find(secret), std::string::npos);
  }
  EXPECT_NE(ex.process->Stderr().find("level=debug"), std::string::npos)
      << "debug logging was on, so the check covered it";
}

}  // namespace
}  // namespace akash::itest
