#include "collectors/provider_earnings.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>
#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "collectors/json.h"
#include "exporter/core/log.h"

namespace akash::collectors {
namespace {

using core::Date;
using core::Decimal;

constexpr const char* kUpstream =
    "from the Provider Console Earnings API when an earnings key is configured, else the Console "
    "API /v1/provider-earnings route (asked for [from 00:00Z, to 00:00Z): to is exclusive)";
constexpr const char* kRefresh =
    "; refreshed every provider_earnings interval (completed days are cached)";

Decimal One() { return Decimal::FromInt(1); }

constexpr int kCacheVersion = 1;

}  // namespace

std::string EncodeEarningsCache(const std::map<DayRange, EarningsAmounts>& cache) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&w](const std::string& s) { w.String(s.data(), static_cast<unsigned>(s.size())); };
  w.StartObject();
  w.Key("v");
  w.Int(kCacheVersion);
  w.Key("ranges");
  w.StartArray();
  for (const auto& [range, a] : cache) {
    w.StartArray();
    str(range.from.ToString());
    str(range.to.ToString());
    str(a.uakt.ToString());
    str(a.uact.ToString());
    str(a.uusd.ToString());
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<std::map<DayRange, EarningsAmounts>> DecodeEarningsCache(std::string_view blob) {
  rapidjson::Document doc;
  doc.Parse(blob.data(), blob.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const auto v = std::as_const(doc).FindMember("v");
  if (v == std::as_const(doc).MemberEnd() || !v->value.IsInt() || v->value.GetInt() != kCacheVersion) {
    return std::nullopt;
  }
  const auto ranges = std::as_const(doc).FindMember("ranges");
  if (ranges == std::as_const(doc).MemberEnd() || !ranges->value.IsArray()) return std::nullopt;
  std::map<DayRange, EarningsAmounts> cache;
  for (const auto& row : ranges->value.GetArray()) {
    if (!row.IsArray() || row.Size() != 5) return std::nullopt;
    std::string_view text[5];
    for (rapidjson::SizeType i = 0; i < 5; ++i) {
      if (!row[i].IsString()) return std::nullopt;
      text[i] = std::string_view(row[i].GetString(), row[i].GetStringLength());
    }
    const auto from = Date::Parse(text[0]);
    const auto to = Date::Parse(text[1]);
    const auto uakt = Decimal::Parse(text[2]);
    const auto uact = Decimal::Parse(text[3]);
    const auto uusd = Decimal::Parse(text[4]);
    if (!from || !to || !uakt || !uact || !uusd || !(*from < *to)) return std::nullopt;
    cache[DayRange{*from, *to}] = EarningsAmounts{*uakt, *uact, *uusd};
  }
  return cache;
}

core::Result<EarningsAmounts> ParseEarnings(std::string_view body, std::string_view route) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  AKASH_COLL_ASSIGN_OR_RETURN(auto root, JsonObject::From(*doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(auto earnings, root.Object("earnings"));
  EarningsAmounts a;
  AKASH_COLL_ASSIGN_OR_RETURN(a.uakt, earnings.Decimal("totalUAktEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(auto act, earnings.OptionalDecimal("totalUActEarned"));
  if (act) {
    a.uact = *act;
  } else {
    // The key API never sends totalUActEarned; after BME its totalUUsdcEarned carries uact+uusdc.
    AKASH_COLL_ASSIGN_OR_RETURN(a.uact, earnings.Decimal("totalUUsdcEarned"));
  }
  AKASH_COLL_ASSIGN_OR_RETURN(a.uusd, earnings.Decimal("totalUUsdEarned"));
  return a;
}

std::vector<EarningsWindow> PlanEarningsWindows(Date today, Date end) {
  auto clipped = [](Date from, Date to) {
    // An empty range is represented as [to, to) so that it never needs a request.
    return from < to ? DayRange{from, to} : DayRange{to, to};
  };
  const Date month_start = today.FirstOfMonth();
  const Date previous_month_start = month_start.AddDays(-1).FirstOfMonth();
  return {
      {"1d", clipped(end.AddDays(-1), end)},
      {"7d", clipped(end.AddDays(-7), end)},
      {"30d", clipped(end.AddDays(-30), end)},
      {"month_to_date", clipped(month_start, end)},
      {"previous_month", clipped(previous_month_start, std::min(month_start, end))},
      {"year_to_date", clipped(today.FirstOfYear(), end)},
  };
}

std::vector<EarningsPiece> SplitEarningsRange(DayRange range,
                                              const std::vector<core::TakeRateRegime>& regimes) {
  std::vector<EarningsPiece> pieces;
  if (range.empty()) return pieces;
  std::set<Date> cuts;
  for (const auto& regime : regimes) {
    if (regime.until && range.from < *regime.until && *regime.until < range.to) {
      cuts.insert(*regime.until);
    }
  }
  cuts.insert(range.to);
  Date start = range.from;
  for (const Date cut : cuts) {
    const core::TakeRateRegime regime = RegimeFor(start, regimes);
    while (start < cut) {
      const Date chunk_end = std::min(cut, start.AddDays(kMaxEarningsRangeDays));
      pieces.push_back({{start, chunk_end}, regime});
      start = chunk_end;
    }
  }
  return pieces;
}

EarningsAmounts NetEarnings(const EarningsAmounts& gross, const core::TakeRateRegime& regime) {
  EarningsAmounts net;
  net.uakt = MulRatio(gross.uakt, One() - regime.akt);
  net.uact = MulRatio(gross.uact, One() - regime.act);
  // USD value = AKT part (usd − act) + ACT part (act); each loses its own rate.
  net.uusd =
      gross.uusd - MulRatio(gross.uusd - gross.uact, regime.akt) - MulRatio(gross.uact, regime.act);
  return net;
}

ProviderEarningsSource::ProviderEarningsSource(ProviderEarningsOptions options)
    : name_(core::kSourceProviderEarnings), options_(std::move(options)) {}

void ProviderEarningsSource::LoadCache(core::SourceState* state) {
  if (cache_loaded_ || state == nullptr) return;
  cache_loaded_ = true;
  const auto blob = state->Get(kEarningsCacheBlob);
  if (!blob) return;
  auto stored = DecodeEarningsCache(*blob);
  if (!stored) {
    core::LogWarn("earnings: ignoring a cached state blob that does not parse",
                  {{"provider", options_.provider}});
    return;
  }
  cache_.merge(*stored);  // entries already in memory stay
}

void ProviderEarningsSource::SaveCache(core::SourceState* state) const {
  if (state != nullptr) state->Put(kEarningsCacheBlob, EncodeEarningsCache(cache_));
}

core::Request ProviderEarningsSource::MakeRequest(DayRange range) const {
  core::Request request;
  const std::string from = range.from.ToString();
  const std::string to = range.to.ToString();
  if (!options_.earnings_api_key.empty()) {
    // The key is bound to one wallet, so the address is not a parameter.
    request.url = JoinUrl(options_.provider_console_api, "/provider-earnings") +
                  "?from_date=" + from + "&to_date=" + to;
    request.secret_headers.emplace_back("X-API-Key", options_.earnings_api_key);
  } else {
    request.url = JoinUrl(options_.console_api, "/v1/provider-earnings/" + options_.provider) +
                  "?from=" + from + "&to=" + to;
  }
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

core::Result<ProviderEarningsSource::FetchOutcome> ProviderEarningsSource::FetchMissing(
    core::Fetcher& fetcher, Date today, const std::vector<DayRange>& needed, bool may_fall_back) {
  std::vector<DayRange> missing;
  for (const DayRange& r : needed) {
    if (!r.empty() && !cache_.contains(r)) missing.push_back(r);
  }
  // Latest end first, shortest first: the one-day range ending today is the cheapest probe of
  // whether yesterday is indexed, and a 404 there costs one request before the fall back.
  std::sort(missing.begin(), missing.end(), [](const DayRange& a, const DayRange& b) {
    if (a.to != b.to) return b.to < a.to;
    return b.from < a.from;
  });
  for (const DayRange& range : missing) {
    const core::Request request = MakeRequest(range);
    auto response = fetcher.Get(request);
    if (!response.ok()) return std::move(response).error();
    if (response->status == 404) {
      if (may_fall_back && range.to == today) return FetchOutcome::kTodayNotIndexed;
      core::Error e = UpstreamHttpError(request, *response);
      e.message += ": no earnings data for [" + range.from.ToString() + ", " + range.to.ToString() +
                   "); the wallet may not be a provider, or the indexer is more than a day behind";
      return e;
    }
    if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
    auto amounts = ParseEarnings(response->body, core::UrlForLog(request.url));
    if (!amounts.ok()) return std::move(amounts).error();
    cache_.emplace(range, *amounts);
  }
  return FetchOutcome::kDone;
}

core::Result<PollOutput> ProviderEarningsSource::Poll(core::Fetcher& fetcher,
                                                      const PollContext& ctx) {
  const Date today = Date::FromTime(ctx.now);
  LoadCache(ctx.state);
  auto needed_for = [&](const std::vector<EarningsWindow>& windows) {
    std::set<DayRange> ranges;
    for (const auto& w : windows) {
      for (const auto& piece : SplitEarningsRange(w.range, options_.take_rates)) {
        ranges.insert(piece.range);
      }
    }
    return std::vector<DayRange>(ranges.begin(), ranges.end());
  };

  Date end = today;
  std::vector<EarningsWindow> windows = PlanEarningsWindows(today, end);
  std::vector<DayRange> needed = needed_for(windows);
  auto outcome = FetchMissing(fetcher, today, needed, /*may_fall_back=*/true);
  if (!outcome.ok()) {
    SaveCache(ctx.state);  // keep what was fetched before the error
    return std::move(outcome).error();
  }
  if (*outcome == FetchOutcome::kTodayNotIndexed) {
    end = today.AddDays(-1);
    core::LogInfo("earnings: yesterday is not indexed yet; windows end one day earlier",
                  {{"provider", options_.provider}, {"window_end", end.ToString()}});
    windows = PlanEarningsWindows(today, end);
    needed = needed_for(windows);
    outcome = FetchMissing(fetcher, today, needed, /*may_fall_back=*/false);
    if (!outcome.ok()) {
      SaveCache(ctx.state);
      return std::move(outcome).error();
    }
  }

  // Keep only what this poll used: older ranges can never be asked for again.
  std::map<DayRange, EarningsAmounts> kept;
  for (const DayRange& r : needed) {
    const auto it = cache_.find(r);
    if (it != cache_.end()) kept.insert(*it);
  }
  cache_ = std::move(kept);
  SaveCache(ctx.state);
  return BuildOutput(windows, end);
}

PollOutput ProviderEarningsSource::BuildOutput(const std::vector<EarningsWindow>& windows,
                                               Date end) const {
  struct Row {
    std::string window;
    EarningsAmounts gross;
    EarningsAmounts net;
  };
  std::vector<Row> rows;
  for (const auto& w : windows) {
    Row row{w.name, {}, {}};
    for (const auto& piece : SplitEarningsRange(w.range, options_.take_rates)) {
      const EarningsAmounts& gross = cache_.at(piece.range);
      row.gross += gross;
      row.net += NetEarnings(gross, piece.regime);
    }
    rows.push_back(std::move(row));
  }

  struct Spec {
    const char* name;
    const char* help;
    const char* field;
    Decimal EarningsAmounts::*amount;
    bool net;
  };
  const Spec specs[] = {
      {"akash_provider_earnings_akt",
       "Gross earnings in AKT (lease price x blocks, before the take rate) over the window's "
       "complete UTC days",
       "totalUAktEarned", &EarningsAmounts::uakt, false},
      {"akash_provider_earnings_act",
       "Gross earnings in ACT including legacy USDC (lease price x blocks, before the take "
       "rate) over the window's complete UTC days",
       "totalUActEarned, else totalUUsdcEarned", &EarningsAmounts::uact, false},
      {"akash_provider_earnings_usd",
       "Gross earnings valued in USD, AKT at each day's CoinGecko price, over the window's "
       "complete UTC days",
       "totalUUsdEarned", &EarningsAmounts::uusd, false},
      {"akash_provider_net_earnings_akt",
       "Earnings in AKT after the take rate in force on each day of the window", "totalUAktEarned",
       &EarningsAmounts::uakt, true},
      {"akash_provider_net_earnings_act",
       "Earnings in ACT including legacy USDC after the take rate in force on each day of the "
       "window",
       "totalUActEarned, else totalUUsdcEarned", &EarningsAmounts::uact, true},
      {"akash_provider_net_earnings_usd",
       "Earnings valued in USD after the take rate in force on each day of the window "
       "(usd - (usd - act) * rate_akt - act * rate_act)",
       "totalUUsdEarned", &EarningsAmounts::uusd, true},
  };
  PollOutput out;
  for (const Spec& spec : specs) {
    FamilyBuilder family(
        spec.name,
        std::string(spec.help) + ", " + kUpstream + " (" + spec.field + " / 1e6)" + kRefresh + ".",
        prometheus::MetricType::Gauge);
    for (const Row& row : rows) {
      const EarningsAmounts& a = spec.net ? row.net : row.gross;
      family.Add({{"provider", options_.provider}, {"window", row.window}},
                 FromMicro(a.*spec.amount).ToDouble());
    }
    out.families.push_back(std::move(family).Build());
  }
  out.families.push_back(GaugeFamily(
      "akash_provider_earnings_window_end_timestamp_seconds",
      std::string("Exclusive end of every provider earnings window (00:00 UTC of the first day "
                  "not included; one day earlier while yesterday is not indexed yet), ") +
          kUpstream + kRefresh + ".",
      {{"provider", options_.provider}}, end.MidnightSeconds()));
  return out;
}

}  // namespace akash::collectors
