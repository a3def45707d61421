#pragma once
// Helpers to build prometheus-cpp MetricFamily values for snapshots.
// Thread-safety: value types only.

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace akash::collectors {

using Labels = std::vector<std::pair<std::string, std::string>>;

class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type);
  FamilyBuilder& Add(const Labels& labels, double value);
  prometheus::MetricFamily Build() &&;
  bool empty() const { return family_.metric.empty(); }

 private:
  prometheus::MetricFamily family_;
};

prometheus::MetricFamily GaugeFamily(std::string name, std::string help, const Labels& labels,
                                     double value);
prometheus::MetricFamily CounterFamily(std::string name, std::string help, const Labels& labels,
                                       double value);

}  // namespace akash::collectors
