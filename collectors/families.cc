#include "collectors/families.h"

namespace akash::collectors {

FamilyBuilder::FamilyBuilder(std::string name, std::string help, prometheus::MetricType type) {
  family_.name = std::move(name);
  family_.help = std::move(help);
  family_.type = type;
}

FamilyBuilder& FamilyBuilder::Add(const Labels& labels, double value) {
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back(prometheus::ClientMetric::Label{k, v});
  switch (family_.type) {
    case prometheus::MetricType::Counter: m.counter.value = value; break;
    case prometheus::MetricType::Gauge: m.gauge.value = value; break;
    default: m.untyped.value = value; break;
  }
  family_.metric.push_back(std::move(m));
  return *this;
}

prometheus::MetricFamily FamilyBuilder::Build() && { return std::move(family_); }

prometheus::MetricFamily GaugeFamily(std::string name, std::string help, const Labels& labels,
                                     double value) {
  FamilyBuilder builder(std::move(name), std::move(help), prometheus::MetricType::Gauge);
  builder.Add(labels, value);
  return std::move(builder).Build();
}

prometheus::MetricFamily CounterFamily(std::string name, std::string help, const Labels& labels,
                                       double value) {
  FamilyBuilder builder(std::move(name), std::move(help), prometheus::MetricType::Counter);
  builder.Add(labels, value);
  return std::move(builder).Build();
}

}  // namespace akash::collectors
