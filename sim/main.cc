// akash_sim: the simulated Akash upstream. Wires flags to the library and serves until
// SIGINT/SIGTERM.

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "sim/clock.h"
#include "sim/options.h"
#include "sim/router.h"
#include "sim/server.h"
#include "sim/world.h"

int main(int argc, char** argv) {
  using namespace akash::sim;
  CLI::App app{
      "akash_sim: a simulated Akash upstream (Console API, Provider Console API, chain REST)"};
  std::string listen = "127.0.0.1:0";
  std::string port_file, start_time = "2026-08-20T12:00:00Z", indexer_lag = "60s";
  std::string stripe_shape = "mixed", node_version, demo_dir;
  std::uint64_t seed = 1;
  int providers = 3, tenants = 5, leases = 200, days = 400, threads = 32, open_share = -1;
  double time_scale = 1, block_time = 6.0;
  bool legacy = false, demo = false, no_act = false, future_quirk = false;
  std::vector<std::string> fault_specs;
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: the OS picks)");
  app.add_option("--port-file", port_file, "write the bound port to this file");
  app.add_option("--seed", seed, "world seed");
  auto* o_providers =
      app.add_option("--providers", providers, "number of providers")->check(CLI::Range(1, 100000));
  auto* o_tenants =
      app.add_option("--tenants", tenants, "number of tenants")->check(CLI::Range(0, 100000));
  auto* o_leases =
      app.add_option("--leases", leases, "number of leases")->check(CLI::Range(0, 5000000));
  app.add_option("--days", days, "history length in days")->check(CLI::Range(1, 3650));
  app.add_option("--open-share", open_share,
                 "percent of post-BME deployments left open (default: the natural ~62)")
      ->check(CLI::Range(0, 100));
  auto* o_start =
      app.add_option("--start-time", start_time, "simulated now at start (RFC3339, or 'now')");
  app.add_option("--time-scale", time_scale, "simulated seconds per wall second (0 freezes)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--block-time", block_time, "seconds per block")->check(CLI::Range(0.001, 3600.0));
  app.add_option("--indexer-lag", indexer_lag,
                 "how far the Console indexer trails the chain (e.g. 60s)");
  app.add_flag("--legacy-chain", legacy, "serve market v1beta4 / escrow v1beta3 (pre-Mainnet-14)");
  app.add_flag("--console-without-act", no_act,
               "Console answers as before 2026-04-09: no *Act* fields (usage, provider earnings, "
               "dashboard)");
  app.add_flag("--usage-future-quirk", future_quirk,
               "usage rows for days not indexed yet are production's bogus huge values, not zeros");
  app.add_option("--node-version", node_version,
                 "node version; >= v2 has no take module (default v2.1.0)");
  app.add_option("--stripe-shape", stripe_shape,
                 "mixed (tenant i%3==2 uses the 2025 cursor shape), offset, cursor")
      ->check(CLI::IsMember({"mixed", "offset", "cursor"}));
  app.add_option("--fault", fault_specs, "ROUTE:KIND[:ARG[:COUNT]] (repeatable)");
  app.add_option("--threads", threads, "server worker threads")->check(CLI::Range(2, 1024));
  app.add_flag("--demo", demo, "print a ready akash_exporter config for this simulator");
  app.add_option("--demo-dir", demo_dir,
                 "directory for the demo's key files (default: a new /tmp dir)");
  CLI11_PARSE(app, argc, argv);

  if (demo) {
    if (o_providers->count() == 0) providers = 2;
    if (o_tenants->count() == 0) tenants = 2;
    if (o_leases->count() == 0) leases = 60;
    // The exporter reads "today" from its own wall clock, so the demo world starts at now.
    if (o_start->count() == 0) start_time = "now";
  }
  std::int64_t start_ms;
  if (start_time == "now") {
    start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  } else if (auto t = ParseRfc3339Ms(start_time)) {
    start_ms = *t;
  } else {
    std::cerr << "akash_sim: --start-time must be RFC3339 or 'now': " << start_time << "\n";
    return 2;
  }
  auto lag = ParseDurationMs(indexer_lag);
  if (!lag) {
    std::cerr << "akash_sim: bad --indexer-lag: " << indexer_lag << "\n";
    return 2;
  }

  WorldConfig wc;
  wc.seed = seed;
  wc.providers = providers;
  wc.tenants = tenants;
  wc.leases = leases;
  wc.days = days;
  wc.open_share_percent = open_share;
  wc.start_ms = start_ms;
  wc.block_ms = std::max<std::int64_t>(1, std::llround(block_time * 1000));
  wc.mixed_stripe_shapes = stripe_shape == "mixed";
  wc.all_cursor_stripe = stripe_shape == "cursor";
  auto t0 = std::chrono::steady_clock::now();
  World world = World::Generate(wc);
  auto gen_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();

  SimClock clock(start_ms, time_scale);
  RouterOptions ro;
  ro.indexer_lag_ms = *lag;
  ro.legacy_chain = legacy;
  ro.node_version = node_version;
  ro.console_without_act = no_act;
  ro.usage_future_quirk = future_quirk;
  Router router(world, clock, ro);
  for (const std::string& spec : fault_specs) {
    std::string error;
    auto f = FaultSet::ParseSpec(spec, &error);
    if (!f || router.faults().Add(*f, &error) < 0) {
      std::cerr << "akash_sim: --fault: " << error << "\n";
      return 2;
    }
  }

  // Block the stop signals before civetweb starts its threads, then wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Server server(router, listen, threads);
  std::string error;
  if (!server.Start(&error)) {
    std::cerr << "akash_sim: " << error << "\n";
    return 1;
  }
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  // The port file is written before the listening line, so whoever waits for the line can read
  // the file at once.
  if (!port_file.empty()) {
    std::ofstream pf(port_file, std::ios::trunc);
    pf << server.port() << "\n";
  }
  std::cout << "akash_sim listening on http://" << host << ":" << server.port() << std::endl;
  std::cerr << "akash_sim: world seed=" << seed << " providers=" << providers
            << " tenants=" << tenants << " leases=" << world.leases().size() << " generated in "
            << gen_ms << " ms\n";
  if (demo) {
    if (demo_dir.empty()) {
      char tmpl[] = "/tmp/akash-sim-demo-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) {
        std::cerr << "akash_sim: cannot create a demo directory\n";
        return 1;
      }
      demo_dir = tmpl;
    }
    auto yaml = WriteDemoFiles(world, server.port(), demo_dir, &error);
    if (!yaml) {
      std::cerr << "akash_sim: " << error << "\n";
      return 1;
    }
    std::ofstream(demo_dir + "/akash_exporter.yml", std::ios::trunc) << *yaml;
    std::cout << *yaml << std::flush;
    std::cerr << "akash_sim: demo config also written to " << demo_dir << "/akash_exporter.yml\n";
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "akash_sim: stopping\n";
  server.Stop();
  return 0;
}
