#pragma once
// The contract between the poll engine and a collector.
//
// A Source is one (source name, target) pair: e.g. provider_dashboard for akash1abc. The
// scheduler calls Poll() on a worker thread, never concurrently for the same Source, and
// publishes the returned families as that source's immutable snapshot. Poll() is pure apart
// from the Fetcher it is handed: it takes bytes and the clock value in PollContext and
// returns metric families, so every collector is testable from fixtures alone.
//
// Errors: Poll() returns an Error (reason from metrics.md) instead of throwing; the scheduler
// still wraps it in a catch-all. A failed poll publishes nothing: the previous snapshot stays
// until it is older than max_staleness.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "exporter/core/config.h"
#include "exporter/core/facts.h"
#include "exporter/core/fetcher.h"
#include "exporter/core/result.h"
#include "exporter/core/state.h"

namespace akash::collectors {

struct PollContext {
  std::chrono::system_clock::time_point now;  // wall clock at the start of the poll
  core::SharedFacts* facts = nullptr;         // never null in production
  // Caches that must survive a reload (and, with --storage.path, a restart): see
  // exporter/core/state.h. Null in unit tests that do not care; a collector then keeps its
  // caches in memory only.
  core::SourceState* state = nullptr;
};

struct PollOutput {
  std::vector<prometheus::MetricFamily> families;
  std::uint64_t series_dropped = 0;  // series cut by a cardinality cap in this poll
  // A short human-readable detail the landing page shows next to the source (e.g. the chain
  // endpoint in use). Never a secret; empty when there is nothing to say.
  std::string note = {};
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& name() const = 0;
  virtual const std::string& target() const = 0;
  virtual core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) = 0;
};

// Builds every Source the config enables (see core::PlanSources), sharing state that must
// survive reloads is not required: caches rebuild on the next polls.
std::vector<std::unique_ptr<Source>> MakeSources(const core::Config& config);

}  // namespace akash::collectors
