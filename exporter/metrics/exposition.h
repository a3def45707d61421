#pragma once
// Renders /metrics: the merged snapshots of every fresh source, the akash_exporter_* self-
// metrics and (unless disabled) process_* metrics, in the text format.
//
// The rendered bytes (plain and gzip) are cached and shared by every scrape until the store
// changes or the cache is older than max_cache_age (which bounds how stale process_* values and
// the max_staleness withdrawal can be). So a scrape usually costs a pointer copy.
//
// Rendering writes the snapshots' families straight into the body, grouped by name through
// pointers: no merged copy of the series is made, and the body is reserved at the size of the
// previous one, so a render needs about one body of memory beyond the snapshots.
//
// Two modes:
//  - background_render (the daemon): a renderer thread re-renders, plain and gzip, as soon as the
//    store changes (bursts coalesced into one render), and when a scrape finds the body older
//    than max_cache_age. A scrape never waits for a render: it takes the newest complete body.
//    Only the very first scrape, before any render exists, renders itself.
//  - otherwise (tests, benchmarks): a scrape that finds the cache outdated renders in place, at
//    most one at a time, and gzip is made on first demand.
//
// Thread-safety: Get(), Collect() and WaitForRender() are safe from any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
  bool background_render = false;
  // Background mode: changes closer together than this are rendered once.
  std::chrono::milliseconds coalesce{20};
  BuildInfo build = CurrentBuildInfo();
  // Tests: runs at the start of every render, on the rendering thread.
  std::function<void()> on_render;
};

class Exposition {
 public:
  // In background mode the exposition registers itself as the store's change listener; the
  // store must outlive it.
  Exposition(Store& store, ExpositionOptions options);
  ~Exposition();
  Exposition(const Exposition&) = delete;
  Exposition& operator=(const Exposition&) = delete;

  // The full body, gzip-compressed when `gzip` is true.
  std::shared_ptr<const std::string> Get(bool gzip);
  // Every family that a render would serialize, sorted by name (tests, benchmarks).
  Families Collect() const;
  // The body a render would produce now (tests, benchmarks).
  std::string Render() const;
  std::uint64_t renders() const;
  // Background mode: blocks until a render that started after this call has been published
  // (tests). Returns at once otherwise.
  void WaitForRender();

 private:
  struct Rendered {
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point at{};
    std::shared_ptr<const std::string> plain;
    std::shared_ptr<const std::string> gzip;  // null until made (foreground mode)
  };
  std::shared_ptr<const Rendered> Current() const;
  void Publish(std::shared_ptr<const Rendered> r);
  std::shared_ptr<const Rendered> RenderNow(bool with_gzip);
  void RequestRender();
  void RendererLoop();

  Store& store_;
  const ExpositionOptions options_;
  mutable std::mutex mu_;  // guards current_, renders_, last_size_
  std::shared_ptr<const Rendered> current_;
  std::uint64_t renders_ = 0;
  mutable std::size_t last_size_ = 0;
  std::mutex render_mu_;  // one render at a time

  // Background renderer.
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_requested_ = false;
  bool bg_stop_ = false;
  std::uint64_t bg_started_ = 0;    // renders begun by the renderer
  std::uint64_t bg_finished_ = 0;   // renders it published
  std::thread renderer_;
};

// gzip (RFC 1952) of `data` at the given zlib level.
std::string Gzip(const std::string& data, int level = 6);
// Whether an Accept-Encoding header value accepts gzip (q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace akash::metrics
