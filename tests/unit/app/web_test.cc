#include "exporter/app/web.h"

#include <gtest/gtest.h>

#include "exporter/app/flags.h"

namespace akash::app {
namespace {

using namespace std::chrono_literals;

class WebTest : public ::testing::Test {
 protected:
  WebTest() {
    ctx_.store = &store_;
    ctx_.exposition = &exposition_;
    ctx_.reload = [this]() -> core::Result<core::Ok> {
      if (reload_ok_) return core::Ok{};
      return core::MakeError(core::ErrorReason::kParse, "config.yml:3: unknown key \"x\"");
    };
  }
  http::ServerRequest Get(std::optional<std::string> accept_encoding = std::nullopt) {
    http::ServerRequest r;
    r.method = "GET";
    r.header = [accept_encoding](std::string_view name) -> std::optional<std::string> {
      if (name == "Accept-Encoding") return accept_encoding;
      return std::nullopt;
    };
    return r;
  }
  core::ManualClock clock_{std::chrono::system_clock::time_point{1'700'000'000s}};
  metrics::Store store_{clock_};
  metrics::Exposition exposition_{store_, metrics::ExpositionOptions{}};
  WebContext ctx_;
  bool reload_ok_ = true;
};

TEST_F(WebTest, MetricsServesTextWithVersionedContentType) {
  auto r = HandleMetrics(ctx_, Get());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  ASSERT_NE(r.shared_body, nullptr);
  EXPECT_NE(r.shared_body->find("akash_exporter_build_info"), std::string::npos);
  for (const auto& [k, v] : r.headers) EXPECT_NE(k, "Content-Encoding");
}

TEST_F(WebTest, MetricsGzipWhenAccepted) {
  auto r = HandleMetrics(ctx_, Get("gzip, deflate"));
  ASSERT_NE(r.shared_body, nullptr);
  EXPECT_EQ(static_cast<unsigned char>((*r.shared_body)[0]), 0x1f);
  bool has_encoding = false;
  for (const auto& [k, v] : r.headers) has_encoding |= (k == "Content-Encoding" && v == "gzip");
  EXPECT_TRUE(has_encoding);
}

TEST_F(WebTest, MaxRequestsTurnsExcessScrapesAway) {
  ctx_.max_requests = 2;
  ctx_.in_flight = 2;  // two scrapes already in progress
  EXPECT_EQ(HandleMetrics(ctx_, Get()).status, 503);
  EXPECT_EQ(ctx_.in_flight.load(), 2) << "the refused request released its slot";
  ctx_.in_flight = 1;
  EXPECT_EQ(HandleMetrics(ctx_, Get()).status, 200);
  ctx_.max_requests = 0;  // unlimited
  ctx_.in_flight = 1000;
  EXPECT_EQ(HandleMetrics(ctx_, Get()).status, 200);
}

TEST_F(WebTest, ReadyWaitsForEverySource) {
  store_.Configure({{{"market", ""}, 60s}, {{"provider_dashboard", "akash1x"}, 60s}});
  auto r = HandleReady(ctx_, Get());
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("provider_dashboard akash1x"), std::string::npos);
  store_.PublishSuccess({"market", ""}, std::make_shared<const metrics::Families>(), 0, 0s);
  EXPECT_EQ(HandleReady(ctx_, Get()).status, 503);
  store_.PublishSuccess({"provider_dashboard", "akash1x"},
                        std::make_shared<const metrics::Families>(), 0, 0s);
  EXPECT_EQ(HandleReady(ctx_, Get()).status, 200);
}

TEST_F(WebTest, LandingPageListsSourcesAndEscapes) {
  store_.Configure({{{"market", ""}, 60s}, {{"provider_dashboard", "akash1<b>"}, 60s}});
  store_.PublishFailure({"market", ""},
                        core::Error{core::ErrorReason::kHttp5xx, "GET <script>: HTTP 503", {}}, 1s);
  auto r = HandleLanding(ctx_, Get());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<td>market</td>"), std::string::npos);
  EXPECT_NE(r.body.find("akash1&lt;b&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("http_5xx: GET &lt;script&gt;: HTTP 503"), std::string::npos);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/metrics\""), std::string::npos);
}

TEST_F(WebTest, ReloadNeedsTheLifecycleFlag) {
  int reloads = 0;
  ctx_.reload = [&]() -> core::Result<core::Ok> {
    ++reloads;
    return core::Ok{};
  };
  const auto r = HandleReload(ctx_, Get());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Lifecycle API is not enabled.\n");
  EXPECT_EQ(reloads, 0);
}

TEST_F(WebTest, ReloadIsRateLimitedWithRetryAfter) {
  ctx_.enable_lifecycle = true;
  int wait = 0;
  ctx_.reload_wait = [&] { return wait; };
  EXPECT_EQ(HandleReload(ctx_, Get()).status, 200);
  wait = 4;
  reload_ok_ = false;  // a limited request never reaches the reload
  const auto r = HandleReload(ctx_, Get());
  EXPECT_EQ(r.status, 429);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "4"}));
}

TEST_F(WebTest, LandingPageWrapsLongErrorsInsideTheWindow) {
  store_.Configure({{{"market", ""}, 60s}});
  const std::string url = "http://127.0.0.1:1/" + std::string(400, 'x');
  store_.PublishFailure({"market", ""},
                        core::Error{core::ErrorReason::kConnect, "GET " + url + ": refused", {}},
                        1s);
  const auto body = HandleLanding(ctx_, Get()).body;
  // The error sits in the cell the stylesheet lets break anywhere, in a table no wider than
  // the page (checked in a browser: the text wraps within the last column).
  EXPECT_NE(body.find("<td class=\"err\">connect: GET " + url), std::string::npos) << body;
  EXPECT_NE(body.find("td.tgt,td.err{overflow-wrap:anywhere;word-break:break-word}"
                      "td.err{width:45%}"),
            std::string::npos);
  EXPECT_NE(body.find("table{border-collapse:collapse;width:100%}"), std::string::npos);
}

TEST_F(WebTest, ReloadReportsOutcome) {
  ctx_.enable_lifecycle = true;
  EXPECT_EQ(HandleReload(ctx_, Get()).status, 200);
  reload_ok_ = false;
  auto r = HandleReload(ctx_, Get());
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("config.yml:3:"), std::string::npos);
}

TEST(Flags, DefaultsAndRepeatableListenAddress) {
  const char* none[] = {"akash_exporter"};
  auto d = ParseFlags(1, none);
  ASSERT_EQ(d.action, ParsedFlags::Action::kRun);
  EXPECT_EQ(d.flags.listen_addresses, std::vector<std::string>{":9733"});
  EXPECT_EQ(d.flags.telemetry_path, "/metrics");
  EXPECT_EQ(d.flags.max_requests, 128);
  EXPECT_FALSE(d.flags.enable_lifecycle);
  EXPECT_FALSE(d.flags.systemd_socket);
  EXPECT_TRUE(d.flags.web_config_file.empty());
  const char* web[] = {"akash_exporter", "--web.config.file=/etc/w.yml", "--web.enable-lifecycle",
                       "--web.systemd-socket"};
  auto w = ParseFlags(4, web);
  ASSERT_EQ(w.action, ParsedFlags::Action::kRun);
  EXPECT_EQ(w.flags.web_config_file, "/etc/w.yml");
  EXPECT_TRUE(w.flags.enable_lifecycle);
  EXPECT_TRUE(w.flags.systemd_socket);

  const char* many[] = {"akash_exporter", "--web.listen-address=127.0.0.1:1",
                        "--web.listen-address", "127.0.0.1:2", "--log.format=json",
                        "--log.level=debug", "--web.disable-exporter-metrics",
                        "--web.telemetry-path=/m"};
  auto p = ParseFlags(8, many);
  ASSERT_EQ(p.action, ParsedFlags::Action::kRun);
  EXPECT_EQ(p.flags.listen_addresses, (std::vector<std::string>{"127.0.0.1:1", "127.0.0.1:2"}));
  EXPECT_EQ(p.flags.log_format, core::LogFormat::kJson);
  EXPECT_EQ(p.flags.log_level, core::LogLevel::kDebug);
  EXPECT_TRUE(p.flags.disable_exporter_metrics);
  EXPECT_EQ(p.flags.telemetry_path, "/m");
}

TEST(Flags, HelpShowsEveryDefault) {
  const char* argv[] = {"akash_exporter", "--help"};
  testing::internal::CaptureStdout();
  auto p = ParseFlags(2, argv);
  const std::string help = testing::internal::GetCapturedStdout();
  EXPECT_EQ(p.action, ParsedFlags::Action::kExit);
  EXPECT_EQ(p.exit_code, 0);
  // Each option carries its default after '=', as CLI11 prints it.
  for (const char* expected :
       {"--config.file TEXT=none", "--web.listen-address TEXT=:9733",
        "--web.telemetry-path TEXT=/metrics", "--web.max-requests INT:INT in [0 - 10000]=128",
        "--log.level TEXT:{debug,info,warn,error}=info", "--log.format TEXT:{logfmt,json}=logfmt"}) {
    EXPECT_NE(help.find(expected), std::string::npos) << expected << "\n" << help;
  }
}

TEST(ListenAddresses, NameTheBoundPorts) {
  EXPECT_EQ(DescribeListenAddresses({"127.0.0.1:0", "[::1]:0", ":9733"}, {40123, 40124, 9733}),
            "127.0.0.1:40123,[::1]:40124,:9733");
  EXPECT_EQ(DescribeListenAddresses({"localhost:9733"}, {9733}), "localhost:9733");
  EXPECT_EQ(DescribeListenAddresses({}, {}), "");
}

TEST(Flags, RejectsBadValues) {
  for (const char* bad : {"--log.level=loud", "--log.format=xml", "--web.telemetry-path=metrics",
                          "--web.telemetry-path=/-/healthy", "--web.max-requests=-1",
                          "--unknown"}) {
    const char* argv[] = {"akash_exporter", bad};
    testing::internal::CaptureStderr();
    testing::internal::CaptureStdout();
    auto p = ParseFlags(2, argv);
    testing::internal::GetCapturedStderr();
    testing::internal::GetCapturedStdout();
    EXPECT_EQ(p.action, ParsedFlags::Action::kExit) << bad;
    EXPECT_EQ(p.exit_code, 1) << bad;
  }
}

}  // namespace
}  // namespace akash::app
