#pragma once
// The poll engine: one Boost.Asio timer per (source, target), polls run on a worker pool,
// results go to the metrics Store. Scrapes never wait on any of this.
//
// Each job polls at its interval (drift-free), backs off after failures (backoff.h), honours
// Retry-After, and never overlaps with itself. One catch-all per poll turns anything that
// escapes a collector into a `parse` error and source_up 0; the daemon keeps running.
//
// Each job polls with its source's core::SourceState (caches and counter high-water marks). After
// a poll, every counter family of the output goes through metrics::HoldCounters, and the state is
// persisted (when the StateStore has a directory) before the snapshot is published, so a value
// Prometheus can see is always in the state file already.
//
// Replace() swaps the whole job set (config reload): old jobs are cancelled and their
// in-flight transfers aborted; their results are discarded. Stop() aborts everything and
// returns once every worker is idle, which takes about as long as the slowest abort (~100 ms).
//
// Thread-safety: Start/Replace/Stop are called from one control thread (the app's).

#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "collectors/source.h"
#include "exporter/core/clock.h"
#include "exporter/core/config.h"
#include "exporter/core/facts.h"
#include "exporter/core/state.h"
#include "exporter/metrics/store.h"

namespace akash::sched {

struct PollJob {
  std::unique_ptr<collectors::Source> source;
  core::SourceSettings settings;
};

// Makes the transport for one job (a libcurl handle in production, a fake in tests).
using FetcherFactory =
    std::function<std::unique_ptr<core::Fetcher>(const core::SourceSettings& settings)>;

class Scheduler {
 public:
  Scheduler(metrics::Store& store, core::SharedFacts& facts, const core::Clock& clock,
            FetcherFactory fetcher_factory, int worker_threads = 8,
            std::chrono::milliseconds first_retry_delay = std::chrono::milliseconds{1000},
            core::StateStore* state_store = nullptr);  // null: a memory-only store of its own
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Replace(std::vector<PollJob> jobs);
  void Stop();

 private:
  struct Job;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace akash::sched
