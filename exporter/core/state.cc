#include "exporter/core/state.h"

#include <utility>

namespace akash::core {

SourceState::SourceState(std::string source, std::string target)
    : source_(std::move(source)), target_(std::move(target)) {}

std::optional<std::string> SourceState::Get(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = contents_.blobs.find(name);
  if (it == contents_.blobs.end()) return std::nullopt;
  return it->second;
}

void SourceState::Put(std::string_view name, std::string value) {
  std::lock_guard lock(mu_);
  auto it = contents_.blobs.find(name);
  if (it != contents_.blobs.end()) {
    if (it->second == value) return;
    it->second = std::move(value);
  } else {
    contents_.blobs.emplace(std::string(name), std::move(value));
  }
  dirty_ = true;
}

void SourceState::Erase(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = contents_.blobs.find(name);
  if (it == contents_.blobs.end()) return;
  contents_.blobs.erase(it);
  dirty_ = true;
}

std::optional<double> SourceState::HighWater(std::string_view series) const {
  std::lock_guard lock(mu_);
  auto it = contents_.high_water.find(series);
  if (it == contents_.high_water.end()) return std::nullopt;
  return it->second;
}

void SourceState::SetHighWater(std::string_view series, double value) {
  std::lock_guard lock(mu_);
  auto it = contents_.high_water.find(series);
  if (it != contents_.high_water.end()) {
    if (it->second == value) return;
    it->second = value;
  } else {
    contents_.high_water.emplace(std::string(series), value);
  }
  dirty_ = true;
}

bool SourceState::dirty() const {
  std::lock_guard lock(mu_);
  return dirty_;
}

void SourceState::MarkClean() {
  std::lock_guard lock(mu_);
  dirty_ = false;
}

SourceState::Contents SourceState::Snapshot() const {
  std::lock_guard lock(mu_);
  return contents_;
}

void SourceState::Restore(Contents contents) {
  std::lock_guard lock(mu_);
  contents_ = std::move(contents);
  dirty_ = false;
}

StateStore::StateStore(std::string dir) : dir_(std::move(dir)) {}
StateStore::~StateStore() = default;

SourceState* StateStore::For(const std::string& source, const std::string& target) {
  std::lock_guard lock(mu_);
  auto& slot = states_[{source, target}];
  if (!slot) slot = std::make_unique<SourceState>(source, target);
  return slot.get();
}

bool StateStore::Persist(SourceState& state) {
  // Persistence lands with --storage.path; until then the store is memory only.
  state.MarkClean();
  return true;
}

std::string StateStore::PathFor(const std::string& source, const std::string& target) const {
  return dir_ + "/" + source + "-" + target + ".json";
}

}  // namespace akash::core
