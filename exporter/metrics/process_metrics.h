#pragma once
// process_* metrics from /proc/self, as the Prometheus client libraries name them.
// Thread-safety: reads /proc on each call; safe from any thread.

#include "exporter/metrics/store.h"

namespace akash::metrics {

void AppendProcessFamilies(Families& out);

}  // namespace akash::metrics
