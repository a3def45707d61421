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
//  - background_render (the daemon): a renderer thread re-renders as soon as the store changes
//    (bursts coalesced into one render), and when a scrape finds the body older than
//    max_cache_age. A scrape never waits for the renderer: it takes the newest complete body.
//    Only the formats asked for within format_idle are rendered: Prometheus asks for gzip, so a
//    daemon scraped by Prometheus alone keeps the gzip body only, written through zlib as it is
//    rendered, and the plain body (ten times larger) never exists whole. The first request of a
//    format nobody asked for recently renders that format itself, once, without waiting for the
//    renderer; the renderer then keeps it current. Nobody asking for either format within
//    format_idle drops both bodies.
//  - otherwise (tests, benchmarks): a scrape that finds the cache outdated renders in place, at
//    most one at a time, and gzip is made on first demand.
//
// Thread-safety: Get(), Collect() and WaitForRender() are safe from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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
  // Background mode: a format (plain or gzip) not asked for within this time is no longer
  // rendered and its body is dropped. Longer than any scrape interval in use (Prometheus allows
  // up to its 5-minute staleness window).
  std::chrono::milliseconds format_idle{std::chrono::minutes(15)};
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
  // Bytes of rendered bodies held now, plain plus gzip (tests, benchmarks).
  std::size_t held_bytes() const;
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
  // No render yet, or one older than the store's last change or than max_cache_age.
  bool Outdated(const std::shared_ptr<const Rendered>& r) const;
  void Publish(std::shared_ptr<const Rendered> r);
  std::shared_ptr<const Rendered> RenderNow(bool with_plain, bool with_gzip);
  // Writes the body in pieces: `flush` (when set) receives `buf` whenever it holds at least
  // kFlushBytes and after the last family, and must consume it.
  void RenderInto(std::string& buf, const std::function<void(std::string&)>& flush) const;
  std::shared_ptr<const std::string> GetBackground(bool gzip);
  void NoteRequest(bool gzip);
  bool Wanted(bool gzip) const;
  void RequestRender();
  void RendererLoop();

  Store& store_;
  const ExpositionOptions options_;
  mutable std::mutex mu_;  // guards current_, renders_, last_size_
  std::shared_ptr<const Rendered> current_;
  std::uint64_t renders_ = 0;
  mutable std::size_t last_size_ = 0;
  std::mutex render_mu_;  // one render at a time (the renderer, or a foreground scrape)
  std::mutex demand_mu_;  // background mode: one render of a missing format at a time
  // Background mode: steady-clock time (ns) of the last request for each format; kNever if none.
  static constexpr std::int64_t kNever = INT64_MIN;
  std::atomic<std::int64_t> last_plain_request_{kNever};
  std::atomic<std::int64_t> last_gzip_request_{kNever};

  // Background renderer.
  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_requested_ = false;
  bool bg_stop_ = false;
  std::uint64_t bg_started_ = 0;    // renders begun by the renderer
  std::uint64_t bg_finished_ = 0;   // renders it published
  std::thread renderer_;
};

// Makes glibc serve allocations of 256 KiB and more (rendered bodies, zlib state) straight from
// mmap, so a body is handed back to the system when its last scrape ends. glibc otherwise
// raises that threshold to the largest block freed so far, and bodies then come from the heap
// and stay in RSS after a burst of scrapes. Also keeps up to 8 MiB free at the top of the heap
// between the pages of a crawl (returned by the renderer's trim after each poll). Call once at
// start, before threads; MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ in the environment win
// over each setting; nothing happens outside glibc.
void ConfigureAllocator();

// gzip (RFC 1952) written as the input arrives, into an output that grows as needed (the input's
// worst-case bound is never allocated): Add() any number of times, then Finish() once.
class GzipWriter {
 public:
  explicit GzipWriter(int level = 6);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;
  void Add(std::string_view data);
  // The compressed stream, its capacity trimmed to its size.
  std::string Finish();

 private:
  void Deflate(std::string_view data, int flush);
  struct State;
  std::unique_ptr<State> state_;
};

// gzip (RFC 1952) of `data` at the given zlib level.
std::string Gzip(std::string_view data, int level = 6);
// Whether an Accept-Encoding header value accepts gzip (q > 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace akash::metrics
