#include "exporter/sched/retrying_fetcher.h"

namespace akash::sched {

RetryingFetcher::RetryingFetcher(std::unique_ptr<core::Fetcher> inner,
                                 std::chrono::milliseconds interval, RequestObserver observer,
                                 std::chrono::milliseconds first_retry_delay)
    : inner_(std::move(inner)),
      interval_(interval),
      observer_(std::move(observer)),
      first_retry_delay_(first_retry_delay) {
  poll_started_ = std::chrono::steady_clock::now();
}

void RetryingFetcher::BeginPoll() { poll_started_ = std::chrono::steady_clock::now(); }

bool RetryingFetcher::SleepUnlessAborted(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return aborted_; });
}

core::Result<core::Response> RetryingFetcher::Get(const core::Request& request) noexcept {
  constexpr int kMaxRetries = 2;
  auto delay = first_retry_delay_;
  for (int attempt = 0;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      if (aborted_) return core::MakeError(core::ErrorReason::kTimeout, "aborted");
    }
    auto result = inner_->Get(request);
    bool retryable;
    if (result.ok()) {
      if (observer_) observer_(std::to_string(result->status));
      retryable = result->status >= 500;
    } else {
      if (observer_) observer_("error");
      retryable = result.error().reason == core::ErrorReason::kConnect;
    }
    if (!retryable || attempt >= kMaxRetries) return result;
    const auto elapsed = std::chrono::steady_clock::now() - poll_started_;
    if (elapsed + delay >= interval_) return result;  // no room left in this interval
    if (!SleepUnlessAborted(delay)) return result;
    delay *= 2;
  }
}

void RetryingFetcher::Abort() noexcept {
  {
    std::lock_guard lock(mu_);
    aborted_ = true;
  }
  cv_.notify_all();
  inner_->Abort();
}

}  // namespace akash::sched
