#pragma once
// The simulated Akash world: providers, tenants, deployments, leases, bids, credit transactions
// and an AKT price series, generated deterministically from a seed. Every route of the
// simulator is computed from one World, so the answers agree with each other.
//
// Money is kept in exact integers: lease prices per block in "milli-micro" units (1e-3 of a
// micro-denom, so "152.341" uact/block is 152341), USD values in "nano-micro" units (1e-9 uusd).
// Heights follow one exact rule: height(t) = h0 + floor((t - t0) / block_ms).
//
// Thread-safety: a World is immutable after Generate(), apart from the AKT price revisions (the
// `revalue` fault), which are synchronised internally; any number of threads may read it.

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exporter/core/date.h"
#include "exporter/core/decimal.h"

namespace akash::sim {

using core::Int128;

enum class Denom : std::uint8_t { kUakt, kUusdc, kUact };
enum class LeaseState : std::uint8_t { kActive, kInsufficientFunds, kClosed, kReclaiming };
enum class PaymentState : std::uint8_t { kOpen, kClosed, kOverdrawn };
enum class BidState : std::uint8_t { kOpen, kActive, kLost, kClosed };

inline constexpr std::string_view kUsdcIbcDenom =
    "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1";
inline constexpr std::int64_t kOpenEnd = std::numeric_limits<std::int64_t>::max();
inline constexpr std::int64_t kDayMs = 86'400'000;

// Chain denom string ("uakt", the USDC ibc denom, "uact").
std::string_view ChainDenom(Denom d);
// Indexer name ("uakt", "uusdc", "uact").
std::string_view IndexerDenom(Denom d);
std::string_view LeaseStateName(LeaseState s);
std::string_view PaymentStateName(PaymentState s);
std::string_view BidStateName(BidState s);

struct GpuModel {
  std::string vendor;
  std::string model;
  std::string ram;
  std::string interface;
};

struct WorldConfig {
  std::uint64_t seed = 1;
  int providers = 3;
  int tenants = 5;
  int leases = 200;
  int days = 400;
  std::int64_t start_ms = 0;        // simulated "now" at start, unix ms
  std::int64_t block_ms = 6000;     // block interval
  bool mixed_stripe_shapes = true;  // tenant i with i % 3 == 2 uses the 2025 cursor shape
  bool all_cursor_stripe = false;
  // Percent of post-BME deployments left open (active or reclaiming); -1 keeps the natural ~62%.
  int open_share_percent = -1;
};

struct Provider {
  std::string address;
  std::string name;
  std::string host_uri;
  std::string email;
  std::string website;
  std::string earnings_api_key;  // "akash_<64 hex>"
  std::string region;
  std::int64_t created_height = 0;
  std::vector<int> gpu_models;    // indices into World::gpu_models()
  std::int64_t capacity_cpu = 0;  // thousandths of a vCPU
  std::int64_t capacity_gpu = 0;
  std::int64_t capacity_memory = 0;
  std::int64_t capacity_ephemeral = 0;
  std::int64_t capacity_persistent = 0;
  std::vector<std::uint32_t> leases;  // lease indices, ascending
  std::vector<std::uint32_t> bids;    // bid indices, ascending
  // What the Console's provider record says about health and reservations. Set from the
  // provider's index (i % 3: healthy, degraded with pending reservations, offline), not from
  // the seed's random stream, so every other generated value is unchanged by them.
  std::string akash_version;
  bool online = true;
  // Failed uptime checks (one every kUptimeCheckMs) in the last 1, 7 and 30 days.
  std::int64_t failed_checks_1d = 0;
  std::int64_t failed_checks_7d = 0;
  std::int64_t failed_checks_30d = 0;
  std::int64_t pending_cpu = 0;  // thousandths of a vCPU reserved for leases being created
  std::int64_t pending_gpu = 0;
  std::int64_t pending_memory = 0;
  std::int64_t pending_ephemeral = 0;
  std::int64_t pending_persistent = 0;
};

// The Console's uptime checker interval: 144 checks a day.
inline constexpr std::int64_t kUptimeCheckMs = 600'000;

struct StripeTxn {
  std::string id;         // uuid (current shape)
  std::string charge_id;  // "ch_..." (2025 cursor shape)
  std::string type;       // payment_intent | coupon_claim | manual_credit
  std::string
      status;  // created | pending | requires_action | succeeded | failed | refunded | canceled
  std::int64_t amount_cents = 0;
  std::int64_t refunded_cents = 0;
  std::int64_t bonus_cents = 0;
  std::int64_t created = 0;  // unix seconds
  std::string card_brand;    // empty = null
  std::string card_last4;
  std::string invoice_id;  // empty = null
  std::string description;
};

struct Tenant {
  std::string address;
  std::string console_api_key;  // "ac.sk.production.<64 hex>"
  std::string user_id;          // uuid
  std::string username;
  std::string email;
  std::int64_t wallet_id = 0;
  std::int64_t credit_amount = 0;  // uact micro
  std::int64_t grant_balance = 0;  // uact micro, remaining spend grant
  bool trialing = false;
  bool cursor_stripe = false;
  std::vector<StripeTxn> txns;  // newest first
  std::vector<std::uint32_t> leases;
  std::vector<std::uint32_t> deployments;
};

struct Deployment {
  std::uint32_t tenant = 0;
  std::int64_t dseq = 0;
  std::int64_t created_height = 0;
  std::vector<std::uint32_t> leases;
  std::int64_t escrow_funds_micro = 0;  // remaining deposit while open, 0 when closed
  std::string hash;
  bool gpu_wildcard = false;  // group spec asks vendor/nvidia/model/* instead of a model
};

struct Lease {
  std::uint32_t tenant = 0;
  std::uint32_t provider = 0;
  std::uint32_t deployment = 0;
  std::int64_t dseq = 0;
  std::uint32_t gseq = 1;
  std::uint32_t oseq = 1;
  std::uint32_t bseq = 0;
  Denom denom = Denom::kUact;
  std::int64_t price_milli = 0;  // per block, 1e-3 micro-denom
  std::int64_t created = 0;      // height; accrues from created (inclusive)
  std::int64_t end = kOpenEnd;   // height it stops accruing (closed_on), kOpenEnd while open
  LeaseState state = LeaseState::kActive;
  int reason = 0;                     // index into kLeaseReasons
  std::int64_t overdrawn_blocks = 0;  // debt of an overdrawn payment, in blocks of price
  std::int64_t cpu = 0;               // thousandths of a vCPU
  std::int64_t memory = 0;            // bytes
  std::int64_t ephemeral = 0;         // bytes
  std::int64_t persistent = 0;        // bytes
  std::int64_t gpus = 0;
  int gpu_model = -1;
  // USD value of the whole life of a closed lease (nano-micro), precomputed because uakt
  // leases need a walk over every day's AKT price; 0 while open.
  Int128 lifetime_usd_nano = 0;
  bool IsOpen() const { return end == kOpenEnd; }
};

struct Bid {
  std::uint32_t lease = 0;  // the lease whose order it bid on
  std::uint32_t provider = 0;
  std::uint32_t bseq = 0;
  BidState state = BidState::kActive;
  std::int64_t price_milli = 0;
};

// Sums over a block range, exact. Denoms in milli-micro units, USD in nano-micro.
struct Accrual {
  Int128 uakt = 0;
  Int128 uusdc = 0;
  Int128 uact = 0;
  Int128 usd_nano = 0;
  Accrual& operator+=(const Accrual& o) {
    uakt += o.uakt;
    uusdc += o.uusdc;
    uact += o.uact;
    usd_nano += o.usd_nano;
    return *this;
  }
  Accrual operator-(const Accrual& o) const {
    Accrual r = *this;
    r.uakt -= o.uakt;
    r.uusdc -= o.uusdc;
    r.uact -= o.uact;
    r.usd_nano -= o.usd_nano;
    return r;
  }
};

// Exact conversions to Decimal micro-units.
core::Decimal MilliToDecimal(Int128 milli);
core::Decimal NanoToDecimal(Int128 nano);

extern const char* const kLeaseReasons[7];

// A rewrite of past AKT prices, as the indexer's hourly CoinGecko refresh does: every day in
// [from, to) is valued at its price × factor_ppm / 1e6 (rounded to the micro-USD).
struct PriceRevision {
  core::Date from;
  core::Date to;
  std::int64_t factor_ppm = 1'000'000;
  friend bool operator==(const PriceRevision&, const PriceRevision&) = default;
};

class World {
 public:
  static World Generate(const WorldConfig& config);

  const WorldConfig& config() const { return config_; }
  const std::vector<Provider>& providers() const { return providers_; }
  const std::vector<Tenant>& tenants() const { return tenants_; }
  const std::vector<Deployment>& deployments() const { return deployments_; }
  const std::vector<Lease>& leases() const { return leases_; }
  const std::vector<Bid>& bids() const { return bids_; }
  const std::vector<GpuModel>& gpu_models() const { return gpu_models_; }

  // Block <-> time, exact.
  std::int64_t genesis_height() const { return h0_; }
  std::int64_t genesis_ms() const { return t0_ms_; }
  std::int64_t block_ms() const { return config_.block_ms; }
  std::int64_t HeightAt(std::int64_t unix_ms) const;
  std::int64_t TimeOfHeight(std::int64_t height) const;
  // First height whose block time is >= unix_ms.
  std::int64_t FirstHeightAtOrAfter(std::int64_t unix_ms) const;
  // First height of UTC day `d` (the block at or after its 00:00Z).
  std::int64_t DayStartHeight(core::Date d) const;
  core::Date DayOfHeight(std::int64_t height) const;
  std::int64_t bme_height() const { return bme_height_; }
  static core::Date BmeDate() { return core::Date::FromYmd(2026, 3, 21); }

  // AKT price in micro-USD for a UTC day: a deterministic function of the day, times the
  // factor of the first revision covering it.
  std::int64_t AktPriceMicro(core::Date d) const;
  // The revisions in force (the router sets them from the `revalue` faults). Every route and
  // truth answer computed afterwards uses the revised prices. Thread-safe.
  void SetPriceRevisions(std::vector<PriceRevision> revisions) const;
  std::vector<PriceRevision> PriceRevisions() const;

  // Lookups; -1 when absent.
  int ProviderIndex(std::string_view address) const;
  int TenantIndex(std::string_view address) const;
  int TenantByConsoleKey(std::string_view key) const;
  int ProviderByEarningsKey(std::string_view key) const;
  int DeploymentIndex(std::string_view owner, std::int64_t dseq) const;
  // A valid earnings key bound to a wallet that is not a provider (the API answers 404).
  const std::string& orphan_earnings_key() const { return orphan_key_; }
  const std::string& orphan_address() const { return orphan_address_; }

  // Route-side accrual: a provider's leases over heights [from_h, to_h), split by day for USD.
  Accrual ProviderAccrual(int provider, std::int64_t from_h, std::int64_t to_h) const;
  // One lease over [from_h, to_h), split by day for USD.
  Accrual LeaseAccrual(const Lease& lease, std::int64_t from_h, std::int64_t to_h) const;

 private:
  WorldConfig config_;
  std::int64_t h0_ = 0;
  std::int64_t t0_ms_ = 0;
  std::int64_t bme_height_ = 0;
  std::uint64_t price_salt_ = 0;
  // The only state that changes after Generate(): shared so that World stays copyable, and
  // checked through `active` first so that the common case takes no lock.
  struct RevisionState {
    std::atomic<bool> active{false};
    mutable std::mutex mu;
    std::vector<PriceRevision> revisions;
  };
  std::shared_ptr<RevisionState> revision_state_ = std::make_shared<RevisionState>();
  std::string orphan_key_;
  std::string orphan_address_;
  std::vector<GpuModel> gpu_models_;
  std::vector<Provider> providers_;
  std::vector<Tenant> tenants_;
  std::vector<Deployment> deployments_;
  std::vector<Lease> leases_;
  std::vector<Bid> bids_;
  std::unordered_map<std::string, int> provider_by_address_;
  std::unordered_map<std::string, int> provider_by_key_;
  std::unordered_map<std::string, int> tenant_by_address_;
  std::unordered_map<std::string, int> tenant_by_key_;
  std::unordered_map<std::string, int> deployment_by_id_;
};

// Formats helpers shared by routes and truth.
// "152.341000000000000000" from milli-micro units (18 fractional digits).
std::string FormatDec18(Int128 milli);
// Integer string, truncated toward zero, from milli-micro units.
std::string FormatCoinFloor(Int128 milli);
std::string Int128ToString(Int128 v);
// RFC3339 with Go's RFC3339Nano trimming ("2026-08-20T12:00:03.512Z").
std::string FormatRfc3339(std::int64_t unix_ms);
// JavaScript Date#toISOString ("2026-08-20T12:00:03.512Z", always 3 fractional digits).
std::string FormatIsoMillis(std::int64_t unix_ms);

}  // namespace akash::sim
