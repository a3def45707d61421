#pragma once
// Durable per-source state: what a source must not forget across a config reload or, with
// --storage.path, a restart of the daemon (metrics.md "Precise semantics").
//
// Two kinds of entries, both keyed inside one (source, target) pair:
//   - counter high-water marks, kept by the central counter hold (metrics/counter_hold.h) for
//     every counter family a source publishes; collectors never touch them;
//   - cache blobs, opaque strings a collector writes and reads back (completed earnings days,
//     closed-lease aggregates, a tenant's lifetime walk). A collector chooses its own encoding
//     and must treat a blob it cannot parse as absent (the format may come from an older build).
//
// A SourceState lives as long as the daemon, so a reload (which rebuilds every Source) finds
// its caches again. StateStore persists one file per (source, target) under --storage.path,
// written atomically (temporary file, fsync, rename) after a poll changed something and before
// its snapshot is published, so a value Prometheus has seen is never missing from the file.
//
// Thread-safety: a SourceState is used by one poll at a time (the scheduler never runs a source
// concurrently with itself); its methods also lock, so the store may snapshot it for writing
// from another thread. StateStore methods are safe from any thread.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace akash::core {

class SourceState {
 public:
  SourceState(std::string source, std::string target);

  const std::string& source() const { return source_; }
  const std::string& target() const { return target_; }

  // Cache blobs. Get returns nullopt when the blob was never written (or was dropped because
  // the state file was unreadable).
  std::optional<std::string> Get(std::string_view name) const;
  void Put(std::string_view name, std::string value);
  void Erase(std::string_view name);

  // Counter high-water marks by series key ("name{label=\"v\",...}").
  std::optional<double> HighWater(std::string_view series) const;
  void SetHighWater(std::string_view series, double value);

  // True when something changed since the last MarkClean() (the store writes then).
  bool dirty() const;
  void MarkClean();
  void SetDirty();

  struct Contents {
    std::map<std::string, std::string, std::less<>> blobs;
    std::map<std::string, double, std::less<>> high_water;
  };
  Contents Snapshot() const;
  void Restore(Contents contents);

 private:
  const std::string source_;
  const std::string target_;
  mutable std::mutex mu_;
  Contents contents_;
  bool dirty_ = false;
};

class StateStore {
 public:
  // `dir` empty: memory only (nothing is ever written). Otherwise state files live in `dir`,
  // which is created when missing; an unusable directory is logged and the store works in
  // memory (never fatal).
  explicit StateStore(std::string dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The state of one (source, target), loaded from its file on first use. Never null; the
  // pointer stays valid for the store's lifetime.
  SourceState* For(const std::string& source, const std::string& target);

  // Writes the state of `state` to its file when it is dirty and a directory is configured.
  // Errors are logged (once per file until the next success) and reported as false.
  bool Persist(SourceState& state);

  const std::string& dir() const { return dir_; }

  // The file a (source, target) pair is kept in (for tests and the docs).
  std::string PathFor(const std::string& source, const std::string& target) const;

 private:
  std::string dir_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<SourceState>> states_;
  std::map<std::string, bool> write_failed_;  // path → the last write failed (log once)
};

}  // namespace akash::core
