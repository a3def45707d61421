#include "sim/clock.h"

#include <cmath>

namespace akash::sim {

SimClock::SimClock(std::int64_t start_unix_ms, double scale)
    : start_ms_(start_unix_ms), scale_(scale), wall_start_(std::chrono::steady_clock::now()) {}

std::int64_t SimClock::NowMs() const {
  std::int64_t elapsed = 0;
  if (scale_ != 0) {
    auto wall = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - wall_start_)
                    .count();
    elapsed = static_cast<std::int64_t>(std::floor(static_cast<double>(wall) * scale_ / 1000.0));
  }
  return start_ms_ + elapsed + advanced_ms_.load();
}

}  // namespace akash::sim
