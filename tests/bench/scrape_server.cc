// Serves N synthetic series at /metrics for the scrape benchmark (tests/bench/run.sh):
//   scrape_server --impl=ours    akash_exporter's own path: Store, background Exposition,
//                                app::HandleMetrics and http::Server (what the daemon runs)
//   scrape_server --impl=exposer prometheus-cpp's own Exposer serving the same families, with 64
//                                civetweb threads (one per benchmark connection)
//   scrape_server --impl=memcpy  no server: prints how fast the rendered body is copied in
//                                memory (the floor a server could approach)
// Prints "listening PORT" (servers) once ready, then serves until SIGTERM/SIGINT.

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <signal.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "exporter/app/web.h"
#include "exporter/core/clock.h"
#include "exporter/http/server.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/store.h"

namespace {

using akash::metrics::Families;

// `series` gauge series in 20 families over 10 sources, labelled like the per-lease series.
std::vector<std::pair<std::string, Families>> MakeFamilies(int series) {
  std::vector<std::pair<std::string, Families>> out;
  for (int s = 0; s < 10; ++s) {
    Families fams;
    for (int f = 0; f < 20; ++f) {
      prometheus::MetricFamily fam;
      fam.name = "akash_bench_metric_" + std::to_string(f);
      fam.help = "Benchmark family.";
      fam.type = prometheus::MetricType::Gauge;
      for (int i = 0; i < series / 200; ++i) {
        prometheus::ClientMetric m;
        m.label = {{"provider", "akash1provider" + std::to_string(s)},
                   {"dseq", std::to_string(21345678 + i)}};
        m.gauge.value = 1234.5678 * i;
        fam.metric.push_back(m);
      }
      fams.push_back(std::move(fam));
    }
    out.emplace_back("akash1provider" + std::to_string(s), std::move(fams));
  }
  return out;
}

class FixedCollectable : public prometheus::Collectable {
 public:
  explicit FixedCollectable(Families families) : families_(std::move(families)) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return families_; }

 private:
  Families families_;
};

void WaitForStop() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace

int main(int argc, char** argv) {
  std::string impl = "ours";
  int series = 10000;
  int threads = 8;  // as the daemon sets it
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--impl=", 0) == 0) impl = a.substr(7);
    if (a.rfind("--series=", 0) == 0) series = std::stoi(a.substr(9));
    if (a.rfind("--threads=", 0) == 0) threads = std::stoi(a.substr(10));
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto per_source = MakeFamilies(series);
  if (impl == "exposer") {
    Families all;
    for (auto& [target, fams] : per_source) {
      for (auto& f : fams) all.push_back(std::move(f));
    }
    // civetweb serves a keep-alive connection on one of its threads until it closes; with the
    // default 2 threads, 62 of wrk's 64 connections time out. One thread per connection is the
    // baseline at its best for this load.
    prometheus::Exposer exposer("127.0.0.1:0", /*num_threads=*/64);
    // The Exposer keeps only a weak_ptr to what it serves: the collectable must outlive it here
    // (a temporary is gone at once and the Exposer then serves its own three metrics only).
    const auto collectable = std::make_shared<FixedCollectable>(std::move(all));
    exposer.RegisterCollectable(collectable);
    std::cout << "listening " << exposer.GetListeningPorts().at(0) << std::endl;
    WaitForStop();
    return 0;
  }

  akash::metrics::ConfigureAllocator();  // as the daemon does
  const auto& clock = akash::core::SystemClock::Instance();
  akash::metrics::Store store(clock);
  std::map<akash::metrics::SourceKey, akash::metrics::SlotSettings> slots;
  for (const auto& [target, fams] : per_source) {
    slots.insert_or_assign({"bench", target}, std::chrono::hours(24));
  }
  store.Configure(slots);
  for (auto& [target, fams] : per_source) {
    store.PublishSuccess({"bench", target}, std::make_shared<const Families>(std::move(fams)), 0,
                         std::chrono::seconds(0));
  }
  akash::metrics::ExpositionOptions options;
  options.exporter_metrics = false;
  options.background_render = true;
  akash::metrics::Exposition exposition(store, options);

  if (impl == "memcpy") {
    const auto body = exposition.Get(false);
    std::string copy(body->size(), '\0');
    const int rounds = 2000;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
      std::memcpy(copy.data(), body->data(), body->size());
      asm volatile("" : : "r"(copy.data()) : "memory");
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::cout << "body_bytes " << body->size() << "\ncopies_per_second " << rounds / took.count()
              << "\n";
    return 0;
  }

  akash::app::WebContext web;
  web.store = &store;
  web.exposition = &exposition;
  web.max_requests = 0;
  akash::http::ServerOptions server_options;
  server_options.listen_addresses = {"127.0.0.1:0"};
  server_options.worker_threads = threads;
  akash::http::Server server(server_options);
  akash::app::RegisterRoutes(server, web);
  server.Start();
  std::cout << "listening " << server.BoundPorts().at(0) << std::endl;
  WaitForStop();
  server.Stop();
  return 0;
}
