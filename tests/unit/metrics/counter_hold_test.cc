#include "exporter/metrics/counter_hold.h"

#include <gtest/gtest.h>

#include <cmath>

namespace akash::metrics {
namespace {

prometheus::MetricFamily Family(const std::string& name, prometheus::MetricType type,
                                std::vector<std::pair<std::string, double>> series) {
  prometheus::MetricFamily f;
  f.name = name;
  f.type = type;
  for (const auto& [provider, v] : series) {
    prometheus::ClientMetric m;
    m.label.push_back({"provider", provider});
    if (type == prometheus::MetricType::Counter) {
      m.counter.value = v;
    } else {
      m.gauge.value = v;
    }
    f.metric.push_back(m);
  }
  return f;
}

double CounterOf(const Families& fs, std::size_t f, std::size_t m) {
  return fs[f].metric[m].counter.value;
}

class CounterHoldTest : public ::testing::Test {
 protected:
  std::uint64_t Poll(Families& fs) { return HoldCounters(state_, fs); }
  core::SourceState state_{"provider_dashboard", "a"};
};

TEST_F(CounterHoldTest, ALowerAnswerKeepsTheHighWaterMarkAndCountsOneDecrease) {
  Families first = {Family("x_total", prometheus::MetricType::Counter, {{"a", 100}})};
  EXPECT_EQ(Poll(first), 0u);
  EXPECT_EQ(CounterOf(first, 0, 0), 100);

  // A revaluation: the upstream's lifetime total comes back a day's worth lower.
  Families revalued = {Family("x_total", prometheus::MetricType::Counter, {{"a", 88.5}})};
  EXPECT_EQ(Poll(revalued), 1u);
  EXPECT_EQ(CounterOf(revalued, 0, 0), 100);

  // Still below: held again, and counted again.
  Families still = {Family("x_total", prometheus::MetricType::Counter, {{"a", 99.9}})};
  EXPECT_EQ(Poll(still), 1u);
  EXPECT_EQ(CounterOf(still, 0, 0), 100);

  // Once the upstream passes the mark, the counter moves with it.
  Families passed = {Family("x_total", prometheus::MetricType::Counter, {{"a", 100.25}})};
  EXPECT_EQ(Poll(passed), 0u);
  EXPECT_EQ(CounterOf(passed, 0, 0), 100.25);
  EXPECT_EQ(state_.HighWater("x_total{provider=\"a\"}"), 100.25);
}

TEST_F(CounterHoldTest, EqualValuesAreNotADecrease) {
  Families a = {Family("x_total", prometheus::MetricType::Counter, {{"a", 5}})};
  Poll(a);
  Families b = {Family("x_total", prometheus::MetricType::Counter, {{"a", 5}})};
  state_.MarkClean();
  EXPECT_EQ(Poll(b), 0u);
  EXPECT_FALSE(state_.dirty());  // nothing to write when nothing moved
}

TEST_F(CounterHoldTest, GaugesAreNeverHeld) {
  Families a = {Family("leases", prometheus::MetricType::Gauge, {{"a", 10}})};
  Poll(a);
  Families b = {Family("leases", prometheus::MetricType::Gauge, {{"a", 3}})};
  EXPECT_EQ(Poll(b), 0u);
  EXPECT_EQ(b[0].metric[0].gauge.value, 3);
  EXPECT_FALSE(state_.HighWater("leases{provider=\"a\"}").has_value());
}

TEST_F(CounterHoldTest, EverySeriesIsHeldOnItsOwn) {
  Families a = {Family("x_total", prometheus::MetricType::Counter, {{"a", 10}, {"b", 20}}),
                Family("y_total", prometheus::MetricType::Counter, {{"a", 30}})};
  Poll(a);
  Families b = {Family("x_total", prometheus::MetricType::Counter, {{"a", 11}, {"b", 19}}),
                Family("y_total", prometheus::MetricType::Counter, {{"a", 29}})};
  EXPECT_EQ(Poll(b), 2u);
  EXPECT_EQ(CounterOf(b, 0, 0), 11);
  EXPECT_EQ(CounterOf(b, 0, 1), 20);
  EXPECT_EQ(CounterOf(b, 1, 0), 30);
}

TEST_F(CounterHoldTest, NanIsNeitherHeldNorAHighWaterMark) {
  Families a = {Family("x_total", prometheus::MetricType::Counter, {{"a", 10}})};
  Poll(a);
  Families b = {Family("x_total", prometheus::MetricType::Counter, {{"a", std::nan("")}})};
  EXPECT_EQ(Poll(b), 0u);
  EXPECT_EQ(state_.HighWater("x_total{provider=\"a\"}"), 10);
}

TEST(SeriesKeyTest, SortsLabelsAndEscapesValues) {
  prometheus::ClientMetric m;
  m.label.push_back({"z", "1"});
  m.label.push_back({"a", "q\"uo\\te\n"});
  EXPECT_EQ(SeriesKey("x_total", m), "x_total{a=\"q\\\"uo\\\\te\\n\",z=\"1\"}");
  prometheus::ClientMetric n;
  n.label.push_back({"a", "1\",z=\"1"});
  EXPECT_NE(SeriesKey("x_total", n), SeriesKey("x_total", m));
}

}  // namespace
}  // namespace akash::metrics
