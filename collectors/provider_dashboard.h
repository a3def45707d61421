#pragma once
// provider_dashboard: lifetime earnings, lease counts and leased resources of one provider, from
// the Console API `GET {console_api}/v1/provider-dashboard/{owner}` (upstream-apis.md 2.1).
//
// Exports (metrics.md "Provider metrics"), all labelled {provider}:
//   akash_provider_earned_{akt,act,usd}_total, akash_provider_leases_active,
//   akash_provider_leases_created_total, akash_provider_leased_cpu_cores,
//   akash_provider_leased_gpus, akash_provider_leased_memory_bytes,
//   akash_provider_leased_storage_bytes{class=ephemeral|persistent},
//   akash_provider_data_timestamp_seconds.
//
// Counters never go backwards because of a float artefact (see CounterGuard in common.h): the
// source remembers the last value it exported for each counter.
//
// Thread-safety: Poll() is called by one thread at a time (source.h); it mutates the counter
// guards without locking. Ownership: the Source owns copies of its configuration strings.

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/common.h"
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
  std::int64_t active_lease_count = 0;
  std::int64_t total_lease_count = 0;
  core::Decimal active_cpu_milli;  // thousandths of a vCPU
  core::Decimal active_gpu;
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
  CounterGuard earned_akt_;
  CounterGuard earned_act_;
  CounterGuard earned_usd_;
  CounterGuard leases_created_;
};

}  // namespace akash::collectors
