#pragma once
// provider_status: capacity, health and identity of one provider, from the Console API
// `GET {console_api}/v1/providers/{address}` (upstream-apis.md 2.1; docs/provider_status.md).
//
// Exports (metrics.md "From provider_status"):
//   akash_provider_info{provider,name,host_uri,akash_version} 1
//   akash_provider_online{provider}
//   akash_provider_uptime_ratio{provider,window=1d|7d|30d}   (a window the Console has no figure
//                                                             for is left out, see below)
//   akash_provider_capacity_{cpu_cores,gpus,memory_bytes}{provider,state=active|pending|available}
//   akash_provider_capacity_storage_bytes{provider,class=ephemeral|persistent,state}
//   akash_provider_gpu_model_info{provider,vendor,model,ram,interface} 1
//
// Upstream facts the conversion relies on (read in the Console's code, see the doc):
// - stats.*.{active,pending,available} come from the provider's last successful status check:
//   CPU in thousandths of a vCPU, GPU a count, memory and storage in bytes. `available` is FREE
//   capacity (allocatable − allocated per node, clamped at 0), not the total; the total is
//   active + pending + available. The items may also carry `total`, which is ignored: it is
//   derived, and with database BIGINTs arriving as strings it can be a string concatenation.
// - `name` is not chosen by the operator: the Console sends the host name of `hostUri` while the
//   provider is online and null while it is offline. The `name` label therefore falls back to the
//   host name of `hostUri` when `name` is null, so the info series keeps one identity across an
//   outage (a legend that flipped to "" and back would split the series).
// - uptime1d/7d/30d are `value || null` in the Console, so a 0 arrives as null, like "never
//   checked". A null or missing window is left out rather than guessed;
//   `akash_provider_online` still says whether the provider is reachable.
//
// Thread-safety: Poll() is called by one thread at a time (source.h); the Source holds no
// mutable state. Ownership: the Source owns copies of its configuration strings.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/source.h"
#include "exporter/core/decimal.h"
#include "exporter/core/result.h"

namespace akash::collectors {

// One stats item, in upstream units.
struct CapacityItem {
  core::Decimal active;
  core::Decimal pending;
  core::Decimal available;  // free, not total
};

struct GpuModelInfo {
  std::string vendor;
  std::string model;
  std::string ram;
  std::string interface;
  bool operator==(const GpuModelInfo&) const = default;
};

struct ProviderStatusData {
  std::optional<std::string> name;  // nullopt when the Console sends null (provider offline)
  std::string host_uri;
  std::string akash_version;  // "" when null or missing (never checked)
  bool online = false;
  std::optional<double> uptime_1d;
  std::optional<double> uptime_7d;
  std::optional<double> uptime_30d;
  CapacityItem cpu_milli;  // thousandths of a vCPU
  CapacityItem gpu;
  CapacityItem memory_bytes;
  CapacityItem ephemeral_bytes;
  CapacityItem persistent_bytes;
  std::vector<GpuModelInfo> gpu_models;  // distinct, in upstream order
};

// Parses a 200 body. Missing or malformed required fields give kParse naming the field.
core::Result<ProviderStatusData> ParseProviderStatus(std::string_view body, std::string_view route);

// "provider.example.com" from "https://provider.example.com:8443"; "" when `uri` has no host.
std::string HostOfUri(std::string_view uri);

class ProviderStatusSource final : public Source {
 public:
  ProviderStatusSource(std::string console_api, std::string provider);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return provider_; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

 private:
  std::string name_;
  std::string console_api_;
  std::string provider_;
};

}  // namespace akash::collectors
