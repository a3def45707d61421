#include "collectors/provider_dashboard.h"

#include <utility>

#include "collectors/families.h"
#include "collectors/json.h"

namespace akash::collectors {
namespace {

constexpr const char* kRefresh = "; refreshed every provider_dashboard interval.";

std::string Help(std::string_view what) { return std::string(what) + kRefresh; }

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
  AKASH_COLL_ASSIGN_OR_RETURN(auto act, current.OptionalDecimal("totalUActEarned"));
  if (act) {
    d.total_uact_earned = *act;
  } else {
    // Payloads from before BME only carry the USDC figure.
    AKASH_COLL_ASSIGN_OR_RETURN(d.total_uact_earned, current.Decimal("totalUUsdcEarned"));
  }
  AKASH_COLL_ASSIGN_OR_RETURN(d.total_uusd_earned, current.Decimal("totalUUsdEarned"));
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

  // Guard every counter before building anything, so the families reflect one consistent read.
  const double akt = earned_akt_.Apply(FromMicro(d.total_uakt_earned).ToDouble(),
                                       "akash_provider_earned_akt_total", provider_);
  const double act = earned_act_.Apply(FromMicro(d.total_uact_earned).ToDouble(),
                                       "akash_provider_earned_act_total", provider_);
  const double usd = earned_usd_.Apply(FromMicro(d.total_uusd_earned).ToDouble(),
                                       "akash_provider_earned_usd_total", provider_);
  const double created = leases_created_.Apply(static_cast<double>(d.total_lease_count),
                                               "akash_provider_leases_created_total", provider_);

  const Labels labels = {{"provider", provider_}};
  PollOutput out;
  auto& f = out.families;
  f.push_back(
      CounterFamily("akash_provider_earned_akt_total",
                    Help("Lifetime gross earnings in AKT, from the Console API provider dashboard "
                         "(current.totalUAktEarned / 1e6)"),
                    labels, akt));
  f.push_back(CounterFamily(
      "akash_provider_earned_act_total",
      Help("Lifetime gross earnings in ACT including legacy USDC, from the Console API provider "
           "dashboard (current.totalUActEarned, else totalUUsdcEarned, / 1e6)"),
      labels, act));
  f.push_back(CounterFamily(
      "akash_provider_earned_usd_total",
      Help("Lifetime gross earnings valued in USD at each day's AKT price, from the Console API "
           "provider dashboard (current.totalUUsdEarned / 1e6)"),
      labels, usd));
  f.push_back(GaugeFamily(
      "akash_provider_leases_active",
      Help("Active leases, from the Console API provider dashboard (current.activeLeaseCount)"),
      labels, static_cast<double>(d.active_lease_count)));
  f.push_back(CounterFamily(
      "akash_provider_leases_created_total",
      Help("Leases ever won, from the Console API provider dashboard (current.totalLeaseCount)"),
      labels, created));
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
