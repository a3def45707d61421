#include "exporter/sched/scheduler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <thread>

namespace akash::sched {
namespace {

using namespace std::chrono_literals;

// A source whose behaviour each test scripts; counts polls and checks they never overlap.
class FakeSource : public collectors::Source {
 public:
  FakeSource(std::string name, std::string target) : name_(std::move(name)), target_(std::move(target)) {}
  const std::string& name() const override { return name_; }
  const std::string& target() const override { return target_; }
  core::Result<collectors::PollOutput> Poll(core::Fetcher& fetcher,
                                            const collectors::PollContext&) override {
    if (in_poll_.exchange(true)) overlapped_ = true;
    const int n = ++polls_;
    core::Result<collectors::PollOutput> out = collectors::PollOutput{};
    if (use_fetcher_) {
      auto r = fetcher.Get({});
      if (!r.ok()) out = r.error();
    } else if (throw_on_poll_) {
      in_poll_ = false;
      throw std::runtime_error("collector bug");
    } else if (fail_until_ >= n) {
      out = core::MakeError(core::ErrorReason::kHttp5xx, "down");
    } else {
      prometheus::MetricFamily f;
      f.name = "fake_value";
      f.type = prometheus::MetricType::Gauge;
      prometheus::ClientMetric m;
      m.gauge.value = n;
      f.metric.push_back(m);
      out = collectors::PollOutput{{f}, 0};
    }
    in_poll_ = false;
    return out;
  }

  std::atomic<int> polls_{0};
  std::atomic<bool> overlapped_{false};
  std::atomic<bool> in_poll_{false};
  int fail_until_ = 0;
  bool throw_on_poll_ = false;
  bool use_fetcher_ = false;

 private:
  std::string name_, target_;
};

// Blocks in Get() until aborted: an upstream that never answers.
class HangingFetcher : public core::Fetcher {
 public:
  core::Result<core::Response> Get(const core::Request&) noexcept override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return aborted_; });
    return core::MakeError(core::ErrorReason::kTimeout, "aborted");
  }
  void Abort() noexcept override {
    std::lock_guard lock(mu_);
    aborted_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool aborted_ = false;
};

class NullFetcher : public core::Fetcher {
 public:
  explicit NullFetcher(std::atomic<int>* releases = nullptr) : releases_(releases) {}
  core::Result<core::Response> Get(const core::Request&) noexcept override {
    core::Response r;
    r.status = 200;
    return r;
  }
  void ReleaseConnections() noexcept override {
    if (releases_) ++*releases_;
  }

 private:
  std::atomic<int>* releases_;
};

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

class SchedulerTest : public ::testing::Test {
 protected:
  core::SourceSettings Settings(std::chrono::milliseconds interval) {
    core::SourceSettings s;
    s.interval = interval;
    s.timeout = interval;
    s.max_staleness = 3 * interval;
    return s;
  }
  metrics::SourceStatus StatusOf(const std::string& source) {
    for (auto& s : store_.Statuses()) {
      if (s.key.source == source) return s;
    }
    ADD_FAILURE() << "no slot " << source;
    return {};
  }
  const core::SystemClock& clock_ = core::SystemClock::Instance();
  metrics::Store store_{clock_};
  core::SharedFacts facts_;
};

TEST_F(SchedulerTest, LongIntervalSourcesReleaseTheirConnectionsBetweenPolls) {
  store_.Configure({{{"slow", "t"}, 1h}, {{"fast", "t"}, 1h}});
  std::atomic<int> slow_releases{0};
  std::atomic<int> fast_releases{0};
  Scheduler sched(store_, facts_, clock_, [&](const core::SourceSettings& s) {
    return std::make_unique<NullFetcher>(s.interval >= 30s ? &slow_releases : &fast_releases);
  });
  auto slow = std::make_unique<FakeSource>("slow", "t");
  auto fast = std::make_unique<FakeSource>("fast", "t");
  auto* fast_raw = fast.get();
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(slow), Settings(60s)});
  jobs.push_back({std::move(fast), Settings(20ms)});
  sched.Replace(std::move(jobs));
  ASSERT_TRUE(WaitFor([&] { return slow_releases >= 1 && fast_raw->polls_ >= 3; }));
  sched.Stop();
  EXPECT_EQ(fast_releases, 0) << "a source polled every 20 ms keeps its connection";
}

TEST_F(SchedulerTest, PollsRepeatedlyWithoutOverlapAndPublishes) {
  store_.Configure({{{"fake", "t"}, 1s}});
  auto src = std::make_unique<FakeSource>("fake", "t");
  auto* raw = src.get();
  Scheduler sched(store_, facts_, clock_, [](const core::SourceSettings&) {
    return std::make_unique<NullFetcher>();
  });
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(src), Settings(20ms)});
  sched.Replace(std::move(jobs));
  // Polls are counted when they start; wait for the fifth one to be published.
  ASSERT_TRUE(WaitFor([&] {
    auto st = StatusOf("fake");
    return st.snapshot && (*st.snapshot)[0].metric[0].gauge.value >= 5;
  }));
  const bool overlapped = raw->overlapped_;
  sched.Stop();  // destroys the jobs and their sources: `raw` dangles from here on
  EXPECT_FALSE(overlapped);
  auto st = StatusOf("fake");
  EXPECT_TRUE(st.up);
  ASSERT_NE(st.snapshot, nullptr);
  EXPECT_GE((*st.snapshot)[0].metric[0].gauge.value, 5);
  EXPECT_TRUE(st.last_attempt.has_value());
}

TEST_F(SchedulerTest, FailureMarksDownThenRecoversByItself) {
  store_.Configure({{{"fake", "t"}, 10s}});
  auto src = std::make_unique<FakeSource>("fake", "t");
  src->fail_until_ = 2;  // the first two polls fail
  auto* raw = src.get();
  Scheduler sched(store_, facts_, clock_, [](const core::SourceSettings&) {
    return std::make_unique<NullFetcher>();
  });
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(src), Settings(10ms)});
  sched.Replace(std::move(jobs));
  ASSERT_TRUE(WaitFor([&] { return raw->polls_ >= 1; }));
  ASSERT_TRUE(WaitFor([&] { return StatusOf("fake").errors_by_reason[5] >= 1; }));
  ASSERT_TRUE(WaitFor([&] { return StatusOf("fake").up; }));
  sched.Stop();
  auto st = StatusOf("fake");
  EXPECT_EQ(st.errors_by_reason[static_cast<size_t>(core::ErrorReason::kHttp5xx)], 2u);
  EXPECT_TRUE(st.up);
}

TEST_F(SchedulerTest, ExceptionInCollectorBecomesParseErrorAndDaemonContinues) {
  store_.Configure({{{"fake", "t"}, 10s}});
  auto src = std::make_unique<FakeSource>("fake", "t");
  src->throw_on_poll_ = true;
  Scheduler sched(store_, facts_, clock_, [](const core::SourceSettings&) {
    return std::make_unique<NullFetcher>();
  });
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(src), Settings(10ms)});
  sched.Replace(std::move(jobs));
  ASSERT_TRUE(WaitFor([&] {
    return StatusOf("fake").errors_by_reason[static_cast<size_t>(core::ErrorReason::kParse)] >= 1;
  }));
  EXPECT_FALSE(StatusOf("fake").up);
  EXPECT_NE(StatusOf("fake").last_error.find("collector bug"), std::string::npos);
}

TEST_F(SchedulerTest, StopAbortsAHungPollPromptly) {
  store_.Configure({{{"fake", "t"}, 10s}});
  auto src = std::make_unique<FakeSource>("fake", "t");
  src->use_fetcher_ = true;
  auto* raw = src.get();
  Scheduler sched(store_, facts_, clock_, [](const core::SourceSettings&) {
    return std::make_unique<HangingFetcher>();
  });
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(src), Settings(1h)});
  sched.Replace(std::move(jobs));
  ASSERT_TRUE(WaitFor([&] { return raw->in_poll_.load(); }));
  const auto start = std::chrono::steady_clock::now();
  sched.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(StatusOf("fake").errors_by_reason[0], 0u) << "an aborted poll reports nothing";
}

TEST_F(SchedulerTest, ReplaceCancelsOldJobs) {
  store_.Configure({{{"old", "t"}, 10s}, {{"new", "t"}, 10s}});
  auto old_src = std::make_unique<FakeSource>("old", "t");
  auto* old_raw = old_src.get();
  Scheduler sched(store_, facts_, clock_, [](const core::SourceSettings&) {
    return std::make_unique<NullFetcher>();
  });
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(old_src), Settings(10ms)});
  sched.Replace(std::move(jobs));
  ASSERT_TRUE(WaitFor([&] { return old_raw->polls_ >= 2; }));
  auto new_src = std::make_unique<FakeSource>("new", "t");
  auto* new_raw = new_src.get();
  std::vector<PollJob> jobs2;
  jobs2.push_back({std::move(new_src), Settings(10ms)});
  sched.Replace(std::move(jobs2));  // destroys the old source once its callbacks drain
  ASSERT_TRUE(WaitFor([&] { return new_raw->polls_ >= 3; }));
  sched.Stop();
  EXPECT_TRUE(StatusOf("new").up);
}

}  // namespace
}  // namespace akash::sched

namespace akash::sched {
namespace {

// Publishes a counter from a script of upstream totals and remembers the state it was given.
class CounterSource : public collectors::Source {
 public:
  CounterSource(std::vector<double> script) : script_(std::move(script)) {}
  const std::string& name() const override { return name_; }
  const std::string& target() const override { return target_; }
  core::Result<collectors::PollOutput> Poll(core::Fetcher&,
                                            const collectors::PollContext& ctx) override {
    state_seen_ = ctx.state;
    if (ctx.state) ctx.state->Put("polls", std::to_string(polls_ + 1));
    const std::size_t i = std::min<std::size_t>(polls_, script_.size() - 1);
    ++polls_;
    prometheus::MetricFamily f;
    f.name = "fake_earned_total";
    f.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric m;
    m.label.push_back({"provider", "p"});
    m.counter.value = script_[i];
    f.metric.push_back(m);
    return collectors::PollOutput{{f}, 0};
  }
  std::atomic<std::size_t> polls_{0};
  std::atomic<core::SourceState*> state_seen_{nullptr};

 private:
  std::vector<double> script_;
  std::string name_ = "fake";
  std::string target_ = "t";
};

class SchedulerHoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/akash-sched-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  core::SourceSettings Settings() {
    core::SourceSettings s;
    s.interval = 10ms;
    s.timeout = 10ms;
    s.max_staleness = 10s;
    return s;
  }
  double Published() {
    for (auto& s : store_.Statuses()) {
      if (s.snapshot) return (*s.snapshot)[0].metric[0].counter.value;
    }
    return -1;
  }
  std::string dir_;
  const core::SystemClock& clock_ = core::SystemClock::Instance();
  metrics::Store store_{clock_};
  core::SharedFacts facts_;
};

TEST_F(SchedulerHoldTest, PublishedCountersNeverGoBackAndThePersistedMarkLeadsThem) {
  store_.Configure({{{"fake", "t"}, 10s}});
  core::StateStore states(dir_);
  Scheduler sched(store_, facts_, clock_,
                  [](const core::SourceSettings&) { return std::make_unique<NullFetcher>(); }, 2,
                  10ms, &states);
  auto src = std::make_unique<CounterSource>(std::vector<double>{10, 20, 5, 19, 30});
  auto* raw = src.get();
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(src), Settings()});
  sched.Replace(std::move(jobs));
  double last = 0;
  // Every snapshot a scrape could see is at least the previous one, and never above what the
  // state file holds at that moment.
  ASSERT_TRUE(WaitFor([&] {
    const double v = Published();
    if (v >= 0) {
      EXPECT_GE(v, last);
      last = v;
      const auto on_disk = core::StateStore(dir_).For("fake", "t")->HighWater(
          "fake_earned_total{provider=\"p\"}");
      EXPECT_TRUE(on_disk.has_value());
      if (on_disk) {
        EXPECT_GE(*on_disk, v);
      }
    }
    return raw->polls_ >= 6;
  }));
  sched.Stop();
  EXPECT_EQ(Published(), 30);
  EXPECT_EQ(store_.Statuses()[0].upstream_decreases, 2u);  // 5 and 19 were held at 20
}

TEST_F(SchedulerHoldTest, AReloadHandsTheNewSourceTheSameState) {
  store_.Configure({{{"fake", "t"}, 10s}});
  core::StateStore states("");
  Scheduler sched(store_, facts_, clock_,
                  [](const core::SourceSettings&) { return std::make_unique<NullFetcher>(); }, 2,
                  10ms, &states);
  auto first = std::make_unique<CounterSource>(std::vector<double>{100});
  auto* a = first.get();
  std::vector<PollJob> jobs;
  jobs.push_back({std::move(first), Settings()});
  sched.Replace(std::move(jobs));
  ASSERT_TRUE(WaitFor([&] { return a->polls_ >= 1; }));
  core::SourceState* seen = a->state_seen_;
  ASSERT_NE(seen, nullptr);

  // The reloaded source reads a total lower than the one exported before the reload.
  auto second = std::make_unique<CounterSource>(std::vector<double>{60});
  auto* b = second.get();
  std::vector<PollJob> again;
  again.push_back({std::move(second), Settings()});
  sched.Replace(std::move(again));
  ASSERT_TRUE(WaitFor([&] { return b->polls_ >= 2 && Published() >= 0; }));
  EXPECT_EQ(b->state_seen_.load(), seen);
  sched.Stop();
  EXPECT_EQ(Published(), 100);
  EXPECT_NE(seen->Get("polls"), std::nullopt);
}

}  // namespace
}  // namespace akash::sched
