#pragma once
// Parsing of the chain REST answers chain_leases reads (upstream-apis.md section 3): lease and
// bid list pages in the current shape (market v1beta5, escrow v1) and the pre-Mainnet-14 one
// (market v1beta4, escrow v1beta3), and block headers.
//
// Amounts stay exact: DecCoin strings ("152.341000000000000000", 18 fractional digits) and Coin
// integer strings ("1827092") both go into core::Decimal, in micro-units of their denom.
//
// Errors: a malformed body or record is a kParse core::Error naming the route and field; the
// body is never quoted. Thread-safety: free functions over value types.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/decimal.h"
#include "exporter/core/result.h"

namespace akash::collectors::chain {

// The USDC denom on the chain (the indexer's "uusdc"); it counts as ACT.
inline constexpr std::string_view kUsdcIbcDenom =
    "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1";

// Which API generation a node serves.
enum class ApiShape { kV1beta5, kV1beta4 };

// The money unit a denom counts in: uakt → AKT; uact and USDC → ACT; anything else is not
// money the exporter reports (it is counted in states but left out of sums).
enum class Unit { kAkt, kAct, kOther };
Unit UnitOf(std::string_view denom);

enum class LeaseState { kActive, kInsufficientFunds, kClosed, kReclaiming };
inline constexpr LeaseState kAllLeaseStates[] = {LeaseState::kActive,
                                                 LeaseState::kInsufficientFunds,
                                                 LeaseState::kClosed, LeaseState::kReclaiming};
std::string_view ToString(LeaseState state);

enum class PaymentState { kOpen, kClosed, kOverdrawn };

// A lease's full id. bseq is 0 on v1beta4, which has none.
struct LeaseId {
  std::string owner;
  std::string dseq;  // decimal digits, as the chain sends it
  std::uint32_t gseq = 0;
  std::uint32_t oseq = 0;
  std::string provider;
  std::uint32_t bseq = 0;
  // "owner/dseq/gseq/oseq/provider/bseq": the join key between a lease and its bid.
  std::string Key() const;
};

struct LeaseRecord {
  LeaseId id;
  LeaseState state = LeaseState::kActive;
  std::string denom;
  Unit unit = Unit::kOther;
  core::Decimal price;  // per block, micro-units
  std::int64_t created_at = 0;
  std::int64_t closed_on = 0;  // 0 while open
  PaymentState payment_state = PaymentState::kOpen;
  core::Decimal balance;    // micro-units
  core::Decimal unsettled;  // micro-units; absent in v1beta3 escrow (0)
  core::Decimal withdrawn;  // micro-units
  // A closed or insufficient_funds lease has a closing height and never changes again.
  bool Final() const {
    return state == LeaseState::kClosed || state == LeaseState::kInsufficientFunds;
  }
};

// GPUs a bid offered, by "vendor/model".
struct GpuOffer {
  std::string vendor;
  std::string model;
  std::int64_t gpus = 0;
};
using GpuOffers = std::vector<GpuOffer>;

struct Page {
  std::string next_key;  // empty at the end (null or "")
};

// Parses one leases/list page, appending every record to `out`.
core::Result<Page> ParseLeasesPage(std::string_view body, std::string_view route, ApiShape shape,
                                   std::vector<LeaseRecord>* out);

// Parses one bids/list page. Bids offering GPUs are added to `out` under their id's Key();
// `keep`, when non-null, limits that to the keys it holds.
core::Result<Page> ParseBidsPage(std::string_view body, std::string_view route, ApiShape shape,
                                 std::map<std::string, GpuOffers>* out,
                                 const std::map<std::string, bool>* keep = nullptr);

struct BlockHeader {
  std::int64_t height = 0;
  // Unix time in nanoseconds, exact (block times carry up to 9 fractional digits).
  std::int64_t time_ns = 0;
};
core::Result<BlockHeader> ParseBlock(std::string_view body, std::string_view route);

// RFC 3339 "2026-08-20T12:00:03.512345678Z" (or with an offset) to Unix nanoseconds.
std::optional<std::int64_t> ParseRfc3339Nanos(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters, so a next_key's '+', '/'
// and '=' survive the query string.
std::string UrlEncode(std::string_view text);

}  // namespace akash::collectors::chain
