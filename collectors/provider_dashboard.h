#pragma once
// provider_dashboard: lifetime earnings, lease counts and leased resources of one provider, from
// the Console API `GET {console_api}/v1/provider-dashboard/{owner}` (upstream-apis.md 2.1).
//
// Exports (metrics.md "Provider metrics"), all labelled {provider}:
//   akash_provider_earned_{akt,act,usd}_total, akash_provider_leases_active,
//   akash_provider_leases_created_total, akash_provider_leased_cpu_cores,
//   akash_provider_leased_gpus, akash_provider_leased_memory_bytes,
//   akash_provider_leased_storage_bytes{class=ephemeral|persistent},
//   akash_provider_data_timestamp_seconds, akash_provider_earnings_last_24h_{akt,act,usd}.
//
// What the figures are (upstream-apis.md 2.1, docs/upstream-notes.md): the Console recomputes
// every `total*` on each request from lease price × blocks, gross of the take rate, and values
// each day's AKT at that day's CoinGecko price, which it rewrites hourly. So a lifetime total
// can come back LOWER than the previous answer. The source exports the upstream totals as they
// come; the scheduler's central counter hold (exporter/metrics/counter_hold.h) keeps every
// exported counter from going backwards and counts the drops. `daily*` is a rolling 24 hours
// ending at the indexed block, not a calendar day.
//
// Thread-safety: Poll() is called by one thread at a time (source.h); the source keeps no state
// between polls. Ownership: the Source owns copies of its configuration strings.

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/source.h"
#include "exporter/core/decimal.h"
#include "exporter/core/result.h"

namespace akash::collectors {

// The `current` block of a provider-dashboard response, in upstream units.
struct ProviderDashboardData {
  core::Decimal total_uakt_earned;
  // totalUActEarned when present, else totalUUsdcEarned: the two are the same figure after
  // BME (the indexer kept the old name), so they are never added.
  core::Decimal total_uact_earned;
  core::Decimal total_uusd_earned;
  // The rolling 24 h before the indexed block (current.daily*), same units and the same
  // ACT-else-USDC rule as the totals.
  core::Decimal daily_uakt_earned;
  core::Decimal daily_uact_earned;
  core::Decimal daily_uusd_earned;
  std::int64_t active_lease_count = 0;
  std::int64_t total_lease_count = 0;
  core::Decimal active_cpu_milli;  // thousandths of a vCPU
  core::Decimal active_gpu;
  // JSON strings on the wire (Postgres BIGINT sums); numbers are accepted too. The wire's
  // `activeStorage` is these two storage strings concatenated and is never read.
  core::Decimal active_memory_bytes;
  core::Decimal active_ephemeral_storage_bytes;
  core::Decimal active_persistent_storage_bytes;
  double date_seconds = 0;  // time of the indexed block, Unix seconds
};

// Parses a 200 body. Missing or malformed required fields give kParse naming the field.
core::Result<ProviderDashboardData> ParseProviderDashboard(std::string_view body,
                                                           std::string_view route);

class ProviderDashboardSource final : public Source {
 public:
  ProviderDashboardSource(std::string console_api, std::string provider);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return provider_; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

 private:
  std::string name_;
  std::string console_api_;
  std::string provider_;
};

}  // namespace akash::collectors
