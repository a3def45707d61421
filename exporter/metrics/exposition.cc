#include "exporter/metrics/exposition.h"

#include <zlib.h>

// glibc's allocator is tuned and trimmed only when it is the allocator: under a sanitizer
// malloc is the sanitizer's, and malloc_trim() then walks glibc arenas that were never set up
// (a SEGV in mtrim under ASan once mallopt() had run).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define AKASH_FOREIGN_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AKASH_FOREIGN_MALLOC 1
#endif
#if defined(__GLIBC__) && !defined(AKASH_FOREIGN_MALLOC)
#define AKASH_GLIBC_MALLOC 1
#include <malloc.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/text_format.h"

#ifndef AKASH_VERSION
#define AKASH_VERSION "0.0.0"
#endif
#ifndef AKASH_REVISION
#define AKASH_REVISION "unknown"
#endif

namespace akash::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double Seconds(const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return 0;
  return std::chrono::duration<double>(t->time_since_epoch()).count();
}

class SelfFamily {
 public:
  SelfFamily(std::string name, std::string help, MetricType type) {
    f_.name = std::move(name);
    f_.help = std::move(help);
    f_.type = type;
  }
  void Add(std::initializer_list<std::pair<const char*, std::string>> labels, double v) {
    ClientMetric m;
    for (const auto& [k, val] : labels) m.label.push_back({k, val});
    if (f_.type == MetricType::Counter) {
      m.counter.value = v;
    } else {
      m.gauge.value = v;
    }
    f_.metric.push_back(std::move(m));
  }
  MetricFamily Take() { return std::move(f_); }

 private:
  MetricFamily f_;
};

void AppendSelfFamilies(const Store& store, const BuildInfo& build,
                        const std::vector<SourceStatus>& statuses, Families& out) {
  SelfFamily info("akash_exporter_build_info",
                  "A metric with a constant '1' value labeled by version, revision and compiler "
                  "of akash_exporter.",
                  MetricType::Gauge);
  info.Add({{"version", build.version}, {"revision", build.revision}, {"compiler", build.compiler}},
           1);
  out.push_back(info.Take());

  SelfFamily up("akash_exporter_source_up",
                "1 when the last poll of the source succeeded and its data is within max_staleness, "
                "else 0.",
                MetricType::Gauge);
  SelfFamily last_success("akash_exporter_source_last_success_timestamp_seconds",
                          "Unix time of the last successful poll of the source (0 if never).",
                          MetricType::Gauge);
  SelfFamily last_attempt("akash_exporter_source_last_attempt_timestamp_seconds",
                          "Unix time the last poll of the source started (0 if never).",
                          MetricType::Gauge);
  SelfFamily duration("akash_exporter_source_poll_duration_seconds",
                      "Wall time the last poll of the source took, retries included.",
                      MetricType::Gauge);
  SelfFamily requests("akash_exporter_source_requests_total",
                      "Upstream HTTP requests made by the source, by HTTP status code (or 'error' "
                      "when no response arrived).",
                      MetricType::Counter);
  SelfFamily errors("akash_exporter_source_errors_total",
                    "Failed polls of the source by reason.", MetricType::Counter);
  SelfFamily decreases("akash_exporter_upstream_decreases_total",
                       "Times an upstream lifetime total came back lower than the exported counter, "
                       "which held its value (upstreams revalue past days).",
                       MetricType::Counter);
  SelfFamily interval("akash_exporter_source_interval_seconds",
                      "Configured poll interval of the source.", MetricType::Gauge);
  SelfFamily staleness("akash_exporter_source_max_staleness_seconds",
                       "Age after which the source's last good data is withdrawn from /metrics.",
                       MetricType::Gauge);
  std::map<std::string, std::uint64_t> dropped_by_source;
  for (const auto& s : statuses) {
    const auto& src = s.key.source;
    const auto& tgt = s.key.target;
    up.Add({{"source", src}, {"target", tgt}}, s.up && !s.stale ? 1 : 0);
    last_success.Add({{"source", src}, {"target", tgt}}, Seconds(s.last_success));
    last_attempt.Add({{"source", src}, {"target", tgt}}, Seconds(s.last_attempt));
    duration.Add({{"source", src}, {"target", tgt}}, s.poll_duration_seconds);
    for (const auto& [code, n] : s.requests_by_code) {
      requests.Add({{"source", src}, {"target", tgt}, {"code", code}}, static_cast<double>(n));
    }
    for (std::size_t i = 0; i < kReasonCount; ++i) {
      errors.Add({{"source", src},
                  {"target", tgt},
                  {"reason", std::string(core::ToString(core::kAllErrorReasons[i]))}},
                 static_cast<double>(s.errors_by_reason[i]));
    }
    dropped_by_source[src] += s.series_dropped;
    decreases.Add({{"source", src}, {"target", tgt}}, static_cast<double>(s.upstream_decreases));
    if (s.interval.count() > 0) {
      interval.Add({{"source", src}, {"target", tgt}},
                   std::chrono::duration<double>(s.interval).count());
    }
    staleness.Add({{"source", src}, {"target", tgt}},
                  std::chrono::duration<double>(s.max_staleness).count());
  }
  out.push_back(up.Take());
  out.push_back(last_success.Take());
  out.push_back(last_attempt.Take());
  out.push_back(duration.Take());
  auto req = requests.Take();
  if (!req.metric.empty()) out.push_back(std::move(req));
  out.push_back(errors.Take());
  out.push_back(decreases.Take());
  auto interval_family = interval.Take();
  if (!interval_family.metric.empty()) out.push_back(std::move(interval_family));
  out.push_back(staleness.Take());
  SelfFamily dropped("akash_exporter_series_dropped_total",
                     "Series a source left out because of a cardinality cap.",
                     MetricType::Counter);
  for (const auto& [src, n] : dropped_by_source) dropped.Add({{"source", src}}, static_cast<double>(n));
  auto dropped_family = dropped.Take();
  if (!dropped_family.metric.empty()) out.push_back(std::move(dropped_family));

  const auto reload = store.reload_state();
  SelfFamily reload_ok("akash_exporter_config_last_reload_successful",
                       "1 when the last configuration reload succeeded (or none was attempted).",
                       MetricType::Gauge);
  reload_ok.Add({}, reload.last_successful ? 1 : 0);
  out.push_back(reload_ok.Take());
  SelfFamily reload_ts("akash_exporter_config_last_reload_success_timestamp_seconds",
                       "Unix time the configuration was last loaded successfully.",
                       MetricType::Gauge);
  reload_ts.Add({}, Seconds(reload.last_success));
  out.push_back(reload_ts.Take());
}

// Hands memory freed by a render back to the system, so a large body rendered once does not
// stay in RSS. glibc keeps freed memory in its arenas otherwise.
void ReleaseFreeMemory() {
#if defined(AKASH_GLIBC_MALLOC)
  malloc_trim(0);
#endif
}

}  // namespace

void ConfigureAllocator() {
#if defined(AKASH_GLIBC_MALLOC)
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // A chain page's parse tree (a few MiB) is freed last and would be handed back and faulted
  // in again for every page of a crawl; keeping up to 8 MiB free at the heap top avoids that.
  // The renderer's malloc_trim(0) after each poll still returns it. (Measured with 100k
  // leases: first crawl 3.0 s CPU, 4.7 s with glibc's defaults. A 4 MiB mmap threshold would
  // make it 2.3 s, as response bodies would reuse heap pages, but scrapes at 10k series then
  // left 1.33x the RSS at rest instead of 1.19x; docs/BENCHMARKS.md.)
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 8 << 20);
#endif
}

BuildInfo CurrentBuildInfo() {
  BuildInfo b;
  b.version = AKASH_VERSION;
  b.revision = AKASH_REVISION;
#if defined(__clang__)
  b.compiler = "clang-" __clang_version__;
#elif defined(__GNUC__)
  b.compiler = "gcc-" __VERSION__;
#else
  b.compiler = "unknown";
#endif
  return b;
}

Exposition::Exposition(Store& store, ExpositionOptions options)
    : store_(store), options_(std::move(options)) {
  if (!options_.background_render) return;
  store_.SetChangeListener([this] {
    // Under the store's mutex: only flag and wake (RenderNow never holds bg_mu_ while it reads
    // the store, so the lock order store → bg_mu_ is the only one).
    std::lock_guard lock(bg_mu_);
    bg_requested_ = true;
    bg_cv_.notify_one();
  });
  renderer_ = std::thread([this] { RendererLoop(); });
}

Exposition::~Exposition() {
  if (!renderer_.joinable()) return;
  store_.SetChangeListener(nullptr);
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
    bg_cv_.notify_all();
  }
  renderer_.join();
}

Families Exposition::Collect() const {
  const auto statuses = store_.Statuses();
  // Merge families of the same name across sources (e.g. several providers).
  std::map<std::string, MetricFamily> merged;
  for (const auto& s : statuses) {
    if (!s.snapshot) continue;  // never succeeded, or withdrawn after max_staleness
    for (const auto& f : *s.snapshot) {
      auto [it, inserted] = merged.try_emplace(f.name, f);
      if (!inserted) {
        it->second.metric.insert(it->second.metric.end(), f.metric.begin(), f.metric.end());
      }
    }
  }
  Families out;
  out.reserve(merged.size() + 16);
  for (auto& [name, f] : merged) out.push_back(std::move(f));
  AppendSelfFamilies(store_, options_.build, statuses, out);
  if (options_.exporter_metrics) AppendProcessFamilies(out);
  std::stable_sort(out.begin(), out.end(),
                   [](const MetricFamily& a, const MetricFamily& b) { return a.name < b.name; });
  return out;
}

std::string Exposition::Render() const {
  std::string body;
  {
    std::lock_guard lock(mu_);
    // The previous body's size plus room for a little growth: one allocation, little slack.
    body.reserve(last_size_ + last_size_ / 32 + 4096);
  }
  RenderInto(body, nullptr);
  {
    std::lock_guard lock(mu_);
    last_size_ = body.size();
  }
  if (body.capacity() > body.size() + body.size() / 16 + 4096) body.shrink_to_fit();
  return body;
}

void Exposition::RenderInto(std::string& buf,
                            const std::function<void(std::string&)>& flush) const {
  constexpr std::size_t kFlushBytes = 256 * 1024;
  const auto statuses = store_.Statuses();
  Families own;  // self and process families: small, built per render
  AppendSelfFamilies(store_, options_.build, statuses, own);
  if (options_.exporter_metrics) AppendProcessFamilies(own);
  // Every family by name, pointing into the snapshots (which the statuses keep alive): the
  // series are written from where they are, never copied. A name's HELP and TYPE come from its
  // first part, in the order sources are listed (as Collect() merges them).
  std::map<std::string_view, std::vector<const MetricFamily*>> by_name;
  for (const auto& s : statuses) {
    if (!s.snapshot) continue;
    for (const auto& f : *s.snapshot) by_name[f.name].push_back(&f);
  }
  for (const auto& f : own) by_name[f.name].push_back(&f);
  for (const auto& [name, parts] : by_name) {
    AppendFamilyHeader(buf, *parts.front());
    for (const MetricFamily* part : parts) {
      AppendSamples(buf, *part);
      if (flush && buf.size() >= kFlushBytes) flush(buf);
    }
  }
  if (flush) flush(buf);
}

std::shared_ptr<const Exposition::Rendered> Exposition::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

void Exposition::Publish(std::shared_ptr<const Rendered> r) {
  std::lock_guard lock(mu_);
  current_ = std::move(r);
  ++renders_;
}

std::shared_ptr<const Exposition::Rendered> Exposition::RenderNow(bool with_plain,
                                                                  bool with_gzip) {
  if (options_.on_render) options_.on_render();
  auto r = std::make_shared<Rendered>();
  // The generation is read before the statuses, so a change during the render makes the
  // result look outdated (and rendered again) rather than current.
  r->generation = store_.generation();
  r->at = store_.clock().Steady();
  if (with_plain) {
    r->plain = std::make_shared<const std::string>(Render());
    if (with_gzip) r->gzip = std::make_shared<const std::string>(Gzip(*r->plain));
  } else if (with_gzip) {
    // gzip alone: the text goes through zlib a piece at a time and is never whole in memory.
    GzipWriter writer;
    std::string piece;
    piece.reserve(288 * 1024);
    RenderInto(piece, [&writer](std::string& buf) {
      writer.Add(buf);
      buf.clear();
    });
    r->gzip = std::make_shared<const std::string>(writer.Finish());
  }
  return r;
}

bool Exposition::Outdated(const std::shared_ptr<const Rendered>& r) const {
  return !r || r->generation != store_.generation() ||
         store_.clock().Steady() - r->at > options_.max_cache_age;
}

void Exposition::NoteRequest(bool gzip) {
  const std::int64_t now = store_.clock().Steady().time_since_epoch().count();
  (gzip ? last_gzip_request_ : last_plain_request_).store(now, std::memory_order_relaxed);
}

bool Exposition::Wanted(bool gzip) const {
  const std::int64_t at =
      (gzip ? last_gzip_request_ : last_plain_request_).load(std::memory_order_relaxed);
  if (at == kNever) return false;
  const auto now = store_.clock().Steady().time_since_epoch();
  return now - std::chrono::steady_clock::duration(at) <= options_.format_idle;
}

std::shared_ptr<const std::string> Exposition::GetBackground(bool gzip) {
  const auto body_of = [gzip](const std::shared_ptr<const Rendered>& r) {
    return !r ? nullptr : gzip ? r->gzip : r->plain;
  };
  auto cur = Current();
  if (auto body = body_of(cur)) {
    if (Outdated(cur)) RequestRender();
    return body;
  }
  // No body of this format: the first request for it, or the first after format_idle. Render it
  // here, once (concurrent requests for it wait for this one, not for the renderer).
  std::lock_guard demand(demand_mu_);
  cur = Current();
  if (auto body = body_of(cur)) return body;
  std::shared_ptr<Rendered> made;
  if (gzip && cur && cur->plain) {
    made = std::make_shared<Rendered>(*cur);  // the same render, now with its gzip form
    made->gzip = std::make_shared<const std::string>(Gzip(*cur->plain));
  } else {
    auto fresh = RenderNow(!gzip, gzip);
    made = std::make_shared<Rendered>(*fresh);
    // Keep the other format's body; the renderer brings both up to date next.
    if (cur) (gzip ? made->plain : made->gzip) = gzip ? cur->plain : cur->gzip;
    RequestRender();
  }
  std::shared_ptr<const std::string> body = body_of(made);
  ReleaseFreeMemory();  // the render's temporaries, freed on this server thread's arena
  {
    std::lock_guard lock(mu_);
    // The renderer may have published meanwhile; never replace a newer render with this one.
    if (current_ && current_->generation > made->generation && body_of(current_)) {
      return body_of(current_);
    }
    current_ = made;
    ++renders_;
  }
  return body;
}

std::shared_ptr<const std::string> Exposition::Get(bool gzip) {
  if (options_.background_render) {
    NoteRequest(gzip);
    return GetBackground(gzip);
  }
  auto cur = Current();
  if (Outdated(cur)) {
    std::lock_guard render(render_mu_);
    cur = Current();
    if (Outdated(cur)) {
      Publish(RenderNow(true, false));  // gzip is made on first demand
      cur = Current();
    }
  }
  if (!gzip) return cur->plain;
  if (cur->gzip) return cur->gzip;
  std::lock_guard render(render_mu_);
  cur = Current();
  if (!cur->gzip) {
    auto with = std::make_shared<Rendered>(*cur);
    with->gzip = std::make_shared<const std::string>(Gzip(*cur->plain));
    std::lock_guard lock(mu_);
    current_ = with;  // the same render, now with its gzip form
    cur = current_;
  }
  return cur->gzip;
}

void Exposition::RequestRender() {
  std::lock_guard lock(bg_mu_);
  bg_requested_ = true;
  bg_cv_.notify_one();
}

void Exposition::RendererLoop() {
  std::unique_lock lock(bg_mu_);
  for (;;) {
    bg_cv_.wait(lock, [this] { return bg_requested_ || bg_stop_; });
    if (bg_stop_) return;
    // Let a burst of changes (a poll records its attempt, requests and result) settle first.
    bg_cv_.wait_for(lock, options_.coalesce, [this] { return bg_stop_; });
    if (bg_stop_) return;
    bg_requested_ = false;
    ++bg_started_;
    lock.unlock();
    {
      std::lock_guard render(render_mu_);
      // Only the formats someone asked for lately; none drops both bodies (an idle exporter
      // holds its snapshots only).
      Publish(RenderNow(Wanted(false), Wanted(true)));
    }
    ReleaseFreeMemory();
    lock.lock();
    ++bg_finished_;
    bg_cv_.notify_all();
  }
}

void Exposition::WaitForRender() {
  if (!options_.background_render) return;
  std::unique_lock lock(bg_mu_);
  // A render that began after this call: the one after the current, if one is running.
  const std::uint64_t target = bg_started_ + 1;
  bg_requested_ = true;
  bg_cv_.notify_all();
  bg_cv_.wait(lock, [&] { return bg_finished_ >= target || bg_stop_; });
}

std::uint64_t Exposition::renders() const {
  std::lock_guard lock(mu_);
  return renders_;
}

std::size_t Exposition::held_bytes() const {
  const auto cur = Current();
  if (!cur) return 0;
  return (cur->plain ? cur->plain->capacity() : 0) + (cur->gzip ? cur->gzip->capacity() : 0);
}

struct GzipWriter::State {
  z_stream zs{};
  std::string out;
  bool finished = false;
};

GzipWriter::GzipWriter(int level) : state_(std::make_unique<State>()) {
  if (deflateInit2(&state_->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
}

GzipWriter::~GzipWriter() { deflateEnd(&state_->zs); }

void GzipWriter::Deflate(std::string_view data, int flush) {
  z_stream& zs = state_->zs;
  std::string& out = state_->out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  for (;;) {
    if (out.size() - zs.total_out < 16 * 1024) {
      // Text exposition compresses about tenfold: grow by half, at least 64 KiB.
      out.resize(out.size() + std::max<std::size_t>(64 * 1024, out.size() / 2));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    const int rc = deflate(&zs, flush);
    if (rc == Z_STREAM_END) return;
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::runtime_error("deflate failed");
    if (flush == Z_NO_FLUSH && zs.avail_in == 0) return;
  }
}

void GzipWriter::Add(std::string_view data) {
  if (state_->finished) throw std::logic_error("GzipWriter::Add after Finish");
  // zlib counts input in uInt: feed huge inputs in pieces.
  constexpr std::size_t kMax = 1u << 30;
  while (data.size() > kMax) {
    Deflate(data.substr(0, kMax), Z_NO_FLUSH);
    data.remove_prefix(kMax);
  }
  Deflate(data, Z_NO_FLUSH);
}

std::string GzipWriter::Finish() {
  if (state_->finished) throw std::logic_error("GzipWriter::Finish called twice");
  Deflate({}, Z_FINISH);
  state_->finished = true;
  std::string out = std::move(state_->out);
  out.resize(state_->zs.total_out);
  out.shrink_to_fit();
  return out;
}

std::string Gzip(std::string_view data, int level) {
  GzipWriter writer(level);
  writer.Add(data);
  return writer.Finish();
}

bool AcceptsGzip(std::string_view header) {
  // Tokens are comma-separated, each "coding[;q=value]"; q=0 means "not acceptable".
  std::size_t pos = 0;
  while (pos <= header.size()) {
    auto end = header.find(',', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view token = header.substr(pos, end - pos);
    pos = end + 1;
    auto trim = [](std::string_view s) {
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
      return s;
    };
    std::string_view coding = token;
    std::string_view params;
    if (auto semi = token.find(';'); semi != std::string_view::npos) {
      coding = token.substr(0, semi);
      params = token.substr(semi + 1);
    }
    coding = trim(coding);
    std::string lower(coding);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "gzip" && lower != "x-gzip" && lower != "*") continue;
    params = trim(params);
    if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
      const std::string q(trim(params.substr(2)));
      try {
        if (std::stod(q) <= 0) return false;
      } catch (...) {
        return false;
      }
    }
    return true;
  }
  return false;
}

}  // namespace akash::metrics
