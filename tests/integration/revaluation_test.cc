// Issue acceptance for lifetime money counters under upstream revaluation: akash_sim, the real
// akash_exporter with --storage.path and a real Prometheus server (the Debian `prometheus`
// package) scraping it every second. Mid-run the simulator rewrites past days' AKT prices
// downward (the `revalue` fault), so the dashboard's lifetime USD total comes back lower; then the
// exporter is restarted while the total is still below what it had exported. Throughout,
// `increase(akash_provider_earned_usd_total[10s])` evaluated by Prometheus must never exceed
// what the provider earned in that window according to the simulator's truth.
//
// Why the bound is what it is. For an evaluation time T Prometheus takes the samples with
// timestamps in (T−10s, T], first at t1 and last at t2, and extrapolates their raw increase to
// the window: result = raw × D / (t2 − t1) with D ≤ 10 s (each side is extended at most to the
// window's edge). A sample scraped at t carries the dashboard as the exporter last polled it,
// at most L = 2 s earlier (1 s poll interval plus scheduling slack). The truth E(t), sampled from
// the simulator every 100 ms, is monotone, so
//     raw ≤ E(t2) − E(t1 − L)   and   result ≤ (E(t2) − E(t1 − L)) × 10 / (t2 − t1).
// The test checks exactly that, with $0.001 for the JSON doubles' rounding. A counter reset (an
// exported drop, or a restart that forgets the high-water mark) would instead add the whole
// lifetime total, here about 10^5 dollars, to a window worth a few dollars.

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"
#include "tests/integration/sim_json.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr double kWindowSeconds = 10;
constexpr double kStaleSeconds = 2;     // L in the file comment
constexpr double kRoundingUsd = 0.001;  // the dashboard's JSON doubles vs the exact truth
constexpr int kTimeScale = 60;          // one simulated minute per second: 10 blocks a second

double Now() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

void Sleep(double seconds) { std::this_thread::sleep_for(std::chrono::duration<double>(seconds)); }

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

long PostJson(const std::string& url, const std::string& body) {
  CURL* h = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void*) { return s * n; });
  long status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  return status;
}

double Micro(const rapidjson::Value& v) { return std::stod(v.GetString()) / 1e6; }

// The provider's earnings so far in USD per the simulator's truth, sampled in the background.
// With no AKT-priced lease running (checked by the test), USD earned = ACT + USDC earned, which
// no revaluation of AKT prices changes.
class TruthSampler {
 public:
  TruthSampler(std::string url) : url_(std::move(url)), thread_([this] { Run(); }) {}
  ~TruthSampler() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Lower bound of E(t): the last reading whose request ended by t.
  std::optional<double> Lower(double t) const {
    std::lock_guard lock(mu_);
    std::optional<double> v;
    for (const auto& s : samples_) {
      if (s.end <= t) v = s.value;
    }
    return v;
  }
  // Upper bound of E(t): the first reading whose request started at or after t.
  std::optional<double> Upper(double t) const {
    std::lock_guard lock(mu_);
    for (const auto& s : samples_) {
      if (s.start >= t) return s.value;
    }
    return std::nullopt;
  }

 private:
  struct Sample {
    double start, end, value;
  };
  void Run() {
    while (!stop_) {
      const double start = Now();
      const auto r = Http("GET", url_, {}, 2s);
      const double end = Now();
      rapidjson::Document d;
      d.Parse(r.body.c_str());
      if (r.status == 200 && !d.HasParseError() && d.HasMember("total_uact_plus_uusdc")) {
        std::lock_guard lock(mu_);
        samples_.push_back({start, end, Micro(d["total_uact_plus_uusdc"])});
      }
      Sleep(0.1);
    }
  }
  std::string url_;
  mutable std::mutex mu_;
  std::vector<Sample> samples_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Point {
  double t, v;
};

// The [t, v] pairs of a Prometheus matrix result with exactly one series.
std::vector<Point> OneSeries(const rapidjson::Document& d, const std::string& what) {
  std::vector<Point> out;
  if (!d.HasMember("data") || !d["data"]["result"].IsArray() || d["data"]["result"].Size() != 1) {
    ADD_FAILURE() << what << ": expected exactly one series";
    return out;
  }
  for (const auto& p : d["data"]["result"][0]["values"].GetArray()) {
    out.push_back({p[0].GetDouble(), std::stod(p[1].GetString())});
  }
  return out;
}

class RevaluationTest : public ::testing::Test {
 protected:
  std::optional<double> Metric(const std::string& base, const std::string& series) {
    return SampleValue(Http("GET", base + "/metrics").body, series);
  }

  // Starts the exporter on the fixed port (Prometheus scrapes one target across the restart).
  std::unique_ptr<Process> StartExporterOn(int port, const std::string& config) {
    auto p = std::make_unique<Process>(
        std::vector<std::string>{
            AKASH_EXPORTER_BIN, "--web.listen-address=127.0.0.1:" + std::to_string(port),
            "--config.file=" + config, "--storage.path=" + dir_.path() + "/state"},
        dir_.path());
    if (!p->WaitForOutput("ports=", 10s)) {
      ADD_FAILURE() << "exporter did not start: " << p->Stderr();
    }
    return p;
  }

  TempDir dir_;
};

TEST_F(RevaluationTest, IncreaseNeverExceedsTruthAcrossARevaluationAndARestart) {
  ASSERT_TRUE(std::filesystem::exists(kPrometheus))
      << kPrometheus << " is missing: install the Debian package prometheus (scripts/deps.sh)";
  Sim sim = StartSim(dir_, {"--start-time=now", "--time-scale=" + std::to_string(kTimeScale),
                            "--indexer-lag=30s"});

  // The provider earning the most right now.
  auto world = Json(sim.base_url + "/_sim/world");
  std::string provider;
  double best_rate = 0;
  for (const auto& p : world["providers"].GetArray()) {
    const std::string addr = p["address"].GetString();
    auto t = Json(sim.base_url + "/_sim/truth/provider/" + addr);
    const double rate = std::stod(t["chain"]["rate_uact_per_block"].GetString());
    if (rate > best_rate) {
      best_rate = rate;
      provider = addr;
    }
  }
  ASSERT_GT(best_rate, 0) << "no provider earns anything in this world";
  const std::string truth_url = sim.base_url + "/_sim/truth/provider/" + provider;
  auto before = Json(truth_url);
  ASSERT_EQ(std::string(before["daily_uakt"].GetString()), "0")
      << "an AKT-priced lease is running: USD earned would depend on the revaluation";
  const double akt_usd = Micro(before["total_uusd"]) - Micro(before["total_uact_plus_uusdc"]);
  ASSERT_GT(akt_usd, 1.0) << "the provider has no AKT earnings to revalue";

  const int exporter_port = FreePort();
  // Two calls can return the same free port; Prometheus would then fail to bind and this test
  // would be talking to the exporter instead.
  int prometheus_port = FreePort();
  for (int i = 0; i < 20 && prometheus_port == exporter_port; ++i) prometheus_port = FreePort();
  ASSERT_NE(prometheus_port, exporter_port);
  ASSERT_GT(exporter_port, 0);
  ASSERT_GT(prometheus_port, 0);
  const std::string config = dir_.Write(
      "exporter.yml", "endpoints:\n  console_api: " + sim.base_url +
                          "\n  provider_console_api: " + sim.base_url +
                          "\nsources:\n  market: {enabled: false}\n"
                          "  provider_earnings: {enabled: false}\n"
                          "  provider_dashboard: {interval: 1s}\nproviders:\n  - address: " +
                          provider + "\n");
  const std::string exporter_url = "http://127.0.0.1:" + std::to_string(exporter_port);
  const std::string series = "akash_provider_earned_usd_total{provider=\"" + provider + "\"}";
  const std::string decreases =
      "akash_exporter_upstream_decreases_total{source=\"provider_"
      "dashboard\",target=\"" +
      provider + "\"}";

  TruthSampler truth(truth_url);
  auto exporter = StartExporterOn(exporter_port, config);
  ASSERT_TRUE(Eventually([&] { return Metric(exporter_url, series).has_value(); }))
      << exporter->Stderr();

  const std::string prom_config =
      dir_.Write("prometheus.yml",
                 "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                 "  evaluation_interval: 1s\nscrape_configs:\n  - job_name: akash\n"
                 "    static_configs:\n      - targets: ['127.0.0.1:" +
                     std::to_string(exporter_port) + "']\n");
  std::filesystem::create_directory(dir_.path() + "/tsdb");
  Process prometheus(
      {kPrometheus, "--config.file=" + prom_config, "--storage.tsdb.path=" + dir_.path() + "/tsdb",
       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
      dir_.path());
  const std::string prom_url = "http://127.0.0.1:" + std::to_string(prometheus_port);
  // A Prometheus route, so that another server on the port (the exporter has /-/ready too)
  // cannot pass for it.
  ASSERT_TRUE(Eventually(
      [&] { return Http("GET", prom_url + "/api/v1/status/buildinfo").status == 200; }, 20s))
      << prometheus.Stderr();
  char* escaped = curl_easy_escape(nullptr, series.c_str(), 0);
  const std::string series_q(escaped);
  curl_free(escaped);
  ASSERT_TRUE(Eventually(
      [&] {
        auto d = Json(prom_url + "/api/v1/query?query=" + series_q);
        return d.HasMember("data") && d["data"]["result"].Size() == 1;
      },
      15s))
      << "Prometheus never scraped the exporter";
  const double run_start = Now();

  // Before: the counter follows the upstream.
  Sleep(6);

  // The revaluation: every pre-BME day's AKT price a little lower, by about twelve seconds of
  // the provider's earnings, so that the restart below happens while the upstream is still
  // under the exported value and the upstream passes it again within the test.
  const double usd_per_second = best_rate / 1e6 * kTimeScale / 6.0;
  const double drop = 12 * usd_per_second;
  const long factor_ppm =
      std::clamp(static_cast<long>(std::floor((1 - drop / akt_usd) * 1e6)), 0L, 999'999L);
  char arg[64];
  std::snprintf(arg, sizeof arg, "0.%06ld,2000-01-01,2026-03-21", factor_ppm);
  const double held = *Metric(exporter_url, series);
  ASSERT_EQ(PostJson(sim.base_url + "/_sim/faults",
                     std::string(R"({"route":"*","kind":"revalue","arg":")") + arg + "\"}"),
            201);
  auto revalued = Json(truth_url);
  EXPECT_LT(Micro(revalued["total_uusd"]) - Micro(revalued["total_uact_plus_uusdc"]), akt_usd)
      << "the fault did not lower the lifetime total";
  // During: the exporter sees the lower total and holds.
  EXPECT_TRUE(Eventually([&] { return Metric(exporter_url, decreases).value_or(0) >= 1; }, 5s))
      << exporter->Stderr();
  EXPECT_GE(*Metric(exporter_url, series), held);
  Sleep(1);

  // Restart while the upstream is still below the exported value.
  const double before_restart = *Metric(exporter_url, series);
  exporter->Signal(SIGTERM);
  ASSERT_EQ(exporter->Wait(10s), 0) << exporter->Stderr();
  exporter = StartExporterOn(exporter_port, config);
  ASSERT_TRUE(Eventually([&] { return Metric(exporter_url, series).has_value(); }))
      << exporter->Stderr();
  EXPECT_GE(*Metric(exporter_url, series), before_restart)
      << "the restart lowered the counter: the high-water mark was not kept";
  EXPECT_TRUE(Eventually([&] { return Metric(exporter_url, decreases).value_or(0) >= 1; }, 5s))
      << "after the restart the upstream was still lower, and the hold should count it";

  // After: once the upstream passes the held value the counter moves again.
  EXPECT_TRUE(Eventually(
      [&] { return Metric(exporter_url, series).value_or(0) > before_restart + 0.01; }, 25s))
      << "the counter never resumed";
  Sleep(4);
  const double run_end = Now() - 1;  // leave the truth sampler a reading after the last sample
  Sleep(1.5);
  truth.Stop();

  // Every sample Prometheus holds, and increase() over the run at every half second.
  char when[64];
  std::snprintf(when, sizeof when, "%.3f", run_end);
  const auto raw = OneSeries(
      Json(prom_url + "/api/v1/query?query=" + series_q + "%5B5m%5D&time=" + when), "raw");
  ASSERT_GE(raw.size(), 10u);
  const std::string inc_q = "increase(" + series + "[10s])";
  escaped = curl_easy_escape(nullptr, inc_q.c_str(), 0);
  const std::string inc_qs(escaped);
  curl_free(escaped);
  char range[128];
  std::snprintf(range, sizeof range, "&start=%.3f&end=%.3f&step=0.5", run_start + kWindowSeconds,
                run_end);
  const auto increases =
      OneSeries(Json(prom_url + "/api/v1/query_range?query=" + inc_qs + range), "increase");
  ASSERT_GE(increases.size(), 20u);

  int checked = 0;
  double largest = 0;
  for (const Point& inc : increases) {
    // The samples Prometheus used for this evaluation: timestamps in (T − 10 s, T].
    std::vector<Point> used;
    for (const Point& p : raw) {
      if (p.t > inc.t - kWindowSeconds && p.t <= inc.t) used.push_back(p);
    }
    ASSERT_GE(used.size(), 2u) << "increase() at " << inc.t << " had fewer than two samples";
    const double t1 = used.front().t, t2 = used.back().t;
    const auto upper = truth.Upper(t2);
    const auto lower = truth.Lower(t1 - kStaleSeconds);
    ASSERT_TRUE(upper && lower) << "no truth reading around " << t1 << ".." << t2;
    const double bound = (*upper - *lower) * kWindowSeconds / (t2 - t1) + kRoundingUsd;
    EXPECT_LE(inc.v, bound) << "at " << std::fixed << inc.t << " (" << inc.t - run_start
                            << " s into the run): increase " << inc.v << " > earned " << bound;
    largest = std::max(largest, inc.v);
    ++checked;
  }
  EXPECT_GE(checked, 20);
  EXPECT_GT(largest, 0) << "no earnings were visible: the test would not see a reset either";
  prometheus.Signal(SIGTERM);
  prometheus.Wait(10s);
  exporter->Signal(SIGTERM);
  exporter->Wait(10s);
}

}  // namespace
}  // namespace akash::itest
