#pragma once
// tenant_usage: a tenant's lifetime accrued spend and today's active leases, from the public
// Console route GET {console_api}/v1/usage/history?address=&startDate=&endDate=
// (upstream-apis.md 2.2; metrics.md "Tenant metrics").
//
// Exports, labelled {account}:
//   akash_tenant_spent_{akt,act,usd}_total  Σ of every daily row since the account's first
//                                           spend, today's partial row included;
//   akash_tenant_active_leases              activeDeployments of today's row (it counts leases).
//
// ACT: `daily/totalActSpent` "includes legacy USDC" (the Console's OpenAPI) and equals
// `dailyUsdcSpent`, which is the only field of payloads from before April 2026. So ACT is
// dailyActSpent when present, else dailyUsdcSpent; the two are never added.
//
// The lifetime walk (metrics.md "Precise semantics"): rows are per day and `total*` restart at
// startDate, so the lifetime is a sum of rows. The first poll walks back from today in 366-day
// windows ([end-365, end]) until a whole window has no spend, and never asks for a day before
// 2021-03-01 (no leases existed) or after today UTC (the route answers future days with bogus
// rows). Days up to today-2 are then complete: their sums are cached (memory, and the
// SourceState blob "usage" so a restart with --storage.path keeps them) and later polls read
// only the days after the cache, normally yesterday and today (yesterday is re-read because the
// indexer finishes it after midnight). A cache for another account, an unparseable blob or one
// ahead of the clock is treated as absent and the walk runs again.
//
// The address is the configured one. A key-only tenant resolves it with its key (see
// tenant_account.h); the usage route itself is public and is always called without the key, so
// a bad key cannot break a tenant whose address is configured (a bad x-api-key is 401 even on
// public routes).
//
// Counters are exported as read; the scheduler's counter hold keeps them monotonic when the
// Console revalues past days. Thread-safety: Poll is never concurrent for one Source.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/source.h"
#include "collectors/tenant_account.h"
#include "exporter/core/date.h"
#include "exporter/core/decimal.h"
#include "exporter/core/result.h"

namespace akash::collectors {

// One row of /v1/usage/history, whole units (each day rounded to 2 dp by the Console).
struct UsageRow {
  core::Date date;
  std::int64_t active_leases = 0;
  core::Decimal akt;
  core::Decimal act;  // dailyActSpent, else dailyUsdcSpent
  core::Decimal usd;
};

// Parses a 200 body (a bare JSON array). A malformed row is a parse error naming it.
core::Result<std::vector<UsageRow>> ParseUsageHistory(std::string_view body,
                                                      std::string_view route);

// Sums of the complete days up to and including `through`.
struct UsageSums {
  core::Date through;
  core::Decimal akt, act, usd;
  friend bool operator==(const UsageSums&, const UsageSums&) = default;
};

// The state blob: versioned compact JSON; nullopt for anything unparseable or foreign.
std::string EncodeUsageSums(const std::string& account, const UsageSums& sums);
std::optional<UsageSums> DecodeUsageSums(std::string_view blob, const std::string& account);

class TenantUsageSource final : public Source {
 public:
  // Earliest day ever asked for: no lease existed before Mainnet 2 (2021-03).
  static core::Date FloorDay() { return core::Date::FromYmd(2021, 3, 1); }
  static constexpr std::int64_t kWindowDays = 366;

  explicit TenantUsageSource(TenantOptions options);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return options_.target; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

 private:
  core::Result<std::vector<UsageRow>> Fetch(core::Fetcher& fetcher, const std::string& account,
                                            core::Date start, core::Date end);

  std::string name_;
  TenantOptions options_;
  TenantAccount account_;
  std::optional<UsageSums> cache_;  // used when PollContext::state is null
  std::string cache_account_;
};

}  // namespace akash::collectors
