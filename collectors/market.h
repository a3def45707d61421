#pragma once
// market: the AKT price from the Console API `GET {console_api}/v1/market-data/akt`
// (upstream-apis.md 2.1; the Console caches it for 300 s) and the protocol take rate in force
// today from the configured schedule (upstream-apis.md 4).
//
// Exports akash_akt_price_usd and akash_take_rate_ratio{denom="akt"|"act"} (both label values
// always present). On success the price is also published to PollContext::facts so that other
// sources can value AKT amounts in USD.
//
// Thread-safety: Poll() is called by one thread at a time (source.h); the source keeps no state
// between polls. SharedFacts is itself thread-safe. Ownership: the Source owns copies of its
// configuration.

#include <string>
#include <string_view>
#include <vector>

#include "collectors/source.h"
#include "exporter/core/config.h"
#include "exporter/core/decimal.h"
#include "exporter/core/result.h"

namespace akash::collectors {

// Parses a 200 body of /v1/market-data/akt and returns `price` (USD per AKT).
core::Result<core::Decimal> ParseAktPrice(std::string_view body, std::string_view route);

class MarketSource final : public Source {
 public:
  MarketSource(std::string console_api, std::vector<core::TakeRateRegime> take_rates);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return target_; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

 private:
  std::string name_;
  std::string target_;  // always "": the market is not per provider or account
  std::string console_api_;
  std::vector<core::TakeRateRegime> take_rates_;
};

}  // namespace akash::collectors
