#include "exporter/metrics/store.h"

namespace akash::metrics {

Store::Store(const core::Clock& clock) : clock_(clock) {
  reload_.last_success = clock_.Now();
}

void Store::Bump() {
  ++generation_;
  if (listener_) listener_();
}

void Store::SetChangeListener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

Store::Slot* Store::Find(const SourceKey& key) {
  auto it = slots_.find(key);
  return it == slots_.end() ? nullptr : &it->second;
}

void Store::Configure(const std::map<SourceKey, SlotSettings>& wanted) {
  std::lock_guard lock(mu_);
  for (auto it = slots_.begin(); it != slots_.end();) {
    it = wanted.count(it->first) ? std::next(it) : slots_.erase(it);
  }
  for (const auto& [key, settings] : wanted) {
    Slot& slot = slots_[key];
    slot.status.key = key;
    slot.status.max_staleness = settings.max_staleness;
    slot.status.interval = settings.interval;
  }
  Bump();
}

void Store::RecordAttemptStart(const SourceKey& key) {
  std::lock_guard lock(mu_);
  if (Slot* s = Find(key)) {
    s->status.last_attempt = clock_.Now();
    Bump();
  }
}

void Store::RecordRequest(const SourceKey& key, const std::string& code) {
  std::lock_guard lock(mu_);
  if (Slot* s = Find(key)) {
    ++s->status.requests_by_code[code];
    Bump();
  }
}

void Store::PublishSuccess(const SourceKey& key, std::shared_ptr<const Families> families,
                           std::uint64_t series_dropped,
                           std::chrono::duration<double> poll_duration,
                           std::uint64_t upstream_decreases, std::string note) {
  std::lock_guard lock(mu_);
  Slot* s = Find(key);
  if (!s) return;  // the slot was removed by a reload while this poll ran
  SourceStatus& st = s->status;
  st.snapshot = std::move(families);
  st.note = std::move(note);
  st.up = true;
  st.last_success = clock_.Now();
  st.poll_duration_seconds = poll_duration.count();
  st.series_dropped += series_dropped;
  st.upstream_decreases += upstream_decreases;
  st.last_error_reason.reset();
  st.last_error.clear();
  s->ever_succeeded = true;
  s->last_success_steady = clock_.Steady();
  Bump();
}

void Store::PublishFailure(const SourceKey& key, const core::Error& error,
                           std::chrono::duration<double> poll_duration) {
  std::lock_guard lock(mu_);
  Slot* s = Find(key);
  if (!s) return;
  SourceStatus& st = s->status;
  st.up = false;
  st.poll_duration_seconds = poll_duration.count();
  ++st.errors_by_reason[static_cast<std::size_t>(error.reason)];
  st.last_error_reason = error.reason;
  st.last_error = error.message;
  Bump();
}

void Store::RecordReload(bool ok) {
  std::lock_guard lock(mu_);
  reload_.last_successful = ok;
  if (ok) reload_.last_success = clock_.Now();
  Bump();
}

std::vector<SourceStatus> Store::Statuses() const {
  const auto now_steady = clock_.Steady();
  std::lock_guard lock(mu_);
  std::vector<SourceStatus> out;
  out.reserve(slots_.size());
  for (const auto& [key, s] : slots_) {
    SourceStatus st = s.status;
    st.stale = !s.last_success_steady ||
               now_steady - *s.last_success_steady > s.status.max_staleness;
    if (st.stale) st.snapshot.reset();
    out.push_back(std::move(st));
  }
  return out;
}

bool Store::AllSucceededOnce() const {
  std::lock_guard lock(mu_);
  for (const auto& [key, s] : slots_) {
    if (!s.ever_succeeded) return false;
  }
  return true;
}

std::uint64_t Store::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

Store::ReloadState Store::reload_state() const {
  std::lock_guard lock(mu_);
  return reload_;
}

}  // namespace akash::metrics
