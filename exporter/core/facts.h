#pragma once
// Facts one source measures and others use: the AKT price (market) and the measured block
// interval (chain_leases). Lock-free; written by one poller, read by any.

#include <atomic>
#include <optional>

namespace akash::core {

class SharedFacts {
 public:
  void SetAktPriceUsd(double v) { akt_price_usd_.store(v, std::memory_order_relaxed); }
  std::optional<double> AktPriceUsd() const { return Get(akt_price_usd_); }
  void SetBlockIntervalSeconds(double v) { block_interval_.store(v, std::memory_order_relaxed); }
  std::optional<double> BlockIntervalSeconds() const { return Get(block_interval_); }

 private:
  static std::optional<double> Get(const std::atomic<double>& a) {
    const double v = a.load(std::memory_order_relaxed);
    return v > 0 ? std::optional<double>(v) : std::nullopt;
  }
  std::atomic<double> akt_price_usd_{0};
  std::atomic<double> block_interval_{0};
};

}  // namespace akash::core
