#pragma once
// The daemon's configuration file (metrics.md "Config file"), parsed and validated.
//
// LoadConfig throws ConfigError at start-up and on reload; the caller keeps the previous
// config when a reload fails. Secrets are resolved while loading (key file, environment
// variable named in the file, or $CREDENTIALS_DIRECTORY) and held as Secret values.
// Thread-safety: a Config is immutable once built and shared as shared_ptr<const Config>.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "exporter/core/date.h"
#include "exporter/core/decimal.h"
#include "exporter/core/secret.h"

namespace akash::core {

// Source names exactly as they appear in metrics and config.
inline constexpr const char* kSourceProviderDashboard = "provider_dashboard";
inline constexpr const char* kSourceProviderEarnings = "provider_earnings";
inline constexpr const char* kSourceChainLeases = "chain_leases";
inline constexpr const char* kSourceMarket = "market";
inline constexpr const char* kSourceProviderStatus = "provider_status";
inline constexpr const char* kSourceTenantUsage = "tenant_usage";
inline constexpr const char* kSourceTenantBilling = "tenant_billing";
inline constexpr const char* kAllSources[] = {
    kSourceProviderDashboard, kSourceProviderEarnings, kSourceChainLeases,  kSourceMarket,
    kSourceProviderStatus,    kSourceTenantUsage,      kSourceTenantBilling};

struct SourceSettings {
  bool enabled = true;  // `enabled: false` switches the source off for every target
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds timeout{20'000};
  std::chrono::milliseconds max_staleness{180'000};  // default: 3 × interval
  // chain_leases only.
  std::uint32_t page_limit = 1000;
  bool per_lease_series = false;
  std::uint32_t max_lease_series = 5000;
};

// A take-rate regime; applies to days strictly before `until` (exclusive), or to every later
// day when `until` is absent (the last entry).
struct TakeRateRegime {
  std::optional<Date> until;
  Decimal akt;  // ratio 0..1
  Decimal act;  // ratio 0..1, also applies to legacy USDC
};

struct ProviderTarget {
  std::string address;
  Secret earnings_api_key;  // empty: use the public Console route
  // Where the key came from, for --config.check ("file /path", "env NAME"); never the key.
  std::string earnings_api_key_origin;
};

struct TenantTarget {
  std::string address;      // may be empty when console_api_key is set (resolved at runtime)
  Secret console_api_key;   // empty: tenant_billing is off for this tenant
  // Where the key came from, for --config.check ("file /path", "env NAME"); never the key.
  std::string console_api_key_origin;
};

struct Endpoints {
  std::string console_api = "https://console-api.akash.network";
  std::string provider_console_api = "https://provider-console-api.akash.network";
  std::vector<std::string> chain_rest;  // no default
};

struct Config {
  std::string path;  // the file it was read from ("" for the built-in default)
  std::vector<ProviderTarget> providers;
  std::vector<TenantTarget> tenants;
  Endpoints endpoints;
  std::map<std::string, SourceSettings> sources;  // one entry for every name in kAllSources
  std::vector<TakeRateRegime> take_rates;         // ordered; last has no `until`

  const SourceSettings& source(const std::string& name) const { return sources.at(name); }
};

// The chain's history: 2% AKT / 20% ACT+USDC until 2026-03-21 (BME), nothing after.
std::vector<TakeRateRegime> DefaultTakeRates();

// The shortest interval a source may poll its upstream at, so a typo cannot get the operator's
// API keys throttled or banned: 10 s for sources on the Console API or the Provider Console
// Earnings API, 5 s (about one block) for the chain REST endpoints. An upstream on this host
// (localhost, 127.0.0.0/8, [::1]: a simulator, a local proxy) has no floor.
std::chrono::milliseconds MinimumInterval(const std::string& source, const Endpoints& endpoints);

// True for http(s)://localhost, 127.x.y.z and [::1] base URLs.
bool IsLoopbackUrl(std::string_view url);

// Default settings for one source (intervals of metrics.md, max_staleness 3 × interval).
SourceSettings DefaultSourceSettings(const std::string& source);

// A configuration error: "FILE:LINE: reason" (line 0 when not tied to a line).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string reason);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int line_;
  std::string reason_;
};

// Environment lookup, injectable for tests. Returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Reads and validates a YAML config file. Throws ConfigError.
Config LoadConfig(const std::string& path, const EnvLookup& env = ProcessEnv());
// Same from text (path used only in messages and for resolving relative key files).
Config ParseConfig(const std::string& yaml_text, const std::string& path, const EnvLookup& env);

// Which (source, target) pairs this config enables, for --config.check and the scheduler.
struct PlannedSource {
  std::string source;
  // Provider/account address, "" for market. A tenant configured with only a Console key has
  // no address until it is resolved at runtime; its target is then "tenants[I]" (I = 0-based
  // index in the config), which can never be mistaken for an address and never holds the key.
  std::string target;
};
std::vector<PlannedSource> PlanSources(const Config& config);

// Human summary for --config.check: sources, targets, intervals; never secrets (only whether a
// key is set).
std::string DescribeConfig(const Config& config);

}  // namespace akash::core
