// What a scrape costs: a full render of N series (what happens once per change) against serving
// the cached buffer (what every other scrape costs), and gzip of the same body.
#include <benchmark/benchmark.h>

#include "exporter/metrics/exposition.h"
#include "exporter/metrics/text_format.h"

namespace {

using namespace std::chrono_literals;
using akash::metrics::Families;

// `series` gauge series spread over 20 families and 10 provider sources.
void Populate(akash::metrics::Store& store, int series) {
  std::map<akash::metrics::SourceKey, akash::metrics::SlotSettings> slots;
  for (int s = 0; s < 10; ++s) {
    slots.insert_or_assign({"provider_dashboard", "akash1p" + std::to_string(s)}, 1h);
  }
  store.Configure(slots);
  for (int s = 0; s < 10; ++s) {
    Families fams;
    for (int f = 0; f < 20; ++f) {
      prometheus::MetricFamily fam;
      fam.name = "akash_bench_metric_" + std::to_string(f);
      fam.help = "Benchmark family.";
      fam.type = prometheus::MetricType::Gauge;
      for (int i = 0; i < series / 200; ++i) {
        prometheus::ClientMetric m;
        m.label = {{"provider", "akash1p" + std::to_string(s)}, {"dseq", std::to_string(i)}};
        m.gauge.value = 1234.5678 * i;
        fam.metric.push_back(m);
      }
      fams.push_back(std::move(fam));
    }
    store.PublishSuccess({"provider_dashboard", "akash1p" + std::to_string(s)},
                         std::make_shared<const Families>(std::move(fams)), 0, 0s);
  }
}

// A store holding `series` series and an exposition over it (process_* off, so the figures are
// the exporter's own work).
struct Bench {
  Bench(int series, std::chrono::milliseconds max_cache_age)
      : store(akash::core::SystemClock::Instance()), exposition(store, Options(max_cache_age)) {
    Populate(store, series);
  }
  static akash::metrics::ExpositionOptions Options(std::chrono::milliseconds max_cache_age) {
    akash::metrics::ExpositionOptions opts;
    opts.exporter_metrics = false;
    opts.max_cache_age = max_cache_age;
    return opts;
  }
  akash::metrics::Store store;
  akash::metrics::Exposition exposition;
};

// The render the daemon does: families written from the snapshots in place.
void BM_Render(benchmark::State& state) {
  Bench b(static_cast<int>(state.range(0)), 1s);
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto body = b.exposition.Render();
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

// Baseline: merge the families into copies first, then serialize (the earlier design).
void BM_CollectThenSerialize(benchmark::State& state) {
  Bench b(static_cast<int>(state.range(0)), 1s);
  for (auto _ : state) {
    auto body = akash::metrics::Serialize(b.exposition.Collect());
    benchmark::DoNotOptimize(body);
  }
}

void BM_CachedScrape(benchmark::State& state) {
  Bench b(static_cast<int>(state.range(0)), 1h);
  b.exposition.Get(false);
  for (auto _ : state) {
    auto body = b.exposition.Get(false);
    benchmark::DoNotOptimize(body);
  }
}

void BM_Gzip(benchmark::State& state) {
  Bench b(static_cast<int>(state.range(0)), 1s);
  const auto body = akash::metrics::Serialize(b.exposition.Collect());
  for (auto _ : state) {
    auto gz = akash::metrics::Gzip(body);
    benchmark::DoNotOptimize(gz);
  }
}

BENCHMARK(BM_Render)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CollectThenSerialize)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedScrape)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gzip)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
