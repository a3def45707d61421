// Builds the Sources of a config: one per (source, target) pair that core::PlanSources enables.
#include <memory>
#include <string>
#include <vector>

#include "collectors/chain_leases.h"
#include "collectors/market.h"
#include "collectors/provider_dashboard.h"
#include "collectors/provider_earnings.h"
#include "collectors/provider_status.h"
#include "collectors/source.h"
#include "exporter/core/config.h"
#include "exporter/core/log.h"

namespace akash::collectors {
namespace {

const core::ProviderTarget* FindProvider(const core::Config& config, const std::string& address) {
  for (const auto& provider : config.providers) {
    if (provider.address == address) return &provider;
  }
  return nullptr;
}

}  // namespace

std::vector<std::unique_ptr<Source>> MakeSources(const core::Config& config) {
  std::vector<std::unique_ptr<Source>> sources;
  bool chain_gauges_taken = false;
  for (const core::PlannedSource& planned : core::PlanSources(config)) {
    const std::string& name = planned.source;
    if (name == core::kSourceMarket) {
      sources.push_back(
          std::make_unique<MarketSource>(config.endpoints.console_api, config.take_rates));
    } else if (name == core::kSourceProviderDashboard) {
      sources.push_back(
          std::make_unique<ProviderDashboardSource>(config.endpoints.console_api, planned.target));
    } else if (name == core::kSourceProviderEarnings) {
      const core::ProviderTarget* provider = FindProvider(config, planned.target);
      ProviderEarningsOptions options;
      options.provider = planned.target;
      options.console_api = config.endpoints.console_api;
      options.provider_console_api = config.endpoints.provider_console_api;
      if (provider != nullptr) options.earnings_api_key = provider->earnings_api_key;
      options.take_rates = config.take_rates;
      sources.push_back(std::make_unique<ProviderEarningsSource>(std::move(options)));
    } else if (name == core::kSourceProviderStatus) {
      sources.push_back(
          std::make_unique<ProviderStatusSource>(config.endpoints.console_api, planned.target));
    } else if (name == core::kSourceChainLeases) {
      const core::SourceSettings& settings = config.source(name);
      ChainLeasesOptions options;
      options.provider = planned.target;
      options.endpoints = config.endpoints.chain_rest;
      options.page_limit = settings.page_limit;
      options.per_lease_series = settings.per_lease_series;
      options.max_lease_series = settings.max_lease_series;
      // Height and block interval have no provider label: one source publishes them.
      options.publish_chain_gauges = !chain_gauges_taken;
      chain_gauges_taken = true;
      sources.push_back(std::make_unique<ChainLeasesSource>(std::move(options)));
    } else {
      // tenant_* are built by their own collectors once they land; until then
      // the pair is skipped rather than failing the whole config.
      core::LogDebug("source not implemented yet; skipped",
                     {{"source", name}, {"target", planned.target}});
    }
  }
  return sources;
}

}  // namespace akash::collectors
