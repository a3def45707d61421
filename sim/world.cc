#include "sim/world.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>

#include "sim/bech32.h"

namespace akash::sim {
namespace {

// splitmix64: tiny, portable and fully specified, so a seed gives the same world everywhere
// (std:: distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  std::int64_t Range(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return static_cast<int>(Next() % 100) < percent; }
  std::string Hex(int n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(kHex[Next() & 15]);
    return s;
  }
  std::string Uuid() {
    std::string h = Hex(32);
    h[12] = '4';
    h[16] = "89ab"[Next() & 3];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
  }
  std::string Address() {
    std::vector<std::uint8_t> bytes(20);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(Next());
    return Bech32Encode("akash", bytes);
  }

 private:
  std::uint64_t state_;
};

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) { return -FloorDiv(-a, b); }

constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;
constexpr std::int64_t kBlocksPerDay6s = 14'400;

}  // namespace

const char* const kLeaseReasons[7] = {
    "lease_closed_invalid",
    "lease_closed_owner",
    "lease_closed_reason_unstable",
    "lease_closed_reason_decommission",
    "lease_closed_reason_unspecified",
    "lease_closed_reason_manifest_timeout",
    "lease_closed_reason_insufficient_funds",
};

std::string_view ChainDenom(Denom d) {
  switch (d) {
    case Denom::kUakt:
      return "uakt";
    case Denom::kUusdc:
      return kUsdcIbcDenom;
    case Denom::kUact:
      return "uact";
  }
  return "uact";
}

std::string_view IndexerDenom(Denom d) {
  switch (d) {
    case Denom::kUakt:
      return "uakt";
    case Denom::kUusdc:
      return "uusdc";
    case Denom::kUact:
      return "uact";
  }
  return "uact";
}

std::string_view LeaseStateName(LeaseState s) {
  switch (s) {
    case LeaseState::kActive:
      return "active";
    case LeaseState::kInsufficientFunds:
      return "insufficient_funds";
    case LeaseState::kClosed:
      return "closed";
    case LeaseState::kReclaiming:
      return "reclaiming";
  }
  return "active";
}

std::string_view PaymentStateName(PaymentState s) {
  switch (s) {
    case PaymentState::kOpen:
      return "open";
    case PaymentState::kClosed:
      return "closed";
    case PaymentState::kOverdrawn:
      return "overdrawn";
  }
  return "open";
}

std::string_view BidStateName(BidState s) {
  switch (s) {
    case BidState::kOpen:
      return "open";
    case BidState::kActive:
      return "active";
    case BidState::kLost:
      return "lost";
    case BidState::kClosed:
      return "closed";
  }
  return "open";
}

std::string Int128ToString(Int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  core::UInt128 u = neg ? static_cast<core::UInt128>(-(v + 1)) + 1 : static_cast<core::UInt128>(v);
  std::string s;
  while (u > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

std::string FormatDec18(Int128 milli) {
  bool neg = milli < 0;
  Int128 a = neg ? -milli : milli;
  std::string frac = std::to_string(static_cast<int>(a % 1000));
  while (frac.size() < 3) frac.insert(frac.begin(), '0');
  return (neg ? "-" : "") + Int128ToString(a / 1000) + "." + frac + "000000000000000";
}

std::string FormatCoinFloor(Int128 milli) { return Int128ToString(milli / 1000); }

core::Decimal MilliToDecimal(Int128 milli) {
  return core::Decimal::Raw(milli * static_cast<Int128>(1'000'000'000'000'000LL));
}

core::Decimal NanoToDecimal(Int128 nano) {
  return core::Decimal::Raw(nano * static_cast<Int128>(1'000'000'000LL));
}

namespace {
std::string FormatTime(std::int64_t unix_ms, bool go_trim) {
  std::int64_t days = FloorDiv(unix_ms, kDayMs);
  std::int64_t rem = unix_ms - days * kDayMs;
  int ms = static_cast<int>(rem % 1000);
  int secs = static_cast<int>(rem / 1000);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d", core::Date::FromDays(days).ToString().c_str(),
                secs / 3600, (secs / 60) % 60, secs % 60);
  std::string out = buf;
  if (go_trim) {
    if (ms != 0) {
      char f[8];
      std::snprintf(f, sizeof f, ".%03d", ms);
      std::string frac = f;
      while (frac.back() == '0') frac.pop_back();
      out += frac;
    }
  } else {
    char f[8];
    std::snprintf(f, sizeof f, ".%03d", ms);
    out += f;
  }
  return out + "Z";
}
}  // namespace

std::string FormatRfc3339(std::int64_t unix_ms) { return FormatTime(unix_ms, true); }
std::string FormatIsoMillis(std::int64_t unix_ms) { return FormatTime(unix_ms, false); }

std::int64_t World::HeightAt(std::int64_t unix_ms) const {
  return h0_ + FloorDiv(unix_ms - t0_ms_, config_.block_ms);
}

std::int64_t World::TimeOfHeight(std::int64_t height) const {
  return t0_ms_ + (height - h0_) * config_.block_ms;
}

std::int64_t World::FirstHeightAtOrAfter(std::int64_t unix_ms) const {
  return h0_ + CeilDiv(unix_ms - t0_ms_, config_.block_ms);
}

std::int64_t World::DayStartHeight(core::Date d) const {
  return FirstHeightAtOrAfter(d.days() * kDayMs);
}

core::Date World::DayOfHeight(std::int64_t height) const {
  return core::Date::FromDays(FloorDiv(TimeOfHeight(height), kDayMs));
}

void World::SetPriceRevisions(std::vector<PriceRevision> revisions) const {
  std::lock_guard lock(revision_state_->mu);
  revision_state_->revisions = std::move(revisions);
  revision_state_->active.store(!revision_state_->revisions.empty());
}

std::vector<PriceRevision> World::PriceRevisions() const {
  std::lock_guard lock(revision_state_->mu);
  return revision_state_->revisions;
}

std::int64_t World::AktPriceMicro(core::Date d) const {
  std::int64_t factor_ppm = 1'000'000;
  if (revision_state_->active.load()) {
    std::lock_guard lock(revision_state_->mu);
    for (const PriceRevision& r : revision_state_->revisions) {
      if (r.from <= d && d < r.to) {
        factor_ppm = r.factor_ppm;
        break;
      }
    }
  }
  // A smooth deterministic curve with a little per-day noise, between ~0.9 and ~4.2 USD.
  double x = static_cast<double>(d.days());
  std::uint64_t h = (static_cast<std::uint64_t>(d.days()) * 0x9e3779b97f4a7c15ULL) ^ price_salt_;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  double noise = static_cast<double>(h % 10001) / 10000.0 - 0.5;
  double price = 2.5 + 1.2 * std::sin(x / 41.0) + 0.35 * std::sin(x / 7.3) + 0.1 * noise;
  const std::int64_t micro = static_cast<std::int64_t>(std::llround(price * 1e6));
  if (factor_ppm == 1'000'000) return micro;
  // Exact integer rounding, half up: micro × ppm stays far below 2^63.
  return (micro * factor_ppm + 500'000) / 1'000'000;
}

int World::ProviderIndex(std::string_view address) const {
  auto it = provider_by_address_.find(std::string(address));
  return it == provider_by_address_.end() ? -1 : it->second;
}

int World::TenantIndex(std::string_view address) const {
  auto it = tenant_by_address_.find(std::string(address));
  return it == tenant_by_address_.end() ? -1 : it->second;
}

int World::TenantByConsoleKey(std::string_view key) const {
  auto it = tenant_by_key_.find(std::string(key));
  return it == tenant_by_key_.end() ? -1 : it->second;
}

int World::ProviderByEarningsKey(std::string_view key) const {
  auto it = provider_by_key_.find(std::string(key));
  return it == provider_by_key_.end() ? -1 : it->second;
}

int World::DeploymentIndex(std::string_view owner, std::int64_t dseq) const {
  auto it = deployment_by_id_.find(std::string(owner) + "/" + std::to_string(dseq));
  return it == deployment_by_id_.end() ? -1 : it->second;
}

Accrual World::LeaseAccrual(const Lease& lease, std::int64_t from_h, std::int64_t to_h) const {
  Accrual a;
  std::int64_t lo = std::max(lease.created, from_h);
  std::int64_t hi = std::min(lease.end, to_h);
  if (hi <= lo) return a;
  Int128 amount = static_cast<Int128>(lease.price_milli) * (hi - lo);
  switch (lease.denom) {
    case Denom::kUakt: {
      a.uakt = amount;
      // The precomputed lifetime value holds only for the original prices.
      if (lo == lease.created && hi == lease.end && lease.lifetime_usd_nano != 0 &&
          !revision_state_->active.load()) {
        a.usd_nano = lease.lifetime_usd_nano;
        break;
      }
      // USD needs each day's AKT price: walk the days the range touches.
      std::int64_t cur = lo;
      while (cur < hi) {
        core::Date d = DayOfHeight(cur);
        std::int64_t next = std::min(hi, DayStartHeight(d.AddDays(1)));
        a.usd_nano += static_cast<Int128>(lease.price_milli) * (next - cur) * AktPriceMicro(d);
        cur = next;
      }
      break;
    }
    case Denom::kUusdc:
      a.uusdc = amount;
      a.usd_nano = amount * 1'000'000;
      break;
    case Denom::kUact:
      a.uact = amount;
      a.usd_nano = amount * 1'000'000;
      break;
  }
  return a;
}

Accrual World::ProviderAccrual(int provider, std::int64_t from_h, std::int64_t to_h) const {
  Accrual total;
  if (to_h <= from_h) return total;
  for (std::uint32_t li : providers_[static_cast<std::size_t>(provider)].leases) {
    total += LeaseAccrual(leases_[li], from_h, to_h);
  }
  return total;
}

World World::Generate(const WorldConfig& config) {
  World w;
  w.config_ = config;
  Rng rng(config.seed * 0x2545F4914F6CDD1DULL + 0x1234567);
  w.price_salt_ = rng.Next();
  w.orphan_address_ = rng.Address();
  w.orphan_key_ = "akash_" + rng.Hex(64);

  const std::int64_t start_day_ms = FloorDiv(config.start_ms, kDayMs) * kDayMs;
  // Genesis a month before the history starts, off the whole second so block times carry
  // fractional seconds like the real chain.
  w.t0_ms_ = start_day_ms - static_cast<std::int64_t>(config.days + 30) * kDayMs + 3512;
  w.h0_ = 18'000'000;
  w.bme_height_ = w.DayStartHeight(BmeDate());
  const std::int64_t start_h = w.HeightAt(config.start_ms);
  const std::int64_t hist_h =
      w.HeightAt(config.start_ms - static_cast<std::int64_t>(config.days) * kDayMs);
  const std::int64_t blocks_per_day = kDayMs / config.block_ms;

  w.gpu_models_ = {
      {"nvidia", "h100", "80Gi", "sxm"},     {"nvidia", "a100", "80Gi", "pcie"},
      {"nvidia", "rtx4090", "24Gi", "pcie"}, {"nvidia", "h200", "141Gi", "sxm"},
      {"nvidia", "l40s", "48Gi", "pcie"},    {"nvidia", "a6000", "48Gi", "pcie"},
  };
  // uact micro per block per GPU.
  const std::int64_t gpu_price[] = {2500, 1400, 500, 3200, 900, 600};

  static const char* const kRegions[] = {"us-west", "us-east", "eu-central", "ap-southeast"};
  for (int i = 0; i < config.providers; ++i) {
    Provider p;
    p.address = rng.Address();
    p.name = "sim-provider-" + std::to_string(i + 1);
    p.host_uri = "https://provider.p" + std::to_string(i + 1) + ".sim.akash.test:8443";
    p.email = "ops@p" + std::to_string(i + 1) + ".sim.akash.test";
    p.website = "https://p" + std::to_string(i + 1) + ".sim.akash.test";
    p.earnings_api_key = "akash_" + rng.Hex(64);
    p.region = kRegions[i % 4];
    p.created_height = hist_h - rng.Range(1000, 20000);
    int first = static_cast<int>(rng.Range(0, 5));
    p.gpu_models.push_back(first);
    if (rng.Chance(60)) p.gpu_models.push_back((first + 1 + static_cast<int>(rng.Range(0, 4))) % 6);
    w.providers_.push_back(std::move(p));
  }

  static const char* const kBrands[] = {"visa", "mastercard", "amex"};
  for (int i = 0; i < config.tenants; ++i) {
    Tenant t;
    t.address = rng.Address();
    t.console_api_key = "ac.sk.production." + rng.Hex(64);
    t.user_id = rng.Uuid();
    t.username = "sim-tenant-" + std::to_string(i + 1);
    t.email = t.username + "@sim.akash.test";
    t.wallet_id = 1000 + i;
    t.trialing = (i == 0);
    t.cursor_stripe = config.all_cursor_stripe || (config.mixed_stripe_shapes && i % 3 == 2);
    // The first ten transactions cover every type and status; the rest are random.
    struct Pick {
      const char* type;
      const char* status;
      bool partial;
    };
    static const Pick kCover[] = {
        {"payment_intent", "succeeded", false},       {"payment_intent", "failed", false},
        {"payment_intent", "canceled", false},        {"payment_intent", "pending", false},
        {"payment_intent", "requires_action", false}, {"payment_intent", "created", false},
        {"payment_intent", "refunded", false},        {"payment_intent", "succeeded", true},
        {"coupon_claim", "succeeded", false},         {"manual_credit", "succeeded", false},
    };
    static const char* const kStatuses[] = {"succeeded", "succeeded", "succeeded", "succeeded",
                                            "failed",    "canceled",  "pending",   "refunded"};
    int n = 10 + static_cast<int>(rng.Range(0, 14));
    std::int64_t start_s = config.start_ms / 1000;
    std::int64_t hist_s = start_s - static_cast<std::int64_t>(config.days) * 86400;
    for (int k = 0; k < n; ++k) {
      StripeTxn x;
      Pick pick{"payment_intent", kStatuses[rng.Range(0, 7)], false};
      if (k < 10)
        pick = kCover[k];
      else if (rng.Chance(10))
        pick = {"coupon_claim", "succeeded", false};
      else if (rng.Chance(8))
        pick = {"manual_credit", "succeeded", false};
      else if (rng.Chance(10))
        pick.partial = true, pick.status = "succeeded";
      x.id = rng.Uuid();
      x.charge_id = "ch_3" + rng.Hex(23);
      x.type = pick.type;
      x.status = pick.status;
      x.created = rng.Range(hist_s, start_s - 60);
      if (x.type == "payment_intent") {
        x.amount_cents = rng.Range(20, 1000) * 100;
        x.card_brand = kBrands[rng.Range(0, 2)];
        x.card_last4 = std::to_string(rng.Range(1000, 9999));
        x.description = "Akash Console credits";
        if (x.status == "succeeded" || x.status == "refunded") {
          x.bonus_cents = rng.Chance(30) ? x.amount_cents / 20 : 0;
        }
        if (x.status == "refunded") x.refunded_cents = x.amount_cents;
        if (pick.partial) x.refunded_cents = rng.Range(1, x.amount_cents / 100 - 1) * 100;
      } else if (x.type == "coupon_claim") {
        x.amount_cents = rng.Range(10, 50) * 100;
        x.invoice_id = "in_1" + rng.Hex(23);
        x.description = "Coupon claim";
      } else {
        x.amount_cents = rng.Range(5, 500) * 100;
        x.invoice_id = "in_1" + rng.Hex(23);
        x.description = "Manual credit by support";
      }
      if (x.status == "succeeded" || x.status == "refunded") {
        t.credit_amount += (x.amount_cents - x.refunded_cents + x.bonus_cents) * 10'000;
      }
      t.txns.push_back(std::move(x));
    }
    std::stable_sort(t.txns.begin(), t.txns.end(),
                     [](const StripeTxn& a, const StripeTxn& b) { return a.created > b.created; });
    t.grant_balance = t.credit_amount > 0 ? rng.Range(0, t.credit_amount / 4) : 0;
    w.tenants_.push_back(std::move(t));
  }

  // Deployments: creation heights first, sorted, so dseq and lease order follow time.
  struct Plan {
    std::int64_t created;
    std::uint32_t tenant;
    int groups;
  };
  std::vector<Plan> plans;
  int planned = 0;
  while (planned < config.leases && config.tenants > 0 && config.providers > 0) {
    Plan p;
    p.tenant = static_cast<std::uint32_t>(rng.Range(0, config.tenants - 1));
    p.created = rng.Range(hist_h, start_h - 20);
    p.groups = (rng.Chance(25) && planned + 2 <= config.leases) ? 2 : 1;
    planned += p.groups;
    plans.push_back(p);
  }
  std::stable_sort(plans.begin(), plans.end(),
                   [](const Plan& a, const Plan& b) { return a.created < b.created; });

  std::set<std::pair<std::uint32_t, std::int64_t>> used;
  const bool bme_passed = w.bme_height_ <= start_h;
  for (const Plan& plan : plans) {
    Deployment d;
    d.tenant = plan.tenant;
    d.created_height = plan.created;
    d.dseq = plan.created;
    while (!used.insert({plan.tenant, d.dseq}).second) ++d.dseq;
    d.hash = rng.Hex(64);
    for (auto& c : d.hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

    const std::int64_t lease_created = plan.created + rng.Range(1, 6);
    const bool pre_bme = lease_created < w.bme_height_;
    LeaseState state;
    std::int64_t end = kOpenEnd;
    int reason = 0;
    int r = static_cast<int>(rng.Range(0, 99));
    if (pre_bme && bme_passed) {
      state = r < 85 ? LeaseState::kClosed : LeaseState::kInsufficientFunds;
    } else if (r < 55) {
      state = LeaseState::kActive;
    } else if (r < 83) {
      state = LeaseState::kClosed;
    } else if (r < 93) {
      state = LeaseState::kInsufficientFunds;
    } else {
      state = LeaseState::kReclaiming;
    }
    // --open-share: keep only that share of deployments open. The choice and the closed
    // lease's numbers come from a generator of their own, so the main sequence (and every
    // world generated without the option) stays the same.
    std::optional<Rng> own;
    if (config.open_share_percent >= 0 && config.open_share_percent < 62 &&
        (state == LeaseState::kActive || state == LeaseState::kReclaiming)) {
      own.emplace(config.seed ^ (0x5bd1e995ULL * (w.deployments_.size() + 1)));
      if (static_cast<int>(own->Next() % 6200) >= config.open_share_percent * 100) {
        state = LeaseState::kClosed;
      } else {
        own.reset();
      }
    }
    Rng& closing = own ? *own : rng;
    if (state == LeaseState::kClosed || state == LeaseState::kInsufficientFunds) {
      std::int64_t dur = closing.Range(blocks_per_day / 24, blocks_per_day * 60);
      std::int64_t cap = start_h - closing.Range(1, 50);
      if (pre_bme && bme_passed) cap = std::min(cap, w.bme_height_ - closing.Range(0, 50));
      end = std::min(lease_created + dur, cap);
      if (end <= lease_created) end = lease_created + 1;
      reason = state == LeaseState::kClosed ? static_cast<int>(closing.Range(1, 5)) : 6;
    }
    d.gpu_wildcard = rng.Chance(10);
    std::uint32_t deployment_index = static_cast<std::uint32_t>(w.deployments_.size());
    std::int64_t deployment_price_milli = 0;
    for (int g = 0; g < plan.groups; ++g) {
      Lease l;
      l.tenant = plan.tenant;
      l.deployment = deployment_index;
      l.dseq = d.dseq;
      l.gseq = static_cast<std::uint32_t>(g + 1);
      l.oseq = 1;
      l.bseq = rng.Chance(12) ? 1 : 0;
      l.provider = static_cast<std::uint32_t>(rng.Range(0, config.providers - 1));
      l.created = lease_created;
      l.end = end;
      l.state = state;
      l.reason = reason;
      l.cpu = rng.Range(1, 64) * 500;
      l.memory = rng.Range(1, 128) * kGiB / 2;
      l.ephemeral = rng.Range(1, 200) * kGiB;
      l.persistent = rng.Chance(30) ? rng.Range(10, 2000) * kGiB : 0;
      std::int64_t micro =
          l.cpu / 250 + l.memory / kGiB + (l.ephemeral + l.persistent) / (20 * kGiB) + 1;
      if (rng.Chance(30)) {
        const Provider& p = w.providers_[l.provider];
        l.gpu_model = p.gpu_models[static_cast<std::size_t>(
            rng.Range(0, static_cast<std::int64_t>(p.gpu_models.size()) - 1))];
        l.gpus = rng.Chance(60) ? 1 : rng.Range(2, 8);
        micro += l.gpus * gpu_price[l.gpu_model];
      }
      std::int64_t milli = micro * 1000 + rng.Range(0, 999);
      if (pre_bme) {
        if (rng.Chance(60)) {
          l.denom = Denom::kUakt;
          milli = milli * 2 / 5 + 1;  // ~2.5 USD per AKT
        } else {
          l.denom = Denom::kUusdc;
        }
      } else {
        l.denom = Denom::kUact;
      }
      l.price_milli = milli;
      if (state == LeaseState::kInsufficientFunds) {
        l.overdrawn_blocks = std::min<std::int64_t>(end - lease_created, rng.Range(1, 300));
      }
      deployment_price_milli += milli;
      std::uint32_t li = static_cast<std::uint32_t>(w.leases_.size());
      d.leases.push_back(li);
      w.leases_.push_back(l);
    }
    if (end == kOpenEnd) {
      d.escrow_funds_micro = deployment_price_milli * rng.Range(1, 30) * kBlocksPerDay6s / 1000;
    } else if (own) {
      rng.Next();  // the draw an open deployment makes, so the main sequence stays the same
    }
    w.deployments_.push_back(std::move(d));
  }

  for (Lease& l : w.leases_) {
    if (!l.IsOpen()) l.lifetime_usd_nano = w.LeaseAccrual(l, l.created, l.end).usd_nano;
  }
  for (std::uint32_t li = 0; li < w.leases_.size(); ++li) {
    const Lease& l = w.leases_[li];
    w.providers_[l.provider].leases.push_back(li);
    w.tenants_[l.tenant].leases.push_back(li);
    Bid b;
    b.lease = li;
    b.provider = l.provider;
    b.bseq = l.bseq;
    b.state = l.IsOpen() ? BidState::kActive : BidState::kClosed;
    b.price_milli = l.price_milli;
    w.bids_.push_back(b);
    if (config.providers > 1 && rng.Chance(20)) {
      Bid lost;
      lost.lease = li;
      lost.provider =
          static_cast<std::uint32_t>((l.provider + 1 + rng.Range(0, config.providers - 2)) %
                                     static_cast<std::uint32_t>(config.providers));
      lost.bseq = 0;
      lost.state = l.IsOpen() ? BidState::kLost : BidState::kClosed;
      lost.price_milli = l.price_milli + l.price_milli / 10 + 1;
      w.bids_.push_back(lost);
    }
  }
  for (std::uint32_t bi = 0; bi < w.bids_.size(); ++bi) {
    w.providers_[w.bids_[bi].provider].bids.push_back(bi);
  }
  for (std::uint32_t di = 0; di < w.deployments_.size(); ++di) {
    w.tenants_[w.deployments_[di].tenant].deployments.push_back(di);
  }

  // Capacity: what is leased at start plus headroom, so "available" never goes negative.
  for (Provider& p : w.providers_) {
    std::int64_t cpu = 0, gpu = 0, mem = 0, eph = 0, pers = 0;
    for (std::uint32_t li : p.leases) {
      const Lease& l = w.leases_[li];
      if (!l.IsOpen()) continue;
      cpu += l.cpu;
      gpu += l.gpus;
      mem += l.memory;
      eph += l.ephemeral;
      pers += l.persistent;
    }
    p.capacity_cpu = cpu + rng.Range(64, 512) * 1000;
    p.capacity_gpu = gpu + rng.Range(0, 16);
    p.capacity_memory = mem + rng.Range(256, 2048) * kGiB;
    p.capacity_ephemeral = eph + rng.Range(2, 40) * 1024 * kGiB;
    p.capacity_persistent = pers + rng.Range(0, 40) * 1024 * kGiB;
  }

  // Health and reservations (see world.h): no random draws here.
  static const char* const kAkashVersions[] = {"v0.10.2", "v0.10.1", "v0.8.3"};
  for (std::size_t i = 0; i < w.providers_.size(); ++i) {
    Provider& p = w.providers_[i];
    p.akash_version = kAkashVersions[i % 3];
    if (i % 3 == 1) {
      // Degraded: a few failed checks, and one reservation waiting for its manifest.
      p.failed_checks_1d = 3;
      p.failed_checks_7d = 17;
      p.failed_checks_30d = 41;
      p.pending_cpu = 2000;
      p.pending_memory = 4 * kGiB;
      p.pending_ephemeral = 10 * kGiB;
      std::int64_t open_gpus = 0;
      for (std::uint32_t li : p.leases) {
        if (w.leases_[li].IsOpen()) open_gpus += w.leases_[li].gpus;
      }
      if (p.capacity_gpu > open_gpus) p.pending_gpu = 1;
    } else if (i % 3 == 2) {
      // Offline for the last two hours (12 checks), after earlier outages.
      p.online = false;
      p.failed_checks_1d = 12;
      p.failed_checks_7d = 18;
      p.failed_checks_30d = 48;
    }
  }

  for (std::size_t i = 0; i < w.providers_.size(); ++i) {
    w.provider_by_address_[w.providers_[i].address] = static_cast<int>(i);
    w.provider_by_key_[w.providers_[i].earnings_api_key] = static_cast<int>(i);
  }
  for (std::size_t i = 0; i < w.tenants_.size(); ++i) {
    w.tenant_by_address_[w.tenants_[i].address] = static_cast<int>(i);
    w.tenant_by_key_[w.tenants_[i].console_api_key] = static_cast<int>(i);
  }
  for (std::size_t i = 0; i < w.deployments_.size(); ++i) {
    const Deployment& d = w.deployments_[i];
    w.deployment_by_id_[w.tenants_[d.tenant].address + "/" + std::to_string(d.dseq)] =
        static_cast<int>(i);
  }
  return w;
}

}  // namespace akash::sim
