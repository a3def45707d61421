// Load under hostile upstreams: wrk with 64 connections on /metrics for AKASH_LOAD_SECONDS
// (default 15) while a background loop changes the fault on every simulator route each second
// (5xx, 429, hold past the timeout, reset, broken JSON, truncation, drip, an edge 403, none), so
// every source keeps failing, recovering and publishing. Every answer must be a 2xx: no socket
// error, no timeout (wrk's is 2 s), no 503 from --web.max-requests at its default.
//
// 15 s by default: each source goes through a dozen fault changes and the server reaches its
// steady state in well under a second, so a longer run adds CI time, not coverage; the issue's
// 30 s figure is AKASH_LOAD_SECONDS=30 (see the report line it prints).

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "tests/faults/sim_control.h"
#include "tests/integration/harness.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::atoi(v);
}

// What wrk printed. Lines wrk leaves out when they would be zero stay zero.
struct WrkResult {
  long requests = -1;
  long socket_connect = 0, socket_read = 0, socket_write = 0, socket_timeout = 0;
  long non_2xx = 0;
  double requests_per_s = -1;
  std::string p50, p90, p99;
};

WrkResult ParseWrk(const std::string& out) {
  WrkResult r;
  std::istringstream in(out);
  std::string line;
  const auto starts = [](const std::string& t, const char* prefix) {
    return t.rfind(prefix, 0) == 0;
  };
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const std::string t = line.substr(first);
    long a = 0, b = 0, c = 0, d = 0;
    char value[16] = {0};
    double v = 0;
    // Each line is told apart by its words first: sscanf alone would read "50%" as a count.
    if (t.find(" requests in ") != std::string::npos) {
      if (std::sscanf(t.c_str(), "%ld", &a) == 1) r.requests = a;
    } else if (starts(t, "Socket errors:")) {
      if (std::sscanf(t.c_str(), "Socket errors: connect %ld, read %ld, write %ld, timeout %ld", &a,
                      &b, &c, &d) == 4) {
        r.socket_connect = a;
        r.socket_read = b;
        r.socket_write = c;
        r.socket_timeout = d;
      } else {
        r.socket_connect = -1;  // a format this parser does not know: never read as "no error"
      }
    } else if (starts(t, "Non-2xx or 3xx responses:")) {
      r.non_2xx = std::sscanf(t.c_str(), "Non-2xx or 3xx responses: %ld", &a) == 1 ? a : -1;
    } else if (starts(t, "Requests/sec:")) {
      if (std::sscanf(t.c_str(), "Requests/sec: %lf", &v) == 1) r.requests_per_s = v;
    } else if (starts(t, "50%") && std::sscanf(t.c_str(), "50%% %15s", value) == 1) {
      r.p50 = value;
    } else if (starts(t, "90%") && std::sscanf(t.c_str(), "90%% %15s", value) == 1) {
      r.p90 = value;
    } else if (starts(t, "99%") && std::sscanf(t.c_str(), "99%% %15s", value) == 1) {
      r.p99 = value;
    }
  }
  return r;
}

TEST(WrkOutput, ParsesEveryFigureAndTreatsAbsentErrorLinesAsZero) {
  const std::string sample =
      "Running 15s test @ http://127.0.0.1:1/metrics\n"
      "  2 threads and 64 connections\n"
      "  Latency Distribution\n"
      "     50%  805.00us\n"
      "     75%    1.10ms\n"
      "     90%    2.01ms\n"
      "     99%    9.87ms\n"
      "  123456 requests in 15.00s, 1.23GB read\n"
      "  Socket errors: connect 1, read 2, write 3, timeout 4\n"
      "  Non-2xx or 3xx responses: 17\n"
      "Requests/sec:   8230.40\n"
      "Transfer/sec:     82.00MB\n";
  const WrkResult r = ParseWrk(sample);
  EXPECT_EQ(r.requests, 123456);
  EXPECT_EQ(r.socket_connect, 1);
  EXPECT_EQ(r.socket_read, 2);
  EXPECT_EQ(r.socket_write, 3);
  EXPECT_EQ(r.socket_timeout, 4);
  EXPECT_EQ(r.non_2xx, 17);
  EXPECT_DOUBLE_EQ(r.requests_per_s, 8230.40);
  EXPECT_EQ(r.p50, "805.00us");
  EXPECT_EQ(r.p90, "2.01ms");
  EXPECT_EQ(r.p99, "9.87ms");
  const WrkResult clean = ParseWrk("  10 requests in 1.00s, 1KB read\nRequests/sec: 10.0\n");
  EXPECT_EQ(clean.requests, 10);
  EXPECT_EQ(ParseWrk("  Socket errors: something new 3\n").socket_connect, -1);
  EXPECT_EQ(clean.non_2xx + clean.socket_connect + clean.socket_read + clean.socket_write +
                clean.socket_timeout,
            0);
}

TEST(Load, SixtyFourScrapersWhileFaultsFlipGetOnly2xx) {
  ASSERT_STRNE(AKASH_WRK, "") << "wrk is not installed (scripts/deps.sh installs it)";
  const int seconds = EnvInt("AKASH_LOAD_SECONDS", 15);
  const int connections = EnvInt("AKASH_LOAD_CONNECTIONS", 64);
  TempDir dir;
  Sim sim = StartSim(dir, {"--seed=14", "--providers=2", "--tenants=1", "--leases=60",
                           "--start-time=now", "--time-scale=1"});
  rapidjson::Document world;
  world.Parse(Http("GET", sim.base_url + "/_sim/world").body.c_str());
  ASSERT_FALSE(world.HasParseError());
  std::string config = "providers:\n";
  for (const auto& p : world["providers"].GetArray()) {
    config += "  - address: " + std::string(p["address"].GetString()) + "\n";
  }
  config += "endpoints:\n  console_api: " + sim.base_url +
            "\n  provider_console_api: " + sim.base_url + "\nsources:\n";
  for (const char* s : {"market", "provider_dashboard", "provider_earnings", "provider_status"}) {
    config += std::string("  ") + s + ": {interval: 1s, timeout: 1s, max_staleness: 3s}\n";
  }
  Exporter ex = StartExporter(dir, config);
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Http("GET", ex.base_url + "/metrics").body;
        return body.find("akash_exporter_source_up{source=\"provider_status\"") !=
                   std::string::npos &&
               body.find("akash_akt_price_usd") != std::string::npos;
      },
      20s))
      << body;

  // Faults flip every second on every route while wrk runs.
  std::atomic<bool> stop{false};
  std::atomic<int> flips{0};
  std::thread flipper([&] {
    const std::pair<const char*, const char*> cycle[] = {
        {"500", ""},      {"429", "1"},         {"timeout", "1500"},
        {"reset", ""},    {"invalid_json", ""}, {"truncate", ""},
        {"drip", "1500"}, {"cloudflare", ""},   {"", ""}};
    for (int i = 0; !stop.load(); ++i) {
      const auto& [kind, arg] = cycle[i % std::size(cycle)];
      try {
        ClearFaults(sim.base_url);
        if (*kind) AddFault(sim.base_url, "*", kind, arg);
        flips++;
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        return;
      }
      for (int t = 0; t < 10 && !stop.load(); ++t) std::this_thread::sleep_for(100ms);
    }
  });
  std::string out;
  const int rc = RunCommand(std::string(AKASH_WRK) + " -t2 -c" + std::to_string(connections) +
                                " -d" + std::to_string(seconds) + "s --timeout 2s --latency " +
                                ex.base_url + "/metrics",
                            &out);
  stop = true;
  flipper.join();
  ASSERT_EQ(rc, 0) << out;
  const WrkResult r = ParseWrk(out);
  std::printf(
      "load: %d connections, %d s, %d fault flips: %ld requests, %.0f req/s, "
      "p50 %s p90 %s p99 %s, socket errors %ld/%ld/%ld/%ld, non-2xx %ld\n",
      connections, seconds, flips.load(), r.requests, r.requests_per_s, r.p50.c_str(),
      r.p90.c_str(), r.p99.c_str(), r.socket_connect, r.socket_read, r.socket_write,
      r.socket_timeout, r.non_2xx);
  EXPECT_GT(r.requests, 0) << out;
  EXPECT_GE(flips.load(), seconds - 1);
  EXPECT_EQ(r.socket_connect, 0) << out;
  EXPECT_EQ(r.socket_read, 0) << out;
  EXPECT_EQ(r.socket_write, 0) << out;
  EXPECT_EQ(r.socket_timeout, 0) << out;
  EXPECT_EQ(r.non_2xx, 0) << out << "(--web.max-requests 503s count here)";
  // Still serving, and the sources still ran through their faults.
  const HttpResult after = Http("GET", ex.base_url + "/metrics");
  EXPECT_EQ(after.status, 200);
  EXPECT_TRUE(SampleValue(after.body,
                          "akash_exporter_source_errors_total{source=\"market\","
                          "target=\"\",reason=\"http_5xx\"}")
                  .value_or(0) >= 1)
      << after.body;
}

}  // namespace
}  // namespace akash::itest
