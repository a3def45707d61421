#include "exporter/metrics/counter_hold.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "exporter/core/log.h"

namespace akash::metrics {

std::string SeriesKey(const std::string& name, const prometheus::ClientMetric& metric) {
  std::vector<const prometheus::ClientMetric::Label*> labels;
  labels.reserve(metric.label.size());
  for (const auto& l : metric.label) labels.push_back(&l);
  std::sort(labels.begin(), labels.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  std::string key = name;
  key += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) key += ',';
    key += labels[i]->name;
    key += "=\"";
    // Escaped as in the text format, so two label sets can never produce the same key.
    for (char c : labels[i]->value) {
      if (c == '\\' || c == '"') key += '\\';
      if (c == '\n') {
        key += "\\n";
        continue;
      }
      key += c;
    }
    key += '"';
  }
  key += '}';
  return key;
}

std::uint64_t HoldCounters(core::SourceState& state, Families& families) {
  std::uint64_t decreases = 0;
  for (auto& family : families) {
    if (family.type != prometheus::MetricType::Counter) continue;
    for (auto& metric : family.metric) {
      double& value = metric.counter.value;
      if (std::isnan(value)) continue;  // never a high-water mark
      const std::string key = SeriesKey(family.name, metric);
      const auto high = state.HighWater(key);
      if (high && value < *high) {
        ++decreases;
        core::LogInfo("upstream total came back lower; the counter holds its value",
                       {{"source", state.source()},
                        {"target", state.target()},
                        {"series", key},
                        {"held", std::to_string(*high)},
                        {"upstream", std::to_string(value)}});
        value = *high;
      } else if (!high || value > *high) {
        state.SetHighWater(key, value);
      }
    }
  }
  return decreases;
}

}  // namespace akash::metrics
