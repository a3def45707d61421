#pragma once
// Internal to the simulator library: route handlers and shared response builders.
// Each handler is a pure function of its context.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/date.h"
#include "sim/json_util.h"
#include "sim/router.h"
#include "sim/world.h"

namespace akash::sim {

struct Ctx {
  const World& world;
  const Request& req;
  const Query& query;
  const RouterOptions& opts;
  std::int64_t now_ms = 0;
  std::int64_t chain_h = 0;           // latest block
  std::int64_t indexed_h = 0;         // latest block processed by the Console indexer
  int tenant = -1;                    // tenant authenticated by x-api-key, -1 if none
  std::vector<std::string> segments;  // path segments after the route prefix
  bool pagination_loop = false;       // fault: next_key repeats the key that was sent
};

// --- response builders ---
Response JsonResponse(int status, std::string body);
Response TextResponse(int status, std::string body);
Response ConsoleError(int status, std::string_view error, std::string_view message,
                      std::string_view code, std::string_view type);
Response ConsoleNotFound(std::string_view message);
struct ZodIssue {
  std::string code;
  std::string message;
  std::vector<std::string> path;
};
Response ConsoleValidation(const std::vector<ZodIssue>& issues);
Response ChainError(int http_status, int grpc_code, std::string_view message);
Response FastApiError(int status, std::string_view error, std::string_view message,
                      std::string_view error_code);

// --- Provider Console Earnings API and Console provider routes (routes_provider.cc) ---
Response HandleProviderConsoleEarnings(const Ctx& c);
Response HandleProviderEarnings(const Ctx& c);
Response HandleProviderDashboard(const Ctx& c);
Response HandleProvider(const Ctx& c);
Response HandleMarket(const Ctx& c);

// --- Console tenant routes (routes_tenant.cc) ---
Response HandleUsageHistory(const Ctx& c);
Response HandleUsageStats(const Ctx& c);
Response HandleStripeTransactions(const Ctx& c);
Response HandleStripeExport(const Ctx& c);
Response HandleBalances(const Ctx& c);
Response HandleUserMe(const Ctx& c);
Response HandleWallets(const Ctx& c);
Response HandleDeployments(const Ctx& c);
Response HandleDeployment(const Ctx& c);
Response HandleConsoleBlocks(const Ctx& c);

// --- chain REST (routes_chain.cc) ---
Response HandleLeases(const Ctx& c, bool legacy);
Response HandleBids(const Ctx& c, bool legacy);
Response HandleBlock(const Ctx& c, std::optional<std::int64_t> height_or_latest);
Response HandleChainProvider(const Ctx& c);
Response HandleTakeParams(const Ctx& c);
Response HandleDiscovery(const Ctx& c);

// --- truth endpoints (truth.cc): independent straightforward loops over the world ---
Response HandleTruthWorld(const Ctx& c, double time_scale);
Response HandleTruthProvider(const Ctx& c);
Response HandleTruthProviderStatus(const Ctx& c);
Response HandleTruthEarnings(const Ctx& c);
Response HandleTruthTenant(const Ctx& c);

// --- shared world views ---
// Escrow payment of a lease as the chain shows it at `height`.
struct PaymentView {
  PaymentState state = PaymentState::kOpen;
  Int128 balance_milli = 0;
  Int128 unsettled_milli = 0;
  Int128 withdrawn_micro = 0;  // Coin: integer micro-units
};
PaymentView PaymentAt(const Lease& lease, std::int64_t height);

// Tenant usage for one day, before rounding; counts leases overlapping the day.
struct DayUsage {
  Int128 uakt_milli = 0;
  Int128 act_milli = 0;  // uact + uusdc
  Int128 usd_nano = 0;
  std::int64_t leases = 0;
};
// Rounds a whole-unit amount given in 1e-9 units to cents, half away from zero.
std::int64_t RoundToCents(Int128 units_1e9);

// The GPU attribute keys for a lease.
std::string GpuBidAttributeKey(const World& w, const Lease& l);
std::string GpuGroupAttributeKey(const World& w, const Lease& l);
// The resource units object of a lease as the chain's bids (resources_offer[].resources) and the
// Console's deployment groups (group_spec.resources[].resource) both carry it. Groups mark
// persistent storage with a class; bids carry only the persistent flag (storage_class "").
// An order, bid or lease id: {owner, dseq, gseq, oseq, provider[, bseq]}; bseq is absent in the
// pre-Mainnet-14 shapes.
void WriteOrderId(JsonWriter& w, const std::string& owner, const Lease& l,
                  const std::string& provider, std::optional<unsigned> bseq);
void WriteResourceUnits(JsonWriter& w, const Lease& l, const std::string& gpu_attribute_key,
                        std::string_view storage_class);

}  // namespace akash::sim
