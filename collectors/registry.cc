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
#include "collectors/tenant_billing.h"
#include "collectors/tenant_usage.h"
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

// The tenant a planned target names: its address, or "tenants[I]" for a key-only tenant.
TenantOptions TenantFor(const core::Config& config, const std::string& target) {
  TenantOptions options;
  options.console_api = config.endpoints.console_api;
  options.target = target;
  for (std::size_t i = 0; i < config.tenants.size(); ++i) {
    const core::TenantTarget& tenant = config.tenants[i];
    const bool match = tenant.address.empty() ? target == "tenants[" + std::to_string(i) + "]"
                                              : target == tenant.address;
    if (!match) continue;
    options.address = tenant.address;
    options.console_api_key = tenant.console_api_key;
    break;
  }
  return options;
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
    } else if (name == core::kSourceTenantUsage) {
      sources.push_back(std::make_unique<TenantUsageSource>(TenantFor(config, planned.target)));
    } else if (name == core::kSourceTenantBilling) {
      sources.push_back(std::make_unique<TenantBillingSource>(TenantFor(config, planned.target)));
    } else {
      // Every planned source has a collector; an unknown name would be a planning bug, so
      // the pair is skipped rather than failing the whole config.
      core::LogWarn("unknown source; skipped",
                     {{"source", name}, {"target", planned.target}});
    }
  }
  return sources;
}

}  // namespace akash::collectors
