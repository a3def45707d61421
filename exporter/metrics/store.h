#pragma once
// The snapshot store: one slot per (source, target) holding the last good snapshot of that
// source and its status, plus the exporter-wide reload state.
//
// Pollers publish whole immutable snapshots (shared_ptr<const ...>), so a scrape copies a few
// pointers under the mutex and renders outside it; the mutex is never held across I/O or a
// render. Every change bumps generation(), which the exposition cache keys on.
//
// Thread-safety: every method is safe from any thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "exporter/core/clock.h"
#include "exporter/core/error.h"

namespace akash::metrics {

struct SourceKey {
  std::string source;
  std::string target;
  friend auto operator<=>(const SourceKey&, const SourceKey&) = default;
};

using Families = std::vector<prometheus::MetricFamily>;

inline constexpr std::size_t kReasonCount = std::size(core::kAllErrorReasons);

// A copy of one slot's status, for the landing page, /-/ready and the self-metrics.
struct SourceStatus {
  SourceKey key;
  bool up = false;
  bool stale = false;  // last success older than max_staleness (or never)
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::optional<std::chrono::system_clock::time_point> last_attempt;
  double poll_duration_seconds = 0;
  std::map<std::string, std::uint64_t> requests_by_code;
  std::array<std::uint64_t, kReasonCount> errors_by_reason{};
  std::uint64_t series_dropped = 0;
  // Times an upstream lifetime total came back lower than its held counter (counter_hold.h).
  std::uint64_t upstream_decreases = 0;
  std::optional<core::ErrorReason> last_error_reason;
  std::string last_error;  // safe to show (never contains secrets)
  std::string note;        // the last successful poll's PollOutput::note (e.g. endpoint in use)
  std::chrono::milliseconds max_staleness{0};
  std::chrono::milliseconds interval{0};  // 0: not known (not exported)
  std::shared_ptr<const Families> snapshot;  // null when withdrawn (stale) or never succeeded
};

// What the store needs to know of a slot's configuration.
struct SlotSettings {
  template <class Rep, class Period>
  SlotSettings(std::chrono::duration<Rep, Period> staleness,  // NOLINT: implicit on purpose
               std::chrono::milliseconds poll_interval = std::chrono::milliseconds{0})
      : max_staleness(std::chrono::duration_cast<std::chrono::milliseconds>(staleness)),
        interval(poll_interval) {}
  std::chrono::milliseconds max_staleness;
  std::chrono::milliseconds interval;
};

class Store {
 public:
  explicit Store(const core::Clock& clock);

  // Makes the store hold exactly these slots: new ones start empty and down, existing ones
  // keep their snapshot and counters (a reload does not blank the metrics), others are dropped.
  void Configure(const std::map<SourceKey, SlotSettings>& slots);

  void RecordAttemptStart(const SourceKey& key);
  void RecordRequest(const SourceKey& key, const std::string& code);
  void PublishSuccess(const SourceKey& key, std::shared_ptr<const Families> families,
                      std::uint64_t series_dropped, std::chrono::duration<double> poll_duration,
                      std::uint64_t upstream_decreases = 0, std::string note = {});
  void PublishFailure(const SourceKey& key, const core::Error& error,
                      std::chrono::duration<double> poll_duration);

  void RecordReload(bool ok);

  std::vector<SourceStatus> Statuses() const;
  // True when every configured slot has succeeded at least once (/-/ready).
  bool AllSucceededOnce() const;
  std::uint64_t generation() const;

  struct ReloadState {
    bool last_successful = true;
    std::optional<std::chrono::system_clock::time_point> last_success;
  };
  ReloadState reload_state() const;

  const core::Clock& clock() const { return clock_; }

  // Called after every change, with the store's mutex held: it must be quick and must not call
  // back into the store (the exposition only wakes its renderer). Null removes it.
  void SetChangeListener(std::function<void()> listener);

 private:
  // A slot is the public status plus what only the store needs; `status.snapshot` holds the
  // last good snapshot even when stale (Statuses() hides it then).
  struct Slot {
    SourceStatus status;
    bool ever_succeeded = false;
    std::optional<std::chrono::steady_clock::time_point> last_success_steady;
  };
  Slot* Find(const SourceKey& key);
  void Bump();  // a change: new generation, listener told

  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::map<SourceKey, Slot> slots_;
  std::uint64_t generation_ = 1;
  ReloadState reload_;
  std::function<void()> listener_;
};

}  // namespace akash::metrics
