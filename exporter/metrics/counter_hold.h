#pragma once
// The counter hold rule (metrics.md "Precise semantics"): a lifetime counter built from an
// upstream's running total never goes backwards. Upstreams recompute those totals on every
// request and revalue past days, so an answer can come back lower than what was already
// exported; exporting it would be a counter reset, and Prometheus' increase() would then count
// the whole lifetime again.
//
// HoldCounters applies the rule to every counter family a source publishes, in one place for
// every source: each series exports max(high-water mark, upstream value); a lower answer keeps
// the high-water mark and counts as one upstream decrease. High-water marks live in the
// source's core::SourceState, so they survive reloads and, with --storage.path, restarts.
//
// Thread-safety: call for one SourceState at a time (the scheduler's per-source poll).

#include <cstdint>
#include <string>

#include "exporter/core/state.h"
#include "exporter/metrics/store.h"

namespace akash::metrics {

// Rewrites the counter values of `families` in place and returns how many series came back
// lower than their high-water mark. Gauges are left alone.
std::uint64_t HoldCounters(core::SourceState& state, Families& families);

// The key a series is held under: `name{label="value",...}` with labels sorted by name.
std::string SeriesKey(const std::string& name, const prometheus::ClientMetric& metric);

}  // namespace akash::metrics
