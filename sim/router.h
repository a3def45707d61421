#pragma once
// The simulator's request router: a pure function of (request, world, simulated time, faults)
// to a response, so tests can call it without sockets. The server (server.h) only moves bytes
// and carries out the transport-level instructions a response may hold (delay, drip, reset).
//
// Thread-safety: Handle() may be called from many threads at once. The World is read-only,
// the clock and the fault set are internally synchronised, and counters are atomic.

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/clock.h"
#include "sim/faults.h"
#include "sim/world.h"

namespace akash::sim {

// Route names, used by faults ("route" field) and by /_sim/stats.
enum class Route : int {
  kProviderConsoleEarnings,  // GET /provider-earnings (Provider Console API)
  kProviderEarnings,         // GET /v1/provider-earnings/{owner}
  kProviderDashboard,        // GET /v1/provider-dashboard/{owner}
  kProvider,                 // GET /v1/providers/{address}
  kMarket,                   // GET /v1/market-data/akt
  kUsageHistory,             // GET /v1/usage/history
  kUsageStats,               // GET /v1/usage/history/stats
  kStripeTransactions,       // GET /v1/stripe/transactions
  kStripeExport,             // GET /v1/stripe/transactions/export (CSV)
  kBalances,                 // GET /v1/balances
  kUserMe,                   // GET /v1/user/me
  kWallets,                  // GET /v1/wallets
  kDeployments,              // GET /v1/deployments
  kDeployment,               // GET /v1/deployment/{owner}/{dseq}
  kConsoleBlocks,            // GET /v1/blocks (the Console indexer's latest blocks)
  kLeases,                   // GET /akash/market/v1beta5|v1beta4/leases/list
  kBids,                     // GET /akash/market/v1beta5|v1beta4/bids/list
  kBlocksLatest,             // GET /cosmos/base/tendermint/v1beta1/blocks/latest
  kBlocks,                   // GET /cosmos/base/tendermint/v1beta1/blocks/{height}
  kChainProvider,            // GET /akash/provider/v1beta4/providers/{owner}
  kTakeParams,               // GET /akash/take/v1/params (v1beta3 on --legacy-chain)
  kDiscovery,                // GET /akash/discovery/v1/info
  kUnknown,                  // anything else outside /_sim/
  kCount,
};

std::string_view RouteName(Route r);
bool IsRouteName(std::string_view name);

struct Request {
  std::string method = "GET";
  std::string path;   // URL-decoded path, no query
  std::string query;  // raw query string (percent-encoded), without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Case-insensitive header lookup.
  std::optional<std::string> Header(std::string_view name) const;
};

// What the transport must do besides writing status, headers and body.
enum class Transport {
  kNormal,
  kDelay,  // wait transport_ms (interruptible by shutdown), then answer normally
  kDrip,   // send headers, then trickle the body over transport_ms
  kReset,  // answer nothing: reset the TCP connection (RST)
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Transport transport = Transport::kNormal;
  std::int64_t transport_ms = 0;
  Route route = Route::kUnknown;

  std::optional<std::string> Header(std::string_view name) const;
};

struct RouterOptions {
  std::int64_t indexer_lag_ms = 60'000;
  bool legacy_chain = false;      // serve market v1beta4 / escrow v1beta3 shapes instead
  std::string node_version = "";  // default: "v2.1.0", or "v0.38.0" with legacy_chain
  // Console as before 2026-04-09: no *Act* fields in usage rows, provider earnings, dashboard.
  bool console_without_act = false;
  // Usage rows for days the indexer has not reached reproduce production's bogus values
  // (every lease, whole lifetime) instead of zeros.
  bool usage_future_quirk = false;
  // Major version >= 2 has no take module: /akash/take/v1/params answers 501.
  int NodeMajor() const;
  std::string NodeVersion() const;
};

// Parsed query string: '+' means space and %XX is decoded, as Go's url.ParseQuery does.
class Query {
 public:
  explicit Query(std::string_view raw);
  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

std::string PercentDecode(std::string_view s, bool plus_is_space);

class Router {
 public:
  // `world` and `clock` must outlive the router.
  Router(const World& world, SimClock& clock, RouterOptions options);

  Response Handle(const Request& request);

  FaultSet& faults() { return faults_; }
  const World& world() const { return world_; }
  SimClock& clock() { return clock_; }
  const RouterOptions& options() const { return options_; }

  std::int64_t ChainHeight() const;    // latest block now
  std::int64_t IndexedHeight() const;  // latest block the Console indexer has processed
  std::uint64_t RequestCount(Route r) const { return counts_[static_cast<std::size_t>(r)].load(); }

 private:
  Response Dispatch(const Request& request, Route* route);
  Response HandleControl(const Request& request);
  Response ApplyFault(const Fault& fault, Route route, const Request& request, Response normal);
  // Derives the world's AKT price revisions from the `revalue` faults (a date-less revalue
  // means "every day before the simulated today", so a new day moves it too).
  void SyncPriceRevisions();

  const World& world_;
  SimClock& clock_;
  RouterOptions options_;
  FaultSet faults_;
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Route::kCount)> counts_{};
  std::mutex revision_mu_;
  std::uint64_t revision_generation_ = ~std::uint64_t{0};
  std::int64_t revision_day_ = 0;
};

}  // namespace akash::sim
