// One libFuzzer entry point over every parser that reads upstream or user bytes. The first byte
// picks the parser, the rest is its input. Every parser must return a value or an error and never
// crash, hang or read out of bounds (run under ASan+UBSan by scripts/fuzz.sh).
#include <chrono>
#include <map>
#include <vector>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/chain_parse.h"
#include "collectors/json.h"
#include "collectors/market.h"
#include "collectors/provider_dashboard.h"
#include "collectors/provider_earnings.h"
#include "collectors/provider_status.h"
#include "collectors/tenant_billing.h"
#include "collectors/tenant_usage.h"
#include "exporter/core/config.h"
#include "exporter/core/date.h"
#include "exporter/core/decimal.h"
#include "exporter/http/client.h"
#include "exporter/http/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace akash;
  switch (data[0] % 7) {
    case 0: {
      auto d = core::Decimal::Parse(input);
      if (d) {
        // Round trip: the canonical form parses back to the same value.
        auto again = core::Decimal::Parse(d->ToString());
        if (!again || *again != *d) __builtin_trap();
        (void)d->ToDouble();
      }
      break;
    }
    case 1: {
      (void)core::Date::Parse(input);
      (void)collectors::ParseIsoTimestamp(input);
      // Retry-After comes from any upstream or proxy: seconds or one of three HTTP-date forms.
      const std::chrono::system_clock::time_point now{std::chrono::seconds(1'790'000'000)};
      if (auto wait = http::ParseRetryAfter(input, now); wait && wait->count() < 0) {
        __builtin_trap();  // a wait is never negative
      }
      break;
    }
    case 2:
      (void)collectors::ParseEarnings(input, "fuzz");
      break;
    case 3:
      // The Console's provider routes share this selector, so the corpus keeps its meaning.
      (void)collectors::ParseProviderDashboard(input, "fuzz");
      (void)collectors::ParseProviderStatus(input, "fuzz");
      (void)collectors::HostOfUri(input);
      break;
    case 4:
      (void)collectors::ParseAktPrice(input, "fuzz");
      break;
    case 5:
      (void)collectors::ParseJson(input, "fuzz");
      // Error bodies of every upstream (Hono, FastAPI, gRPC gateway, HTML) for the log line.
      (void)collectors::UpstreamErrorCode(input);
      // The chain and tenant bodies share this case (a JSON body each), so the first-byte
      // selector and the existing corpus keep their meaning.
      for (const auto shape : {collectors::chain::ApiShape::kV1beta5,
                               collectors::chain::ApiShape::kV1beta4}) {
        std::vector<collectors::chain::LeaseRecord> leases;
        (void)collectors::chain::ParseLeasesPage(input, "fuzz", shape, &leases);
        std::map<std::string, collectors::chain::GpuOffers> bids;
        (void)collectors::chain::ParseBidsPage(input, "fuzz", shape, &bids);
      }
      (void)collectors::chain::ParseBlock(input, "fuzz");
      (void)collectors::ParseUsageHistory(input, "fuzz");
      (void)collectors::ParseTransactionsPage(input, "fuzz");
      (void)collectors::ParseBalances(input, "fuzz");
      (void)collectors::ParseDeploymentsPage(input, "fuzz");
      (void)collectors::ParseDeploymentGpuModels(input, "fuzz");
      (void)collectors::ParseLatestHeight(input, "fuzz");
      break;
    case 6: {
      // Endpoint URLs from the config decide the interval floor.
      (void)core::IsLoopbackUrl(input);
      // The config parser at start-up: errors are ConfigError, nothing else may escape.
      const core::EnvLookup no_env = [](const std::string&) -> std::optional<std::string> {
        return std::nullopt;
      };
      try {
        (void)core::ParseConfig(std::string(input), "fuzz.yml", no_env);
      } catch (const core::ConfigError&) {
      }
      // The --web.config.file (TLS, basic auth): errors are WebConfigError only.
      try {
        (void)http::ParseWebConfig(input, "fuzz-web.yml");
      } catch (const http::WebConfigError&) {
      }
      break;
    }
  }
  return 0;
}
