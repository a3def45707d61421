#pragma once
// Clock abstraction so scheduling, staleness and day windows are testable with injected time.
// Thread-safety: implementations must be safe to call from any thread.

#include <atomic>
#include <chrono>

namespace akash::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall time (for timestamps and UTC day arithmetic).
  virtual std::chrono::system_clock::time_point Now() const noexcept = 0;
  // Monotonic time (for intervals and durations).
  virtual std::chrono::steady_clock::time_point Steady() const noexcept = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const noexcept override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point Steady() const noexcept override {
    return std::chrono::steady_clock::now();
  }
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to; both views advance together.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start) : wall_(start.time_since_epoch().count()) {}
  std::chrono::system_clock::time_point Now() const noexcept override {
    return std::chrono::system_clock::time_point{std::chrono::system_clock::duration{wall_.load()}};
  }
  std::chrono::steady_clock::time_point Steady() const noexcept override {
    return std::chrono::steady_clock::time_point{std::chrono::steady_clock::duration{steady_.load()}};
  }
  void Advance(std::chrono::nanoseconds d) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d).count();
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
  }
  void SetWall(std::chrono::system_clock::time_point t) { wall_ = t.time_since_epoch().count(); }

 private:
  std::atomic<std::chrono::system_clock::rep> wall_;
  std::atomic<std::chrono::steady_clock::rep> steady_{0};
};

}  // namespace akash::core
