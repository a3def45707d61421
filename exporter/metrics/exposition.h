#pragma once
// Renders /metrics: the merged snapshots of every fresh source, the akash_exporter_* self-
// metrics and (unless disabled) process_* metrics, in the text format.
//
// The rendered bytes (plain, and gzip on first demand) are cached and shared by every scrape
// until the store changes or the cache is older than max_cache_age (which bounds how stale
// process_* values and the max_staleness withdrawal can be). So a scrape usually costs a pointer
// copy; at most one render runs at a time and concurrent scrapes wait for it rather than render
// again.
//
// Thread-safety: Get() and Collect() are safe from any thread.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "exporter/metrics/store.h"

namespace akash::metrics {

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string compiler;
};

BuildInfo CurrentBuildInfo();

struct ExpositionOptions {
  bool exporter_metrics = true;  // process_* (--web.disable-exporter-metrics turns them off)
  std::chrono::milliseconds max_cache_age{1000};
  BuildInfo build = CurrentBuildInfo();
};

class Exposition {
 public:
  Exposition(const Store& store, ExpositionOptions options);

  // The full body, gzip-compressed when `gzip` is true.
  std::shared_ptr<const std::string> Get(bool gzip);
  // Every family that a render would serialize, sorted by name (tests, benchmarks).
  Families Collect() const;
  std::uint64_t renders() const;

 private:
  const Store& store_;
  const ExpositionOptions options_;
  mutable std::mutex mu_;
  std::uint64_t cached_generation_ = 0;
  std::chrono::steady_clock::time_point cached_at_{};
  std::shared_ptr<const std::string> plain_;
  std::shared_ptr<const std::string> gzip_;
  std::uint64_t renders_ = 0;
};

// gzip (RFC 1952) of `data` at the given zlib level.
std::string Gzip(const std::string& data, int level = 6);
// Whether an Accept-Encoding header value accepts gzip (q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace akash::metrics
