#include "exporter/sched/retrying_fetcher.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>

namespace akash::sched {
namespace {

using namespace std::chrono_literals;

class ScriptedFetcher : public core::Fetcher {
 public:
  std::deque<core::Result<core::Response>> script;
  int calls = 0;
  core::Result<core::Response> Get(const core::Request&) noexcept override {
    ++calls;
    auto r = std::move(script.front());
    script.pop_front();
    return r;
  }
};

core::Response Status(int code) {
  core::Response r;
  r.status = code;
  return r;
}

struct Harness {
  explicit Harness(std::chrono::milliseconds interval = 60s) {
    auto f = std::make_unique<ScriptedFetcher>();
    inner = f.get();
    fetcher = std::make_unique<RetryingFetcher>(
        std::move(f), interval, [this](const std::string& c) { codes.push_back(c); }, 5ms);
  }
  ScriptedFetcher* inner;
  std::vector<std::string> codes;
  std::unique_ptr<RetryingFetcher> fetcher;
};

TEST(RetryingFetcher, RetriesConnectErrorsAtMostTwice) {
  Harness h;
  for (int i = 0; i < 3; ++i) {
    h.inner->script.push_back(core::MakeError(core::ErrorReason::kConnect, "refused"));
  }
  h.fetcher->BeginPoll();
  auto r = h.fetcher->Get({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, core::ErrorReason::kConnect);
  EXPECT_EQ(h.inner->calls, 3);
  EXPECT_EQ(h.codes, (std::vector<std::string>{"error", "error", "error"}));
}

TEST(RetryingFetcher, RetriedServerErrorCanSucceed) {
  Harness h;
  h.inner->script.push_back(Status(503));
  h.inner->script.push_back(Status(200));
  h.fetcher->BeginPoll();
  auto r = h.fetcher->Get({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.codes, (std::vector<std::string>{"503", "200"}));
}

TEST(RetryingFetcher, DoesNotRetryRateLimitsTimeoutsOrClientErrors) {
  for (auto first : {core::Result<core::Response>(Status(429)),
                     core::Result<core::Response>(Status(404)),
                     core::Result<core::Response>(
                         core::MakeError(core::ErrorReason::kTimeout, "slow"))}) {
    Harness h;
    h.inner->script.push_back(first);
    h.fetcher->BeginPoll();
    (void)h.fetcher->Get({});
    EXPECT_EQ(h.inner->calls, 1);
  }
}

TEST(RetryingFetcher, NoRetryWhenIntervalBudgetIsSpent) {
  Harness h(3ms);  // the 5 ms retry delay does not fit in a 3 ms interval
  h.inner->script.push_back(Status(502));
  h.fetcher->BeginPoll();
  auto r = h.fetcher->Get({});
  EXPECT_EQ(r->status, 502);
  EXPECT_EQ(h.inner->calls, 1);
}

TEST(RetryingFetcher, AbortWakesRetryWaitAndFailsLaterCalls) {
  auto f = std::make_unique<ScriptedFetcher>();
  auto* inner = f.get();
  RetryingFetcher fetcher(std::move(f), 1h, nullptr, 10s);
  inner->script.push_back(Status(500));
  inner->script.push_back(Status(200));
  fetcher.BeginPoll();
  const auto start = std::chrono::steady_clock::now();
  std::thread aborter([&] {
    std::this_thread::sleep_for(50ms);
    fetcher.Abort();
  });
  auto r = fetcher.Get({});
  aborter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "abort must cut the 10 s retry wait";
  EXPECT_EQ(r->status, 500);
  auto again = fetcher.Get({});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "aborted");
  EXPECT_EQ(inner->calls, 1);
}

}  // namespace
}  // namespace akash::sched
