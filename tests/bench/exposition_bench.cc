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
  std::map<akash::metrics::SourceKey, std::chrono::milliseconds> slots;
  for (int s = 0; s < 10; ++s) slots[{"provider_dashboard", "akash1p" + std::to_string(s)}] = 1h;
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

void BM_Render(benchmark::State& state) {
  const auto& clock = akash::core::SystemClock::Instance();
  akash::metrics::Store store(clock);
  Populate(store, static_cast<int>(state.range(0)));
  akash::metrics::ExpositionOptions opts;
  opts.exporter_metrics = false;
  akash::metrics::Exposition exp(store, opts);
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto body = akash::metrics::Serialize(exp.Collect());
    bytes = body.size();
    benchmark::DoNotOptimize(body);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

void BM_CachedScrape(benchmark::State& state) {
  const auto& clock = akash::core::SystemClock::Instance();
  akash::metrics::Store store(clock);
  Populate(store, static_cast<int>(state.range(0)));
  akash::metrics::ExpositionOptions opts;
  opts.exporter_metrics = false;
  opts.max_cache_age = 1h;
  akash::metrics::Exposition exp(store, opts);
  exp.Get(false);
  for (auto _ : state) {
    auto body = exp.Get(false);
    benchmark::DoNotOptimize(body);
  }
}

void BM_Gzip(benchmark::State& state) {
  const auto& clock = akash::core::SystemClock::Instance();
  akash::metrics::Store store(clock);
  Populate(store, static_cast<int>(state.range(0)));
  akash::metrics::ExpositionOptions opts;
  opts.exporter_metrics = false;
  akash::metrics::Exposition exp(store, opts);
  const auto body = akash::metrics::Serialize(exp.Collect());
  for (auto _ : state) {
    auto gz = akash::metrics::Gzip(body);
    benchmark::DoNotOptimize(gz);
  }
}

BENCHMARK(BM_Render)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CachedScrape)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gzip)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
