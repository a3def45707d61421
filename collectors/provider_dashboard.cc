#include "collectors/provider_dashboard.h"

#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "collectors/json.h"

namespace akash::collectors {
namespace {

constexpr const char* kRefresh = "; refreshed every provider_dashboard interval.";

std::string Help(std::string_view what) { return std::string(what) + kRefresh; }

// The ACT figure: `act_field` when present, else `usdc_field`. Payloads from before 2026-04-09
// carry only the USDC name; later ones carry both with the same value, so they are never added.
core::Result<core::Decimal> ActElseUsdc(const JsonObject& block, const char* act_field,
                                        const char* usdc_field) {
  auto act = block.OptionalDecimal(act_field);
  if (!act.ok()) return std::move(act).error();
  if (act->has_value()) return **act;
  return block.Decimal(usdc_field);
}

}  // namespace

core::Result<ProviderDashboardData> ParseProviderDashboard(std::string_view body,
                                                           std::string_view route) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  auto root = JsonObject::From(*doc, std::string(route));
  if (!root.ok()) return std::move(root).error();
  auto current_result = root->Object("current");
  if (!current_result.ok()) return std::move(current_result).error();
  const JsonObject& current = *current_result;

  ProviderDashboardData d;
  AKASH_COLL_ASSIGN_OR_RETURN(d.total_uakt_earned, current.Decimal("totalUAktEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.total_uact_earned,
                              ActElseUsdc(current, "totalUActEarned", "totalUUsdcEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.total_uusd_earned, current.Decimal("totalUUsdEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.daily_uakt_earned, current.Decimal("dailyUAktEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.daily_uact_earned,
                              ActElseUsdc(current, "dailyUActEarned", "dailyUUsdcEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.daily_uusd_earned, current.Decimal("dailyUUsdEarned"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.active_lease_count, current.Int("activeLeaseCount"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.total_lease_count, current.Int("totalLeaseCount"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.active_cpu_milli, current.Decimal("activeCPU"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.active_gpu, current.Decimal("activeGPU"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.active_memory_bytes, current.Decimal("activeMemory"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.active_ephemeral_storage_bytes,
                              current.Decimal("activeEphemeralStorage"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.active_persistent_storage_bytes,
                              current.Decimal("activePersistentStorage"));
  AKASH_COLL_ASSIGN_OR_RETURN(d.date_seconds, current.Timestamp("date"));
  return d;
}

ProviderDashboardSource::ProviderDashboardSource(std::string console_api, std::string provider)
    : name_(core::kSourceProviderDashboard),
      console_api_(std::move(console_api)),
      provider_(std::move(provider)) {}

core::Result<PollOutput> ProviderDashboardSource::Poll(core::Fetcher& fetcher,
                                                       const PollContext& /*ctx*/) {
  core::Request request;
  request.url = JoinUrl(console_api_, "/v1/provider-dashboard/" + provider_);
  request.headers.emplace_back("Accept", "application/json");
  auto response = fetcher.Get(request);
  if (!response.ok()) return std::move(response).error();
  if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);

  auto data = ParseProviderDashboard(response->body, core::UrlForLog(request.url));
  if (!data.ok()) return std::move(data).error();
  const ProviderDashboardData& d = *data;

  const Labels labels = {{"provider", provider_}};
  PollOutput out;
  auto& f = out.families;
  f.push_back(
      CounterFamily("akash_provider_earned_akt_total",
                    Help("Lifetime gross earnings in AKT (lease price x blocks, before the take "
                         "rate), from the Console API provider dashboard "
                         "(current.totalUAktEarned / 1e6)"),
                    labels, FromMicro(d.total_uakt_earned).ToDouble()));
  f.push_back(CounterFamily(
      "akash_provider_earned_act_total",
      Help("Lifetime gross earnings in ACT including legacy USDC (lease price x blocks, before "
           "the take rate), from the Console API provider dashboard (current.totalUActEarned, "
           "else totalUUsdcEarned, / 1e6)"),
      labels, FromMicro(d.total_uact_earned).ToDouble()));
  f.push_back(CounterFamily(
      "akash_provider_earned_usd_total",
      Help("Lifetime gross earnings valued in USD, AKT at each day's CoinGecko price (ACT and "
           "USDC 1:1); the upstream revalues past days, so its total can come back lower, and "
           "the counter then holds its value; from the Console API provider dashboard "
           "(current.totalUUsdEarned / 1e6)"),
      labels, FromMicro(d.total_uusd_earned).ToDouble()));
  f.push_back(GaugeFamily(
      "akash_provider_earnings_last_24h_akt",
      Help("Gross earnings in AKT over the rolling 24 h before the indexed block (not a calendar "
           "day), from the Console API provider dashboard (current.dailyUAktEarned / 1e6)"),
      labels, FromMicro(d.daily_uakt_earned).ToDouble()));
  f.push_back(GaugeFamily(
      "akash_provider_earnings_last_24h_act",
      Help("Gross earnings in ACT including legacy USDC over the rolling 24 h before the indexed "
           "block (not a calendar day), from the Console API provider dashboard "
           "(current.dailyUActEarned, else dailyUUsdcEarned, / 1e6)"),
      labels, FromMicro(d.daily_uact_earned).ToDouble()));
  f.push_back(GaugeFamily(
      "akash_provider_earnings_last_24h_usd",
      Help("Gross earnings valued in USD (AKT at each day's CoinGecko price) over the rolling "
           "24 h before the indexed block (not a calendar day), from the Console API provider "
           "dashboard (current.dailyUUsdEarned / 1e6)"),
      labels, FromMicro(d.daily_uusd_earned).ToDouble()));
  f.push_back(GaugeFamily(
      "akash_provider_leases_active",
      Help("Active leases as the indexer sees them: it can include leases whose close it has "
           "not seen yet (the chain's count is authoritative), from the Console API provider "
           "dashboard (current.activeLeaseCount)"),
      labels, static_cast<double>(d.active_lease_count)));
  f.push_back(CounterFamily(
      "akash_provider_leases_created_total",
      Help("Leases ever won, from the Console API provider dashboard (current.totalLeaseCount)"),
      labels, static_cast<double>(d.total_lease_count)));
  f.push_back(GaugeFamily("akash_provider_leased_cpu_cores",
                          Help("vCPUs under active leases, from the Console API provider dashboard "
                               "(current.activeCPU / 1000)"),
                          labels, d.active_cpu_milli.ShiftDown(3).ToDouble()));
  f.push_back(GaugeFamily(
      "akash_provider_leased_gpus",
      Help("GPUs under active leases, from the Console API provider dashboard (current.activeGPU)"),
      labels, d.active_gpu.ToDouble()));
  f.push_back(GaugeFamily(
      "akash_provider_leased_memory_bytes",
      Help("Memory in bytes under active leases, from the Console API provider dashboard "
           "(current.activeMemory)"),
      labels, d.active_memory_bytes.ToDouble()));
  FamilyBuilder storage("akash_provider_leased_storage_bytes",
                        Help("Storage in bytes under active leases by class, from the Console API "
                             "provider dashboard (current.activeEphemeralStorage, "
                             "current.activePersistentStorage)"),
                        prometheus::MetricType::Gauge);
  storage.Add({{"provider", provider_}, {"class", "ephemeral"}},
              d.active_ephemeral_storage_bytes.ToDouble());
  storage.Add({{"provider", provider_}, {"class", "persistent"}},
              d.active_persistent_storage_bytes.ToDouble());
  f.push_back(std::move(storage).Build());
  f.push_back(GaugeFamily(
      "akash_provider_data_timestamp_seconds",
      Help("Time of the indexed block the provider dashboard values describe, from the Console "
           "API provider dashboard (current.date); shows indexer lag"),
      labels, d.date_seconds));
  return out;
}

}  // namespace akash::collectors
