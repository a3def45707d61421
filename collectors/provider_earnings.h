#pragma once
// provider_earnings: gross and net earnings of one provider over fixed windows of complete UTC
// days (metrics.md "From provider_earnings"), from
//   - the Provider Console Earnings API, `GET {provider_console_api}/provider-earnings
//     ?from_date=&to_date=` with the secret header X-API-Key, when the provider has an earnings
//     key (never falling back to the public route: a rejected key is an `auth` error), or
//   - the public Console route `GET {console_api}/v1/provider-earnings/{owner}?from=&to=`.
// Both answer `[from 00:00Z, to 00:00Z)` in micro-units, gross of the take rate.
//
// Windows. Let T be the UTC date of the poll and E the exclusive end of every window: E = T
// normally; E = T−1 when the day before T is not indexed yet (a request ending at T answered
// 404, e.g. EARNINGS_004 shortly after midnight). With [a, b) = the days a ≤ d < b and every
// range clipped to be empty when its start is not before its end:
//   1d             = [E−1, E)
//   7d             = [E−7, E)
//   30d            = [E−30, E)
//   month_to_date  = [first of T's month, E)         (empty on the 1st, and on the 2nd after
//                                                      a fall back)
//   previous_month = [first of the month before T's month, min(first of T's month, E))
//                    (the whole calendar month, except after a fall back on the 1st, when
//                    its last day is not indexed yet and the window ends at E)
//   year_to_date   = [1 January of T's year, E)       (empty on 1 January)
// The calendar windows stay anchored on T (today's month and year) during a fall back: the
// fall back only moves their end, so "month_to_date" never silently becomes last month.
// akash_provider_earnings_window_end_timestamp_seconds exports E.
//
// Take rates. Every window is split at each regime boundary (`until`, exclusive) inside it and
// into chunks of at most 365 days (the API's limit); each piece is fetched on its own and netted
// with its regime: akt·(1−rate_akt), act·(1−rate_act), usd − (usd − act)·rate_akt − act·rate_act.
//
// Cache. A range ending at or before E never changes, so results are cached by (from, to); after
// a successful poll only the ranges that poll needed are kept. A second poll on the same day makes
// no request; a new day fetches only the ranges that moved (about one per window, plus one per
// window that crosses a regime boundary). Empty ranges are never requested. A failed poll
// publishes nothing, but keeps whatever it did fetch. With PollContext::state the cache is also
// kept there (blob kCacheBlob, see EncodeEarningsCache), so a reload or, with --storage.path, a
// restart does not fetch the completed days again; a blob that does not parse is ignored.
//
// Errors: transport errors pass through; 401/403 → auth; 429 → rate_limited (Retry-After kept);
// 5xx → http_5xx; a 404 for a range ending at T triggers the one-day fall back; any other 404,
// or a 404 after the fall back, → http_4xx (the wallet is probably not a provider); bad bodies
// → parse.
//
// What the figures are: gross accruals (lease price × blocks), USD at each day's CoinGecko AKT
// price (the upstream rewrites past prices, so a re-read day can differ slightly; cached days
// keep the value first read).
//
// Thread-safety: Poll() is called by one thread at a time (source.h); the cache is unguarded.
// Ownership: the Source owns copies of its configuration, including the key (core::Secret).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/source.h"
#include "exporter/core/config.h"
#include "exporter/core/date.h"
#include "exporter/core/decimal.h"
#include "exporter/core/result.h"
#include "exporter/core/secret.h"

namespace akash::collectors {

// The API refuses ranges over 365 days (EARNINGS_003).
inline constexpr std::int64_t kMaxEarningsRangeDays = 365;

// Days [from, to).
struct DayRange {
  core::Date from;
  core::Date to;
  bool empty() const { return !(from < to); }
  std::int64_t days() const { return empty() ? 0 : to.days() - from.days(); }
  friend auto operator<=>(const DayRange&, const DayRange&) = default;
};

// Amounts in micro-units (uakt, uact incl. uusdc, micro-USD).
struct EarningsAmounts {
  core::Decimal uakt;
  core::Decimal uact;
  core::Decimal uusd;
  EarningsAmounts& operator+=(const EarningsAmounts& o) {
    uakt += o.uakt;
    uact += o.uact;
    uusd += o.uusd;
    return *this;
  }
};

// Parses a 200 body of either route: {"earnings":{totalUAktEarned, totalUUsdcEarned,
// [totalUActEarned], totalUUsdEarned}}. ACT comes from totalUActEarned when present, else from
// totalUUsdcEarned (the same figure; never added).
core::Result<EarningsAmounts> ParseEarnings(std::string_view body, std::string_view route);

struct EarningsWindow {
  std::string name;  // the `window` label
  DayRange range;
};

// The six windows, in export order, for poll date `today` and exclusive end `end` (today, or
// today−1 after a fall back). See the file comment for the definitions.
std::vector<EarningsWindow> PlanEarningsWindows(core::Date today, core::Date end);

struct EarningsPiece {
  DayRange range;
  core::TakeRateRegime regime;
};

// Splits a range at every regime boundary inside it and into chunks of at most
// kMaxEarningsRangeDays. An empty range gives no pieces.
std::vector<EarningsPiece> SplitEarningsRange(DayRange range,
                                              const std::vector<core::TakeRateRegime>& regimes);

// Gross amounts of a piece minus the take of its regime (see the file comment).
EarningsAmounts NetEarnings(const EarningsAmounts& gross, const core::TakeRateRegime& regime);

// The cache as a state blob: compact JSON
//   {"v":1,"ranges":[["2026-08-01","2026-08-20","uakt","uact","uusd"],...]}
// with exact decimal strings in micro-units. Decode gives nullopt for anything else (another
// version, a truncated or foreign blob): the caller then starts with an empty cache.
inline constexpr const char* kEarningsCacheBlob = "completed_days";
std::string EncodeEarningsCache(const std::map<DayRange, EarningsAmounts>& cache);
std::optional<std::map<DayRange, EarningsAmounts>> DecodeEarningsCache(std::string_view blob);

struct ProviderEarningsOptions {
  std::string provider;
  std::string console_api;
  std::string provider_console_api;
  core::Secret earnings_api_key;  // empty: public Console route
  std::vector<core::TakeRateRegime> take_rates;
};

class ProviderEarningsSource final : public Source {
 public:
  explicit ProviderEarningsSource(ProviderEarningsOptions options);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return options_.provider; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

  // For tests and debugging: how many ranges are cached.
  std::size_t cached_ranges() const { return cache_.size(); }

 private:
  enum class FetchOutcome { kDone, kTodayNotIndexed };

  // Fetches every range in `needed` that is not cached. Returns kTodayNotIndexed when a range
  // ending at `today` got 404 and `may_fall_back` is set.
  core::Result<FetchOutcome> FetchMissing(core::Fetcher& fetcher, core::Date today,
                                          const std::vector<DayRange>& needed, bool may_fall_back);
  core::Request MakeRequest(DayRange range) const;
  PollOutput BuildOutput(const std::vector<EarningsWindow>& windows, core::Date end) const;
  // Merges the cache kept in `state` into cache_, once per Source (memory wins).
  void LoadCache(core::SourceState* state);
  // Writes cache_ to `state` (no-op when null).
  void SaveCache(core::SourceState* state) const;

  std::string name_;
  ProviderEarningsOptions options_;
  std::map<DayRange, EarningsAmounts> cache_;
  bool cache_loaded_ = false;
};

}  // namespace akash::collectors
