// Issue acceptance for provider_status: against akash_sim with three providers (healthy,
// degraded, offline), every provider_status series equals the simulator's world as its truth
// endpoint states it, the active GPUs equal what provider_dashboard reports, an address the
// Console does not know is an http_4xx error of its own source only; and a real Prometheus
// scraping the exporter joins a revenue metric to akash_provider_info by provider and gets the
// provider's name as a label.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <map>
#include <set>

#include "tests/integration/harness.h"
#include "tests/integration/sim_json.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

std::optional<double> Up(const std::string& body, const std::string& source,
                         const std::string& target) {
  return SampleValue(
      body, "akash_exporter_source_up{source=\"" + source + "\",target=\"" + target + "\"}");
}

// Number of series of `name` in the exposition whose labels contain `needle`.
int CountSeries(const std::string& body, const std::string& name, const std::string& needle) {
  int n = 0;
  std::size_t pos = 0;
  while ((pos = body.find("\n" + name + "{", pos)) != std::string::npos) {
    const std::size_t end = body.find('\n', pos + 1);
    if (body.substr(pos, end - pos).find(needle) != std::string::npos) ++n;
    pos = end;
  }
  return n;
}

class ProviderStatusTest : public ::testing::Test {
 protected:
  // Starts the simulator (three providers: index 0 healthy, 1 degraded, 2 offline) and an
  // exporter polling provider_status and provider_dashboard for them every second, plus
  // `extra` addresses the Console does not know.
  void Start(const std::vector<std::string>& sim_args, int unknown_providers = 0) {
    sim_ = StartSim(dir_, sim_args);
    auto world = Json(sim_.base_url + "/_sim/world");
    for (const auto& p : world["providers"].GetArray())
      addr_.emplace_back(p["address"].GetString());
    ASSERT_EQ(addr_.size(), 3u);
    for (int i = 0; i < unknown_providers; ++i) {
      unknown_.emplace_back(world["tenants"][i]["address"].GetString());
    }
    std::string config = "providers:\n";
    for (const auto& a : addr_) config += "  - address: " + a + "\n";
    for (const auto& a : unknown_) config += "  - address: " + a + "\n";
    config += "endpoints:\n  console_api: " + sim_.base_url +
              "\n  provider_console_api: " + sim_.base_url +
              "\nsources:\n"
              "  provider_status: {interval: 1s}\n"
              "  provider_dashboard: {interval: 1s}\n"
              "  provider_earnings: {enabled: false}\n"
              "  market: {enabled: false}\n";
    exporter_ = StartExporter(dir_, config);
    ASSERT_TRUE(Eventually(
        [&] {
          body_ = Http("GET", exporter_.base_url + "/metrics").body;
          bool all = true;
          for (const auto& a : addr_) {
            all = all && Up(body_, "provider_status", a) == 1.0 &&
                  Up(body_, "provider_dashboard", a) == 1.0;
          }
          for (const auto& a : unknown_) {
            all = all && SampleValue(body_,
                                     "akash_exporter_source_errors_total{source=\"provider_"
                                     "status\",target=\"" +
                                         a + "\",reason=\"http_4xx\"}")
                                 .value_or(0) >= 1.0;
          }
          return all;
        },
        30s))
        << body_ << exporter_.process->Stderr();
  }

  TempDir dir_;
  Sim sim_;
  Exporter exporter_;
  std::vector<std::string> addr_;
  std::vector<std::string> unknown_;
  std::string body_;
};

TEST_F(ProviderStatusTest, EveryMetricEqualsTheWorldForThreeProviders) {
  Start({"--seed=21", "--providers=3", "--tenants=2", "--leases=300", "--start-time=now",
         "--time-scale=0"},
        1);
  const std::string& body = body_;
  const std::pair<const char*, const char*> families[] = {
      {"cpu_milli", "akash_provider_capacity_cpu_cores"},
      {"gpu", "akash_provider_capacity_gpus"},
      {"memory_bytes", "akash_provider_capacity_memory_bytes"}};
  std::set<bool> online_seen;
  bool degraded_seen = false;
  for (const auto& a : addr_) {
    auto t = Json(sim_.base_url + "/_sim/truth/provider_status/" + a);
    const std::string p = "provider=\"" + a + "\"";
    EXPECT_EQ(SampleValue(body, "akash_provider_info{" + p + ",name=\"" + t["name"].GetString() +
                                    "\",host_uri=\"" + t["host_uri"].GetString() +
                                    "\",akash_version=\"" + t["akash_version"].GetString() + "\"}"),
              1.0)
        << a;
    EXPECT_EQ(CountSeries(body, "akash_provider_info", p), 1) << a;
    EXPECT_EQ(SampleValue(body, "akash_provider_online{" + p + "}"),
              t["online"].GetBool() ? 1.0 : 0.0)
        << a;
    online_seen.insert(t["online"].GetBool());
    for (const char* w : {"1d", "7d", "30d"}) {
      const auto got =
          SampleValue(body, "akash_provider_uptime_ratio{" + p + ",window=\"" + w + "\"}");
      if (t["uptime"][w].IsNull()) {
        EXPECT_FALSE(got.has_value()) << a << " " << w;
      } else {
        ASSERT_TRUE(got.has_value()) << a << " " << w;
        EXPECT_NEAR(*got, t["uptime"][w].GetDouble(), 1e-12) << a << " " << w;
        degraded_seen = degraded_seen || *got < 1.0;
      }
    }
    for (const auto& [kind, family] : families) {
      const double scale = std::string(kind) == "cpu_milli" ? 1000.0 : 1.0;
      for (const char* state : {"active", "pending", "available"}) {
        const auto got =
            SampleValue(body, std::string(family) + "{" + p + ",state=\"" + state + "\"}");
        ASSERT_TRUE(got.has_value()) << a << " " << family << " " << state;
        EXPECT_DOUBLE_EQ(*got, t["capacity"][kind][state].GetInt64() / scale)
            << a << " " << family << " " << state;
      }
    }
    for (const char* cls : {"ephemeral", "persistent"}) {
      const std::string kind = std::string(cls) + "_bytes";
      for (const char* state : {"active", "pending", "available"}) {
        const auto got = SampleValue(body, "akash_provider_capacity_storage_bytes{" + p +
                                               ",class=\"" + cls + "\",state=\"" + state + "\"}");
        ASSERT_TRUE(got.has_value()) << a << " " << cls << " " << state;
        EXPECT_DOUBLE_EQ(*got, static_cast<double>(t["capacity"][kind.c_str()][state].GetInt64()))
            << a << " " << cls << " " << state;
      }
    }
    const auto& models = t["gpu_models"];
    EXPECT_EQ(CountSeries(body, "akash_provider_gpu_model_info", p),
              static_cast<int>(models.Size()))
        << a;
    for (const auto& m : models.GetArray()) {
      EXPECT_EQ(SampleValue(body, "akash_provider_gpu_model_info{" + p + ",vendor=\"" +
                                      m["vendor"].GetString() + "\",model=\"" +
                                      m["model"].GetString() + "\",ram=\"" + m["ram"].GetString() +
                                      "\",interface=\"" + m["interface"].GetString() + "\"}"),
                1.0)
          << a;
    }
    // The acceptance identity: active GPUs here equal the dashboard's leased GPUs.
    const auto active_gpus =
        SampleValue(body, "akash_provider_capacity_gpus{" + p + ",state=\"active\"}");
    const auto leased_gpus = SampleValue(body, "akash_provider_leased_gpus{" + p + "}");
    ASSERT_TRUE(active_gpus.has_value() && leased_gpus.has_value()) << a;
    EXPECT_EQ(*active_gpus, *leased_gpus) << a;
    // And the same for CPU and memory.
    EXPECT_EQ(SampleValue(body, "akash_provider_capacity_cpu_cores{" + p + ",state=\"active\"}"),
              SampleValue(body, "akash_provider_leased_cpu_cores{" + p + "}"))
        << a;
    EXPECT_EQ(SampleValue(body, "akash_provider_capacity_memory_bytes{" + p + ",state=\"active\"}"),
              SampleValue(body, "akash_provider_leased_memory_bytes{" + p + "}"))
        << a;
  }
  // The world really has an offline provider and one with uptime below 1.
  EXPECT_EQ(online_seen, (std::set<bool>{false, true}));
  EXPECT_TRUE(degraded_seen);

  // The unknown address: http_4xx on its own source, no business series, the others unaffected.
  ASSERT_EQ(unknown_.size(), 1u);
  EXPECT_EQ(Up(body, "provider_status", unknown_[0]), 0.0);
  EXPECT_EQ(body.find("akash_provider_online{provider=\"" + unknown_[0]), std::string::npos);
  EXPECT_TRUE(exporter_.process->Wait(0ms) == std::nullopt) << "exporter exited";
}

// Picks a free port on 127.0.0.1 (bound and released; Prometheus cannot report port 0).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

TEST_F(ProviderStatusTest, PrometheusJoinsRevenueToTheProviderName) {
  if (std::string(AKASH_PROMETHEUS).empty()) GTEST_SKIP() << "prometheus not installed";
  Start({"--seed=22", "--providers=3", "--tenants=1", "--leases=150", "--start-time=now",
         "--time-scale=0"});
  const int port = FreePort();
  ASSERT_GT(port, 0);
  const std::string target = exporter_.base_url.substr(exporter_.base_url.find("//") + 2);
  dir_.Write("prometheus.yml",
             "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
             "scrape_configs:\n  - job_name: akash\n    static_configs:\n"
             "      - targets: ['" +
                 target + "']\n");
  Process prometheus({AKASH_PROMETHEUS, "--config.file=" + dir_.path() + "/prometheus.yml",
                      "--storage.tsdb.path=" + dir_.path() + "/tsdb",
                      "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                     dir_.path());
  const std::string query =
      "akash_provider_earned_usd_total * on(provider) group_left(name) akash_provider_info";
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port) + "/api/v1/query?query=" + UrlEncode(query);
  rapidjson::Document d;
  ASSERT_TRUE(Eventually(
      [&] {
        const auto r = Http("GET", url);
        if (r.status != 200) return false;
        d.Parse(r.body.c_str());
        return !d.HasParseError() && d["data"]["result"].Size() == addr_.size();
      },
      60s))
      << prometheus.Stderr();

  std::map<std::string, std::string> names;
  for (const auto& row : d["data"]["result"].GetArray()) {
    const std::string provider = row["metric"]["provider"].GetString();
    ASSERT_TRUE(row["metric"].HasMember("name")) << provider;
    names[provider] = row["metric"]["name"].GetString();
    // akash_provider_info is 1, so the product is the revenue itself.
    const double joined = std::stod(row["value"][1].GetString());
    const auto earned =
        SampleValue(Http("GET", exporter_.base_url + "/metrics").body,
                    "akash_provider_earned_usd_total{provider=\"" + provider + "\"}");
    ASSERT_TRUE(earned.has_value());
    EXPECT_NEAR(joined, *earned, std::abs(*earned) * 1e-12) << provider;
  }
  for (const auto& a : addr_) {
    auto t = Json(sim_.base_url + "/_sim/truth/provider_status/" + a);
    // The offline provider too: its name comes from its host URI.
    EXPECT_EQ(names[a], t["name"].GetString()) << a;
    EXPECT_FALSE(names[a].empty()) << a;
  }
  prometheus.Signal(SIGTERM);
  prometheus.Wait(10s);
}

}  // namespace
}  // namespace akash::itest
