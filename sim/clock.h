#pragma once
// Simulated time: a start instant plus wall time elapsed × scale, plus manual advances.
// Thread-safety: all methods are safe to call concurrently.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace akash::sim {

class SimClock {
 public:
  // `scale` is simulated seconds per wall second; 0 freezes time (tests).
  SimClock(std::int64_t start_unix_ms, double scale);

  std::int64_t NowMs() const;
  void Advance(std::int64_t ms) { advanced_ms_.fetch_add(ms); }
  double scale() const { return scale_; }

 private:
  std::int64_t start_ms_;
  double scale_;
  std::chrono::steady_clock::time_point wall_start_;
  std::atomic<std::int64_t> advanced_ms_{0};
};

}  // namespace akash::sim
