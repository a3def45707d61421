#include <set>

#include "sim/bech32.h"
#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

TEST(Bech32, AcceptsARealAkashAddressAndRejectsACorruptedOne) {
  // A real mainnet provider address quoted in the Console sources.
  const std::string real = "akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc";
  EXPECT_TRUE(IsValidAkashAddress(real));
  std::string corrupted = real;
  corrupted.back() = corrupted.back() == 'c' ? 'd' : 'c';
  EXPECT_FALSE(IsValidAkashAddress(corrupted));
  EXPECT_FALSE(IsValidAkashAddress("cosmos18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"));
  EXPECT_FALSE(IsValidAkashAddress("akash18GA02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"));  // mixed case
}

TEST(Bech32, EncodeDecodeRoundTrip) {
  std::vector<std::uint8_t> bytes(20);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 13 + 1);
  std::string addr = Bech32Encode("akash", bytes);
  EXPECT_EQ(addr.rfind("akash1", 0), 0u);
  EXPECT_EQ(addr.size(), 44u);
  auto back = Bech32Decode("akash", addr);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, bytes);
}

TEST(World, EveryGeneratedAddressIsChecksumValid) {
  Sim sim;
  for (const auto& p : sim.world().providers())
    EXPECT_TRUE(IsValidAkashAddress(p.address)) << p.address;
  for (const auto& t : sim.world().tenants())
    EXPECT_TRUE(IsValidAkashAddress(t.address)) << t.address;
}

TEST(World, KeysHaveTheRealFormats) {
  Sim sim;
  for (const auto& p : sim.world().providers()) {
    ASSERT_EQ(p.earnings_api_key.size(), 70u);
    EXPECT_EQ(p.earnings_api_key.rfind("akash_", 0), 0u);
    EXPECT_EQ(p.earnings_api_key.find_first_not_of("0123456789abcdef", 6), std::string::npos);
  }
  for (const auto& t : sim.world().tenants()) {
    ASSERT_EQ(t.console_api_key.size(), 17u + 64u);
    EXPECT_EQ(t.console_api_key.rfind("ac.sk.production.", 0), 0u);
  }
}

TEST(World, BlockTimeMappingIsExact) {
  Sim sim;
  const World& w = sim.world();
  const std::int64_t t = StartMs() + 12'345;
  const std::int64_t h = w.HeightAt(t);
  EXPECT_LE(w.TimeOfHeight(h), t);
  EXPECT_GT(w.TimeOfHeight(h + 1), t);
  EXPECT_EQ(w.TimeOfHeight(h + 1000) - w.TimeOfHeight(h), 1000 * 6000);
  core::Date d = core::Date::FromYmd(2026, 8, 1);
  std::int64_t first = w.DayStartHeight(d);
  EXPECT_GE(w.TimeOfHeight(first), d.days() * 86'400'000);
  EXPECT_LT(w.TimeOfHeight(first - 1), d.days() * 86'400'000);
  EXPECT_EQ(w.DayOfHeight(first), d);
  EXPECT_EQ(w.DayOfHeight(first - 1), d.AddDays(-1));
  // 6 s blocks: a day is 14400 blocks.
  EXPECT_EQ(w.DayStartHeight(d.AddDays(1)) - first, 14'400);
}

TEST(World, DenomsFollowTheBmeDate) {
  Sim sim;
  const World& w = sim.world();
  std::set<Denom> denoms;
  std::set<LeaseState> states;
  for (const Lease& l : w.leases()) {
    denoms.insert(l.denom);
    states.insert(l.state);
    if (l.created < w.bme_height()) {
      EXPECT_NE(l.denom, Denom::kUact);
      // Pre-BME leases were all closed by the upgrade (start time is after it).
      EXPECT_LE(l.end, w.bme_height());
    } else {
      EXPECT_EQ(l.denom, Denom::kUact);
    }
    EXPECT_LT(l.created, l.end);
  }
  EXPECT_EQ(denoms.size(), 3u);
  EXPECT_EQ(states.size(), 4u);
}

TEST(World, CoversGpuModelsAndEveryCreditTransactionKind) {
  Sim sim;
  std::set<int> models;
  for (const Lease& l : sim.world().leases()) {
    if (l.gpus > 0) models.insert(l.gpu_model);
  }
  EXPECT_GE(models.size(), 3u);
  std::set<std::string> types, statuses;
  bool partial_refund = false;
  for (const Tenant& t : sim.world().tenants()) {
    for (const StripeTxn& x : t.txns) {
      types.insert(x.type);
      statuses.insert(x.status);
      if (x.status == "succeeded" && x.refunded_cents > 0) partial_refund = true;
      if (x.status == "refunded") {
        EXPECT_EQ(x.refunded_cents, x.amount_cents);
      }
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"payment_intent", "coupon_claim", "manual_credit"}));
  EXPECT_EQ(statuses, (std::set<std::string>{"created", "pending", "requires_action", "succeeded",
                                             "failed", "refunded", "canceled"}));
  EXPECT_TRUE(partial_refund);
}

TEST(World, SameSeedSameBytesOtherSeedOtherWorld) {
  Sim a, b, c(SmallConfig(8));
  const std::string p = a.provider().address;
  const std::vector<std::string> targets = {
      "/_sim/world",
      "/v1/provider-dashboard/" + p,
      "/akash/market/v1beta5/leases/list?pagination.limit=50",
      "/akash/market/v1beta5/bids/list?pagination.limit=50",
      "/v1/usage/history?address=" + a.tenant(1).address,
  };
  for (const auto& t : targets) {
    Response ra = a.Get(t), rb = b.Get(t);
    EXPECT_EQ(ra.status, 200) << t;
    EXPECT_EQ(ra.body, rb.body) << t;
  }
  EXPECT_EQ(a.Get("/v1/stripe/transactions", a.Key(0)).body,
            b.Get("/v1/stripe/transactions", b.Key(0)).body);
  EXPECT_NE(a.Get("/_sim/world").body, c.Get("/_sim/world").body);
}

TEST(Options, ParsesTimesAndDurations) {
  EXPECT_EQ(ParseRfc3339Ms("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(ParseRfc3339Ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseRfc3339Ms("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_FALSE(ParseRfc3339Ms("1970-01-01 00:00:00"));
  EXPECT_EQ(ParseDurationMs("60s"), 60'000);
  EXPECT_EQ(ParseDurationMs("90"), 90'000);
  EXPECT_EQ(ParseDurationMs("250ms"), 250);
  EXPECT_EQ(ParseDurationMs("2m"), 120'000);
  EXPECT_FALSE(ParseDurationMs("soon"));
}

}  // namespace
}  // namespace akash::sim::testing
