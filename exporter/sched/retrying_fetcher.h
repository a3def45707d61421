#pragma once
// Wraps the transport Fetcher of one poll task: counts every request for
// akash_exporter_source_requests_total{code}, and retries a connect error or a 5xx answer at
// most twice within the poll (after 1 s, then 2 s), as long as the retries still fit in the
// source's interval. A 429 is never retried here: the scheduler waits for Retry-After instead.
// Timeouts are not retried: a source already waited its whole timeout.
//
// Thread-safety: used by one poll at a time; Abort() from any thread wakes a retry wait and
// aborts the inner transfer.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "exporter/core/clock.h"
#include "exporter/core/fetcher.h"

namespace akash::sched {

class RetryingFetcher final : public core::Fetcher {
 public:
  using RequestObserver = std::function<void(const std::string& code)>;

  RetryingFetcher(std::unique_ptr<core::Fetcher> inner, std::chrono::milliseconds interval,
                  RequestObserver observer,
                  std::chrono::milliseconds first_retry_delay = std::chrono::milliseconds{1000});

  // Starts a poll's retry budget (the interval from now).
  void BeginPoll();
  core::Result<core::Response> Get(const core::Request& request) noexcept override;
  void Abort() noexcept override;
  void ReleaseConnections() noexcept override { inner_->ReleaseConnections(); }

 private:
  bool SleepUnlessAborted(std::chrono::milliseconds d);

  std::unique_ptr<core::Fetcher> inner_;
  const std::chrono::milliseconds interval_;
  RequestObserver observer_;
  const std::chrono::milliseconds first_retry_delay_;
  std::chrono::steady_clock::time_point poll_started_{};
  std::mutex mu_;
  std::condition_variable cv_;
  bool aborted_ = false;
};

}  // namespace akash::sched
