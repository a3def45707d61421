#include "exporter/metrics/store.h"

#include <gtest/gtest.h>

#include <thread>

namespace akash::metrics {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const Families> OneGauge(const std::string& name, double v) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = "h";
  f.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric m;
  m.gauge.value = v;
  f.metric.push_back(m);
  return std::make_shared<const Families>(Families{f});
}

class StoreTest : public ::testing::Test {
 protected:
  core::ManualClock clock_{std::chrono::system_clock::time_point{1'700'000'000s}};
  Store store_{clock_};
  SourceKey key_{"market", ""};
};

TEST_F(StoreTest, NewSlotIsDownAndNotReady) {
  store_.Configure({{key_, 60s}});
  auto st = store_.Statuses();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_FALSE(st[0].up);
  EXPECT_TRUE(st[0].stale);
  EXPECT_EQ(st[0].snapshot, nullptr);
  EXPECT_FALSE(store_.AllSucceededOnce());
}

TEST_F(StoreTest, SuccessPublishesSnapshotAndBumpsGeneration) {
  store_.Configure({{key_, 60s}});
  const auto g0 = store_.generation();
  store_.PublishSuccess(key_, OneGauge("x", 1), 0, 0.5s);
  EXPECT_GT(store_.generation(), g0);
  auto st = store_.Statuses();
  EXPECT_TRUE(st[0].up);
  ASSERT_NE(st[0].snapshot, nullptr);
  EXPECT_EQ((*st[0].snapshot)[0].metric[0].gauge.value, 1);
  EXPECT_DOUBLE_EQ(st[0].poll_duration_seconds, 0.5);
  EXPECT_TRUE(store_.AllSucceededOnce());
}

TEST_F(StoreTest, FailureKeepsLastGoodDataUntilMaxStaleness) {
  store_.Configure({{key_, 60s}});
  store_.PublishSuccess(key_, OneGauge("x", 7), 0, 0.1s);
  clock_.Advance(30s);
  store_.PublishFailure(key_, core::Error{core::ErrorReason::kHttp5xx, "boom", std::nullopt}, 1s);
  auto st = store_.Statuses();
  EXPECT_FALSE(st[0].up);
  EXPECT_FALSE(st[0].stale);
  ASSERT_NE(st[0].snapshot, nullptr) << "last good data must survive a failed poll";
  EXPECT_EQ(st[0].errors_by_reason[static_cast<size_t>(core::ErrorReason::kHttp5xx)], 1u);
  EXPECT_EQ(st[0].last_error, "boom");
  clock_.Advance(31s);  // 61 s after the success: past max_staleness
  st = store_.Statuses();
  EXPECT_TRUE(st[0].stale);
  EXPECT_EQ(st[0].snapshot, nullptr) << "stale data must be withdrawn";
}

TEST_F(StoreTest, SnapshotSwapLeavesOldReadersIntact) {
  store_.Configure({{key_, 60s}});
  store_.PublishSuccess(key_, OneGauge("x", 1), 0, 0s);
  auto held = store_.Statuses()[0].snapshot;
  store_.PublishSuccess(key_, OneGauge("x", 2), 0, 0s);
  EXPECT_EQ((*held)[0].metric[0].gauge.value, 1) << "a reader keeps the snapshot it took";
  EXPECT_EQ((*store_.Statuses()[0].snapshot)[0].metric[0].gauge.value, 2);
}

TEST_F(StoreTest, ReconfigureKeepsExistingSlotsAndDropsRemoved) {
  SourceKey other{"provider_dashboard", "akash1x"};
  store_.Configure({{key_, 60s}, {other, 60s}});
  store_.PublishSuccess(key_, OneGauge("x", 1), 2, 0s);
  store_.RecordRequest(key_, "200");
  store_.Configure({{key_, 120s}});
  auto st = store_.Statuses();
  ASSERT_EQ(st.size(), 1u);
  EXPECT_NE(st[0].snapshot, nullptr);
  EXPECT_EQ(st[0].requests_by_code.at("200"), 1u);
  EXPECT_EQ(st[0].series_dropped, 2u);
  EXPECT_EQ(st[0].max_staleness, 120s);
}

TEST_F(StoreTest, PublishToRemovedSlotIsIgnored) {
  store_.Configure({});
  store_.PublishSuccess(key_, OneGauge("x", 1), 0, 0s);
  EXPECT_TRUE(store_.Statuses().empty());
  EXPECT_TRUE(store_.AllSucceededOnce());
}

TEST_F(StoreTest, ReloadState) {
  clock_.Advance(10s);
  store_.RecordReload(false);
  EXPECT_FALSE(store_.reload_state().last_successful);
  store_.RecordReload(true);
  EXPECT_TRUE(store_.reload_state().last_successful);
  EXPECT_EQ(*store_.reload_state().last_success, clock_.Now());
}

TEST_F(StoreTest, ConcurrentPublishAndRead) {
  store_.Configure({{key_, 60s}});
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) store_.PublishSuccess(key_, OneGauge("x", i), 0, 0s);
    stop = true;
  });
  double last = -1;
  while (!stop) {
    auto snap = store_.Statuses()[0].snapshot;
    if (snap) {
      const double v = (*snap)[0].metric[0].gauge.value;
      EXPECT_GE(v, last) << "snapshots are published in order";
      last = v;
    }
  }
  writer.join();
  EXPECT_EQ((*store_.Statuses()[0].snapshot)[0].metric[0].gauge.value, 1999);
}

}  // namespace
}  // namespace akash::metrics
