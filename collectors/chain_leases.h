#pragma once
// chain_leases: a provider's leases straight from the chain REST API (upstream-apis.md section 3):
// leases by state, run-rate per hour, escrow, withdrawals, GPUs by model (joined from bids),
// GPU-seconds, block height and the measured block interval (metrics.md "From chain_leases").
//
// Cost grows with what changes, not with history (docs/chain_leases.md):
//   - the first poll (or one after the cache was lost) crawls every lease and bid of the
//     provider, folds the leases that are final (closed, insufficient_funds: they have a
//     closing height and never change) into an aggregate and keeps only the open ones;
//   - later polls list the active leases (filters.state=active), the reclaiming ones only while
//     some are tracked, fetch by full id each tracked lease that left both lists (its final
//     record), and look up the bids of newly seen leases;
//   - once a day the whole crawl is repeated, to count leases that opened and closed between
//     two polls (the incremental view cannot see them).
// The aggregate and the set of tracked open leases live in PollContext::state (a versioned
// JSON blob; an unreadable blob means a full crawl), so a restart with --storage.path does not
// re-read the closed history.
//
// Endpoints are tried in order; a transport error, 5xx or 429 moves to the next one within the
// same request, and the one that answered is used first from then on. A node answering 404/501
// on market v1beta5 is asked for v1beta4 (the pre-Mainnet-14 shape) instead.
//
// Thread-safety: Poll() is never concurrent with itself (source.h); all state is owned by the
// Source. SharedFacts is read for the AKT price and written with the block interval.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/chain_parse.h"
#include "collectors/source.h"
#include "exporter/core/decimal.h"

namespace akash::collectors {

struct ChainLeasesOptions {
  std::string provider;
  std::vector<std::string> endpoints;  // chain REST base URLs, in failover order
  std::uint32_t page_limit = 1000;
  bool per_lease_series = false;
  std::uint32_t max_lease_series = 5000;
  // The chain-wide gauges (height, block interval) carry no provider label, so only one
  // chain_leases source per config publishes them.
  bool publish_chain_gauges = true;
  // A listing that needs more pages than this is an error, not an endless crawl.
  std::uint32_t max_pages = 5000;
  // Above this many leases to fetch one by one (closings, bids of new leases), a listing or a
  // full crawl is cheaper.
  std::size_t max_single_fetches = 50;
  std::chrono::seconds reconcile_every{24 * 3600};
  std::int64_t block_sample = 1000;  // N of the block-interval measurement
};

// What a poll did, for tests and the benchmark.
struct ChainCrawlStats {
  bool full = false;
  std::uint64_t requests = 0;
  std::uint64_t lease_pages = 0;
  std::uint64_t bid_pages = 0;
  std::uint64_t single_fetches = 0;
};

namespace chain {

// Sums over a set of leases, exact, in micro-units; index 0 = AKT, 1 = ACT.
struct Sums {
  core::Decimal withdrawn[2];
  core::Decimal balance[2];    // payments not closed
  core::Decimal unsettled[2];  // debt of overdrawn payments
  std::int64_t overdrawn = 0;
  std::map<std::string, std::int64_t> gpu_blocks;  // "vendor/model" → GPUs × blocks
  void Add(const LeaseRecord& r, const GpuOffers& gpus, std::int64_t height);
};

// What persists: the aggregate of every final lease and the ids of the open ones.
struct CrawlCache {
  ApiShape shape = ApiShape::kV1beta5;
  std::int64_t full_crawl_unix = 0;  // time of the last full crawl
  std::int64_t closed = 0;
  std::int64_t insufficient_funds = 0;
  Sums final_sums;
  struct Open {
    LeaseRecord record;  // only id and state survive a restart; the rest is refetched
    GpuOffers gpus;
  };
  std::map<std::string, Open> open;  // by LeaseId::Key()
};

std::string EncodeCache(const CrawlCache& cache);
// nullopt for anything this build cannot read (other version, corrupt).
std::optional<CrawlCache> DecodeCache(std::string_view blob);

}  // namespace chain

class ChainLeasesSource final : public Source {
 public:
  explicit ChainLeasesSource(ChainLeasesOptions options);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return options_.provider; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

  const ChainCrawlStats& last_stats() const { return stats_; }
  // The endpoints of one poll (failover, version detection); defined in the .cc.
  class Client;
  // Index into options.endpoints of the endpoint in use.
  std::size_t current_endpoint() const { return current_; }

 private:
  core::Status FullCrawl(Client& client, std::int64_t height, std::int64_t now_unix);
  // Returns false (without error) when the changes are too many and a full crawl is cheaper.
  core::Result<bool> Incremental(Client& client, std::int64_t height);
  core::Result<double> BlockInterval(Client& client, std::int64_t height, std::int64_t time_ns);
  PollOutput Build(const PollContext& ctx, std::int64_t height, double interval) const;

  std::string name_;
  ChainLeasesOptions options_;
  std::size_t current_ = 0;
  std::vector<std::optional<chain::ApiShape>> shapes_;  // per endpoint, once known
  bool loaded_ = false;
  std::optional<chain::CrawlCache> cache_;
  std::string saved_blob_;
  ChainCrawlStats stats_;
};

}  // namespace akash::collectors
