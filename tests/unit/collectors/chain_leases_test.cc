// chain_leases: parsing of every lease state and denom (both API generations), exact decimals,
// the incremental crawl (requests counted against a fake chain), pagination protection,
// failover, the per-lease cap and the persisted cache.

#include "collectors/chain_leases.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "collectors/chain_parse.h"
#include "exporter/core/facts.h"
#include "exporter/core/state.h"
#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using chain::ApiShape;
using chain::LeaseRecord;
using chain::LeaseState;
using chain::PaymentState;
using chain::Unit;
using core::Decimal;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kProvider = "akash1prov";
constexpr const char* kUsdc =
    "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1";

Decimal D(const char* s) { return *Decimal::Parse(s); }

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(ChainDecimalTest, DecCoinAndCoinStringsAreExact) {
  EXPECT_EQ(D("152.341000000000000000").ToString(), "152.341");
  EXPECT_EQ(D("0.000000000000000001").raw(), 1);
  EXPECT_EQ(D("1827092").ToString(), "1827092");
  // Sums of many DecCoins stay exact where doubles drift.
  Decimal sum;
  for (int i = 0; i < 1000; ++i) sum += D("0.100000000000000001");
  EXPECT_EQ(sum.ToString(), "100.000000000000001");
  EXPECT_FALSE(Decimal::Parse("12abc").has_value());
}

TEST(ChainParseTest, V1beta5EveryStateAndDenom) {
  std::vector<LeaseRecord> out;
  auto page = chain::ParseLeasesPage(Fixture("chain/leases_v1beta5.json"), "leases",
                                     ApiShape::kV1beta5, &out);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->next_key, "AQID+/8=");
  ASSERT_EQ(out.size(), 4u);

  EXPECT_EQ(out[0].state, LeaseState::kActive);
  EXPECT_EQ(out[0].unit, Unit::kAct);
  EXPECT_EQ(out[0].price.ToString(), "152.341");
  EXPECT_EQ(out[0].balance.ToString(), "9140.460000000000000001");
  EXPECT_EQ(out[0].withdrawn.ToString(), "1827092");
  EXPECT_EQ(out[0].created_at, 21345690);
  EXPECT_EQ(out[0].closed_on, 0);
  EXPECT_EQ(out[0].payment_state, PaymentState::kOpen);
  EXPECT_FALSE(out[0].Final());
  EXPECT_EQ(out[0].id.Key(), "akash1owner/21345678/1/1/akash1prov/0");

  EXPECT_EQ(out[1].state, LeaseState::kInsufficientFunds);
  EXPECT_EQ(out[1].unit, Unit::kAct);  // USDC counts as ACT
  EXPECT_EQ(out[1].denom, kUsdc);
  EXPECT_EQ(out[1].payment_state, PaymentState::kOverdrawn);
  EXPECT_EQ(out[1].unsettled.ToString(), "31.5");
  EXPECT_EQ(out[1].id.bseq, 3u);
  EXPECT_EQ(out[1].closed_on, 190);
  EXPECT_TRUE(out[1].Final());

  EXPECT_EQ(out[2].state, LeaseState::kClosed);
  EXPECT_EQ(out[2].unit, Unit::kAkt);
  EXPECT_EQ(out[2].payment_state, PaymentState::kClosed);
  EXPECT_EQ(out[2].id.bseq, 0u);  // omitted bseq is 0
  EXPECT_TRUE(out[2].Final());

  EXPECT_EQ(out[3].state, LeaseState::kReclaiming);
  EXPECT_EQ(out[3].price.raw(), 1);
  EXPECT_FALSE(out[3].Final());  // reclaiming is still open
}

TEST(ChainParseTest, V1beta4Shape) {
  std::vector<LeaseRecord> out;
  auto page = chain::ParseLeasesPage(Fixture("chain/leases_v1beta4.json"), "leases",
                                     ApiShape::kV1beta4, &out);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_TRUE(page->next_key.empty());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].state, LeaseState::kActive);
  EXPECT_EQ(out[0].unit, Unit::kAkt);
  EXPECT_EQ(out[0].balance.ToString(), "250.25");
  EXPECT_EQ(out[0].withdrawn.ToString(), "5000");
  EXPECT_TRUE(out[0].unsettled.IsZero());
  EXPECT_EQ(out[1].state, LeaseState::kClosed);
  EXPECT_EQ(out[1].unit, Unit::kAct);
  EXPECT_EQ(out[2].state, LeaseState::kInsufficientFunds);
  EXPECT_EQ(out[2].payment_state, PaymentState::kOverdrawn);
  // The v1beta5 reader refuses the old shape instead of inventing values.
  std::vector<LeaseRecord> wrong;
  EXPECT_FALSE(chain::ParseLeasesPage(Fixture("chain/leases_v1beta4.json"), "leases",
                                      ApiShape::kV1beta5, &wrong)
                   .ok());
}

TEST(ChainParseTest, MissingFieldIsAParseError) {
  std::vector<LeaseRecord> out;
  auto r = chain::ParseLeasesPage(
      R"({"leases":[{"lease":{"id":{"owner":"o","dseq":"1","gseq":1,"oseq":1,"provider":"p"},)"
      R"("state":"active","created_at":"1"},"escrow_payment":{}}],"pagination":{"next_key":null}})",
      "leases", ApiShape::kV1beta5, &out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, core::ErrorReason::kParse);
  EXPECT_NE(r.error().message.find("price"), std::string::npos);
  auto bad_state = chain::ParseLeasesPage(
      R"({"leases":[{"lease":{"id":{"owner":"o","dseq":"1","gseq":1,"oseq":1,"provider":"p"},)"
      R"("state":"weird","price":{"denom":"uact","amount":"1"},"created_at":"1"},)"
      R"("escrow_payment":{}}]})",
      "leases", ApiShape::kV1beta5, &out);
  EXPECT_FALSE(bad_state.ok());
}

TEST(ChainParseTest, BidsGiveGpusByModel) {
  std::map<std::string, chain::GpuOffers> gpus;
  auto page =
      chain::ParseBidsPage(Fixture("chain/bids_v1beta5.json"), "bids", ApiShape::kV1beta5, &gpus);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(gpus.size(), 1u);  // the CPU-only bid adds nothing
  const auto& offers = gpus.at("akash1owner/21345678/1/1/akash1prov/0");
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0].vendor, "nvidia");
  EXPECT_EQ(offers[0].model, "h100");
  EXPECT_EQ(offers[0].gpus, 4);  // units 2 × count 2
  EXPECT_EQ(offers[1].vendor, "amd");
  EXPECT_EQ(offers[1].model, "mi300x");
  EXPECT_EQ(offers[1].gpus, 1);
}

TEST(ChainParseTest, BlockTimeToNanoseconds) {
  auto b = chain::ParseBlock(
      R"({"block":{"header":{"height":"24567890","time":"2026-08-20T12:00:03.512345678Z"}}})",
      "blocks");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->height, 24567890);
  EXPECT_EQ(b->time_ns, 1787227203512345678LL);
  EXPECT_EQ(*chain::ParseRfc3339Nanos("2026-08-20T12:00:03.512Z"), 1787227203512000000LL);
  EXPECT_EQ(*chain::ParseRfc3339Nanos("2026-08-20T14:00:03+02:00"), 1787227203000000000LL);
  EXPECT_FALSE(chain::ParseRfc3339Nanos("2026-08-20 12:00").has_value());
  EXPECT_FALSE(chain::ParseRfc3339Nanos("2026-08-20T12:00:03.Z").has_value());
}

TEST(ChainParseTest, UrlEncodeKeepsKeyCharacters) {
  EXPECT_EQ(chain::UrlEncode("AQ+/b=="), "AQ%2B%2Fb%3D%3D");
  EXPECT_EQ(chain::UrlEncode("akash1abc-_.~"), "akash1abc-_.~");
}

// ---------------------------------------------------------------------------------------------
// A fake chain node: leases and bids in memory, filters, opaque keys, request log.

struct FakeLease {
  std::string owner = "akash1owner";
  std::int64_t dseq = 1;
  int gseq = 1, oseq = 1, bseq = 0;
  std::string provider = kProvider;
  std::string state = "active";
  std::string denom = "uact";
  std::string price = "10.000000000000000000";
  std::int64_t created = 100;
  std::int64_t closed_on = 0;
  std::string pay_state = "open";
  std::string balance = "5.000000000000000000";
  std::string unsettled = "0.000000000000000000";
  std::string withdrawn = "7";
  int gpus = 0;
  std::string model = "h100";
};

std::string Unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';  // as Go's query parser does
    } else {
      out += s[i];
    }
  }
  return out;
}

class FakeChain {
 public:
  std::vector<FakeLease> leases;
  std::int64_t height = 1000000;
  bool legacy = false;
  bool loop_keys = false;        // next_key repeats
  bool endless = false;          // always a fresh next_key
  std::set<std::string> down;    // endpoints answering connect errors
  std::vector<std::string> log;  // every request URL

  std::optional<core::Result<core::Response>> Handle(const core::Request& req) {
    log.push_back(req.url);
    const std::string& url = req.url;
    const auto path_start = url.find('/', url.find("://") + 3);
    const std::string base = url.substr(0, path_start);
    if (down.count(base) != 0) {
      return core::Result<core::Response>(
          core::MakeError(core::ErrorReason::kConnect, "connection refused"));
    }
    const auto q = url.find('?');
    const std::string path = url.substr(path_start, q - path_start);
    std::map<std::string, std::string> query;
    if (q != std::string::npos) {
      std::string rest = url.substr(q + 1);
      std::size_t pos = 0;
      while (pos <= rest.size()) {
        const auto amp = rest.find('&', pos);
        const std::string kv = rest.substr(pos, amp - pos);
        const auto eq = kv.find('=');
        query[kv.substr(0, eq)] = Unescape(kv.substr(eq + 1));
        if (amp == std::string::npos) break;
        pos = amp + 1;
      }
    }
    if (path == "/cosmos/base/tendermint/v1beta1/blocks/latest") return Block(height);
    if (path.rfind("/cosmos/base/tendermint/v1beta1/blocks/", 0) == 0) {
      return Block(std::stoll(path.substr(path.rfind('/') + 1)));
    }
    const std::string ver = legacy ? "v1beta4" : "v1beta5";
    if (path == "/akash/market/" + ver + "/leases/list") return List(query, false);
    if (path == "/akash/market/" + ver + "/bids/list") return List(query, true);
    return Respond(501, R"({"code":12,"message":"Not Implemented","details":[]})");
  }

  // Requests whose URL contains `needle`.
  int Count(const std::string& needle) const {
    int n = 0;
    for (const auto& u : log) n += u.find(needle) != std::string::npos;
    return n;
  }

 private:
  core::Response Block(std::int64_t h) const {
    // 6.5 s blocks from a fixed origin.
    const std::int64_t ms = 1700000000000LL + h * 6500;
    const std::int64_t secs = ms / 1000;
    const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(secs));
    const core::Date d = core::Date::FromTime(t);
    const std::int64_t sod = secs - d.days() * 86400;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld.%03lldZ", d.ToString().c_str(),
                  static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                  static_cast<long long>(sod % 60), static_cast<long long>(ms % 1000));
    return Respond(200, R"({"block":{"header":{"height":")" + std::to_string(h) + R"(","time":")" +
                            buf + R"("}}})");
  }

  static std::string Coin(const std::string& denom, const std::string& amount) {
    return R"({"denom":")" + denom + R"(","amount":")" + amount + R"("})";
  }

  std::string LeaseJson(const FakeLease& l) const {
    std::string id = R"({"owner":")" + l.owner + R"(","dseq":")" + std::to_string(l.dseq) +
                     R"(","gseq":)" + std::to_string(l.gseq) + R"(,"oseq":)" +
                     std::to_string(l.oseq) + R"(,"provider":")" + l.provider + "\"" +
                     (legacy ? "" : R"(,"bseq":)" + std::to_string(l.bseq)) + "}";
    std::string lease = std::string(R"({"lease":{")") + (legacy ? "lease_id" : "id") + R"(":)" +
                        id + R"(,"state":")" + l.state + R"(","price":)" + Coin(l.denom, l.price) +
                        R"(,"created_at":")" + std::to_string(l.created) + R"(","closed_on":")" +
                        std::to_string(l.closed_on) + R"("},"escrow_payment":)";
    if (legacy) {
      lease += R"({"owner":")" + l.provider + R"(","state":")" + l.pay_state + R"(","balance":)" +
               Coin(l.denom, l.balance) + R"(,"withdrawn":)" + Coin(l.denom, l.withdrawn) + "}}";
    } else {
      lease += R"({"state":{"state":")" + l.pay_state + R"(","balance":)" +
               Coin(l.denom, l.balance) + R"(,"unsettled":)" + Coin(l.denom, l.unsettled) +
               R"(,"withdrawn":)" + Coin(l.denom, l.withdrawn) + "}}}";
    }
    return lease;
  }

  std::string BidJson(const FakeLease& l) const {
    std::string id = R"({"owner":")" + l.owner + R"(","dseq":")" + std::to_string(l.dseq) +
                     R"(","gseq":)" + std::to_string(l.gseq) + R"(,"oseq":)" +
                     std::to_string(l.oseq) + R"(,"provider":")" + l.provider + "\"" +
                     (legacy ? "" : R"(,"bseq":)" + std::to_string(l.bseq)) + "}";
    std::string gpu = l.gpus == 0 ? ""
                                  : R"(,"gpu":{"units":{"val":")" + std::to_string(l.gpus) +
                                        R"("},"attributes":[{"key":"vendor/nvidia/model/)" +
                                        l.model + R"(/ram/80Gi","value":"true"}]})";
    return std::string(R"({"bid":{")") + (legacy ? "bid_id" : "id") + R"(":)" + id +
           R"(,"state":")" + (l.closed_on == 0 ? "active" : "closed") +
           R"(","resources_offer":[{"resources":{"cpu":{"units":{"val":"1000"}})" + gpu +
           R"(},"count":1}]}})";
  }

  core::Result<core::Response> List(const std::map<std::string, std::string>& q, bool bids) {
    auto get = [&](const char* k) {
      const auto it = q.find(k);
      return it == q.end() ? std::string() : it->second;
    };
    const std::size_t limit = get("pagination.limit").empty()
                                  ? 100
                                  : static_cast<std::size_t>(std::stoul(get("pagination.limit")));
    std::size_t start = 0;
    const std::string key = get("pagination.key");
    if (!key.empty()) {
      // Keys look like "k+/=N"; an unencoded '+' arrives as a space.
      if (key.rfind("k+/=", 0) != 0) {
        return Respond(400, R"({"code":3,"message":"invalid pagination key","details":[]})");
      }
      start = std::stoul(key.substr(4));
    }
    std::vector<const FakeLease*> match;
    for (const FakeLease& l : leases) {
      if (!get("filters.provider").empty() && l.provider != get("filters.provider")) continue;
      if (!get("filters.owner").empty() && l.owner != get("filters.owner")) continue;
      if (!get("filters.dseq").empty() && std::to_string(l.dseq) != get("filters.dseq")) continue;
      if (!get("filters.gseq").empty() && std::to_string(l.gseq) != get("filters.gseq")) continue;
      if (!get("filters.oseq").empty() && std::to_string(l.oseq) != get("filters.oseq")) continue;
      if (!get("filters.bseq").empty() && std::to_string(l.bseq) != get("filters.bseq")) continue;
      const std::string st = bids ? (l.closed_on == 0 ? "active" : "closed") : l.state;
      if (!get("filters.state").empty() && st != get("filters.state")) continue;
      match.push_back(&l);
    }
    std::string body = bids ? R"({"bids":[)" : R"({"leases":[)";
    std::size_t i = start;
    for (; i < match.size() && i < start + limit; ++i) {
      if (i > start) body += ",";
      body += bids ? BidJson(*match[i]) : LeaseJson(*match[i]);
    }
    std::string next = "null";
    if (i < match.size() || endless) next = "\"k+/=" + std::to_string(i + (endless ? 1 : 0)) + "\"";
    if (loop_keys && !key.empty()) next = "\"" + key + "\"";
    if (loop_keys && key.empty()) next = "\"k+/=0\"";
    body += R"(],"pagination":{"next_key":)" + next + R"(,"total":")" + std::to_string(i - start) +
            "\"}}";
    return Respond(200, body);
  }
};

class ChainSourceTest : public ::testing::Test {
 protected:
  ChainSourceTest() {
    fetcher_.SetHandler([this](const core::Request& r) { return chain_.Handle(r); });
  }

  ChainLeasesOptions Options() const {
    ChainLeasesOptions o;
    o.provider = kProvider;
    o.endpoints = {"http://node-a:1317", "http://node-b:1317"};
    o.page_limit = 2;
    return o;
  }

  PollContext Ctx(core::SourceState* state = nullptr) {
    PollContext ctx;
    ctx.now = testing::At(2026, 8, 20, 12);
    ctx.facts = &facts_;
    ctx.state = state;
    return ctx;
  }

  // A provider history: 3 active (one GPU lease), 1 reclaiming, 3 closed, 1 insufficient_funds,
  // plus a lease of another provider that must never count.
  void World() {
    auto add = [&](std::int64_t dseq, const char* state, const char* denom, const char* price,
                   std::int64_t created, std::int64_t closed, const char* pay, const char* balance,
                   const char* withdrawn, int gpus = 0) {
      FakeLease l;
      l.dseq = dseq;
      l.state = state;
      l.denom = denom;
      l.price = price;
      l.created = created;
      l.closed_on = closed;
      l.pay_state = pay;
      l.balance = balance;
      l.withdrawn = withdrawn;
      l.gpus = gpus;
      chain_.leases.push_back(l);
    };
    add(1, "active", "uact", "100.5", 999000, 0, "open", "10.25", "1000", 2);
    add(2, "active", "uakt", "20", 999500, 0, "open", "1.5", "300");
    add(3, "active", kUsdc, "0.000000000000000001", 999900, 0, "open", "0", "0");
    add(4, "reclaiming", "uact", "7", 990000, 0, "open", "3", "40");
    add(5, "closed", "uakt", "2", 1000, 2000, "closed", "0", "2000", 1);
    add(6, "closed", "uact", "3", 3000, 4000, "closed", "0", "3000");
    add(7, "closed", kUsdc, "4", 5000, 6000, "closed", "0", "4000");
    add(8, "insufficient_funds", "uact", "5", 7000, 8000, "overdrawn", "0.5", "4990", 3);
    chain_.leases.back().unsettled = "10";
    FakeLease other;
    other.provider = "akash1someoneelse";
    other.dseq = 9;
    chain_.leases.push_back(other);
  }

  FakeLease& Lease(std::int64_t dseq) {
    for (auto& l : chain_.leases) {
      if (l.dseq == dseq && l.provider == kProvider) return l;
    }
    throw std::runtime_error("no lease");
  }

  std::optional<double> Get(const PollOutput& out, const std::string& name,
                            const Labels& extra = {}) {
    Labels l = {{"provider", kProvider}};
    l.insert(l.end(), extra.begin(), extra.end());
    return Value(out, name, l);
  }

  FakeChain chain_;
  testing::FakeFetcher fetcher_;
  core::SharedFacts facts_;
};

TEST_F(ChainSourceTest, FirstCrawlValues) {
  World();
  facts_.SetAktPriceUsd(2.0);
  ChainLeasesSource src(Options());
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(src.last_stats().full);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "active"}}), 3);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "reclaiming"}}), 1);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "closed"}}), 3);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "insufficient_funds"}}), 1);
  const double per_hour = 3600 / 6.5;
  // Active only: reclaiming's 7/block does not count.
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_lease_rate_akt_per_hour"), 20e-6 * per_hour);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_lease_rate_act_per_hour"),
                   100.500000000000000001e-6 * per_hour);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_lease_rate_usd_per_hour"),
                   (100.5e-6 + 2 * 20e-6) * per_hour);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_escrow_unwithdrawn_akt"), 1.5e-6);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_escrow_unwithdrawn_act"), (10.25 + 3 + 0.5) * 1e-6);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_escrow_unsettled_act"), 10e-6);
  EXPECT_EQ(Get(*out, "akash_provider_escrow_unsettled_akt"), 0);
  EXPECT_EQ(Get(*out, "akash_provider_escrow_overdrawn_leases"), 1);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_withdrawn_akt_total"), 2300e-6);
  EXPECT_DOUBLE_EQ(*Get(*out, "akash_provider_withdrawn_act_total"),
                   (1000 + 40 + 3000 + 4000 + 4990) * 1e-6);
  EXPECT_EQ(Get(*out, "akash_provider_lease_gpus", {{"vendor", "nvidia"}, {"model", "h100"}}), 2);
  // GPU-seconds: lease 1 (2 GPUs × 1000 blocks), lease 5 (1 × 1000), lease 8 (3 × 1000).
  EXPECT_DOUBLE_EQ(
      *Get(*out, "akash_provider_gpu_seconds_total", {{"vendor", "nvidia"}, {"model", "h100"}}),
      (2000 + 1000 + 3000) * 6.5);
  EXPECT_EQ(Value(*out, "akash_chain_block_height", {}), 1000000);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_chain_block_interval_seconds", {}), 6.5);
  EXPECT_EQ(facts_.BlockIntervalSeconds(), 6.5);
  EXPECT_EQ(out->note, "chain endpoint http://node-a:1317 (market v1beta5)");
  // The lease of the other provider was never requested (filters.provider on every listing).
  for (const auto& u : chain_.log) {
    if (u.find("/list?") != std::string::npos) {
      EXPECT_NE(u.find("filters.provider=akash1prov"), std::string::npos) << u;
    }
  }
}

TEST_F(ChainSourceTest, UsdRateAbsentWithoutAktPriceWhileAktLeasesRun) {
  World();
  ChainLeasesSource src(Options());
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(Get(*out, "akash_provider_lease_rate_usd_per_hour").has_value());
  // Without AKT leases the USD rate needs no price.
  Lease(2).state = "closed";
  Lease(2).closed_on = 999990;
  Lease(2).pay_state = "closed";
  ChainLeasesSource src2(Options());
  auto out2 = src2.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out2.ok());
  EXPECT_DOUBLE_EQ(*Get(*out2, "akash_provider_lease_rate_usd_per_hour"),
                   *Get(*out2, "akash_provider_lease_rate_act_per_hour"));
}

TEST_F(ChainSourceTest, LaterPollsFetchOnlyActiveAndNewClosings) {
  World();
  ChainLeasesSource src(Options());
  ASSERT_TRUE(src.Poll(fetcher_, Ctx()).ok());
  // Nothing changed: blocks (2), active pages (3 active / limit 2 = 2 pages), reclaiming (1).
  chain_.log.clear();
  auto second = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(src.last_stats().full);
  EXPECT_EQ(chain_.Count("/blocks/"), 2);
  EXPECT_EQ(chain_.Count("filters.state=active"), 2);
  EXPECT_EQ(chain_.Count("filters.state=reclaiming"), 1);
  EXPECT_EQ(chain_.Count("bids/list"), 0);
  EXPECT_EQ(chain_.log.size(), 5u);
  // No request ever lists leases without a state or id filter again.
  for (const auto& u : chain_.log) {
    if (u.find("leases/list") != std::string::npos) {
      EXPECT_TRUE(u.find("filters.state=") != std::string::npos ||
                  u.find("filters.dseq=") != std::string::npos)
          << u;
    }
  }

  // Lease 1 closes, the reclaiming lease 4 closes for insufficient funds, a new GPU lease opens.
  Lease(1).state = "closed";
  Lease(1).closed_on = 1000100;
  Lease(1).pay_state = "closed";
  Lease(1).balance = "0";
  Lease(1).withdrawn = "110500";
  Lease(4).state = "insufficient_funds";
  Lease(4).closed_on = 999999;
  Lease(4).pay_state = "overdrawn";
  Lease(4).unsettled = "14";
  FakeLease fresh;
  fresh.dseq = 10;
  fresh.gpus = 4;
  fresh.model = "a100";
  fresh.created = 1000050;
  chain_.leases.push_back(fresh);
  chain_.height = 1000200;
  chain_.log.clear();
  auto third = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_FALSE(src.last_stats().full);
  // blocks 2 + active pages 2 (dseq 2, 3, 10) + reclaiming 1 + lease 1 by id + lease 4 by id
  // + the new lease's bid by id.
  EXPECT_EQ(chain_.Count("filters.state=active"), 2);
  EXPECT_EQ(chain_.Count("filters.state=reclaiming"), 1);
  EXPECT_EQ(chain_.Count("leases/list?filters.owner=akash1owner&filters.dseq=1&"), 1);
  EXPECT_EQ(chain_.Count("leases/list?filters.owner=akash1owner&filters.dseq=4&"), 1);
  EXPECT_EQ(chain_.Count("bids/list?filters.owner=akash1owner&filters.dseq=10&"), 1);
  EXPECT_EQ(chain_.log.size(), 8u);
  const PollOutput& out = *third;
  EXPECT_EQ(Get(out, "akash_provider_chain_leases", {{"state", "active"}}), 3);
  EXPECT_EQ(Get(out, "akash_provider_chain_leases", {{"state", "reclaiming"}}), 0);
  EXPECT_EQ(Get(out, "akash_provider_chain_leases", {{"state", "closed"}}), 4);
  EXPECT_EQ(Get(out, "akash_provider_chain_leases", {{"state", "insufficient_funds"}}), 2);
  EXPECT_EQ(Get(out, "akash_provider_escrow_overdrawn_leases"), 2);
  EXPECT_DOUBLE_EQ(*Get(out, "akash_provider_escrow_unsettled_act"), 24e-6);
  EXPECT_DOUBLE_EQ(*Get(out, "akash_provider_withdrawn_act_total"),
                   (110500 + 40 + 3000 + 4000 + 4990 + 7) * 1e-6);
  EXPECT_FALSE(
      Get(out, "akash_provider_lease_gpus", {{"vendor", "nvidia"}, {"model", "h100"}}).has_value());
  EXPECT_EQ(Get(out, "akash_provider_lease_gpus", {{"vendor", "nvidia"}, {"model", "a100"}}), 4);
  EXPECT_DOUBLE_EQ(
      *Get(out, "akash_provider_gpu_seconds_total", {{"vendor", "nvidia"}, {"model", "h100"}}),
      (2 * 1100 + 1000 + 3000) * 6.5);
  EXPECT_DOUBLE_EQ(
      *Get(out, "akash_provider_gpu_seconds_total", {{"vendor", "nvidia"}, {"model", "a100"}}),
      4 * 150 * 6.5);
}

TEST_F(ChainSourceTest, ManyClosingsFallBackToAFullCrawl) {
  World();
  for (int i = 0; i < 6; ++i) {
    FakeLease l;
    l.dseq = 100 + i;
    chain_.leases.push_back(l);
  }
  auto o = Options();
  o.max_single_fetches = 3;
  ChainLeasesSource src(o);
  ASSERT_TRUE(src.Poll(fetcher_, Ctx()).ok());
  for (int i = 0; i < 6; ++i) {
    Lease(100 + i).state = "closed";
    Lease(100 + i).closed_on = 999999;
    Lease(100 + i).pay_state = "closed";
  }
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(src.last_stats().full);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "closed"}}), 9);
}

TEST_F(ChainSourceTest, RepeatedNextKeyIsAParseError) {
  World();
  chain_.loop_keys = true;
  ChainLeasesSource src(Options());
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, core::ErrorReason::kParse);
  EXPECT_NE(out.error().message.find("repeated"), std::string::npos);
  EXPECT_LT(chain_.log.size(), 10u);
}

TEST_F(ChainSourceTest, PageBudgetStopsAnEndlessCrawl) {
  World();
  chain_.endless = true;
  auto o = Options();
  o.max_pages = 20;
  ChainLeasesSource src(o);
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, core::ErrorReason::kParse);
  EXPECT_NE(out.error().message.find("page budget"), std::string::npos);
  EXPECT_EQ(chain_.Count("bids/list"), 20);
}

TEST_F(ChainSourceTest, ShortPagesAreFollowedAndKeysEncoded) {
  World();
  // Every key contains '+', '/' and '='; an unencoded key would be refused with 400.
  ChainLeasesSource src(Options());
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_GE(chain_.Count("pagination.key=k%2B%2F%3D"), 1);
}

TEST_F(ChainSourceTest, FailoverWithinAPollAndRemembered) {
  World();
  ChainLeasesSource src(Options());
  chain_.down.insert("http://node-a:1317");
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(src.current_endpoint(), 1u);
  EXPECT_EQ(out->note, "chain endpoint http://node-b:1317 (market v1beta5)");
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "closed"}}), 3);
  // Node A recovers, but B keeps serving: no request goes to A.
  chain_.down.clear();
  chain_.log.clear();
  ASSERT_TRUE(src.Poll(fetcher_, Ctx()).ok());
  EXPECT_EQ(chain_.Count("node-a"), 0);
  // B fails mid-crawl (after the block requests): the same poll continues on A.
  chain_.log.clear();
  fetcher_.SetHandler(
      [this](const core::Request& r) -> std::optional<core::Result<core::Response>> {
        if (r.url.find("node-b") != std::string::npos &&
            r.url.find("leases/list") != std::string::npos) {
          chain_.log.push_back(r.url);
          return core::Result<core::Response>(Respond(503, "upstream down"));
        }
        return chain_.Handle(r);
      });
  auto failed_over = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(failed_over.ok()) << failed_over.error().message;
  EXPECT_EQ(src.current_endpoint(), 0u);
  EXPECT_GE(chain_.Count("node-b:1317/cosmos"), 2);
  EXPECT_GE(chain_.Count("node-a:1317/akash"), 1);
  EXPECT_EQ(Get(*failed_over, "akash_provider_chain_leases", {{"state", "active"}}), 3);
}

TEST_F(ChainSourceTest, AllEndpointsDownIsAnError) {
  World();
  chain_.down = {"http://node-a:1317", "http://node-b:1317"};
  ChainLeasesSource src(Options());
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, core::ErrorReason::kConnect);
}

TEST_F(ChainSourceTest, PerLeaseSeriesCapped) {
  World();
  facts_.SetAktPriceUsd(2.0);
  auto o = Options();
  o.per_lease_series = true;
  o.max_lease_series = 2;
  ChainLeasesSource src(o);
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok());
  const auto* info = testing::FindFamily(*out, "akash_lease_info");
  const auto* price = testing::FindFamily(*out, "akash_lease_price_usd_per_hour");
  ASSERT_NE(info, nullptr);
  ASSERT_NE(price, nullptr);
  EXPECT_EQ(info->metric.size(), 2u);
  EXPECT_EQ(price->metric.size(), 2u);
  // 4 open leases: 2 of each family cut.
  EXPECT_EQ(out->series_dropped, 4u);
  EXPECT_EQ(Value(*out, "akash_lease_info",
                  {{"provider", kProvider},
                   {"owner", "akash1owner"},
                   {"dseq", "1"},
                   {"gseq", "1"},
                   {"oseq", "1"},
                   {"state", "active"},
                   {"denom", "act"},
                   {"gpu_model", "h100"}}),
            1);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_lease_price_usd_per_hour",
                          {{"provider", kProvider},
                           {"owner", "akash1owner"},
                           {"dseq", "2"},
                           {"gseq", "1"},
                           {"oseq", "1"}}),
                   20e-6 * 3600 / 6.5 * 2.0);
  // Off by default.
  ChainLeasesSource plain(Options());
  auto p = plain.Poll(fetcher_, Ctx());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(testing::FindFamily(*p, "akash_lease_info"), nullptr);
  EXPECT_EQ(p->series_dropped, 0u);
}

TEST_F(ChainSourceTest, CacheRoundTripAndRestartSkipsClosedHistory) {
  World();
  core::SourceState state("chain_leases", kProvider);
  ChainLeasesSource first(Options());
  auto a = first.Poll(fetcher_, Ctx(&state));
  ASSERT_TRUE(a.ok());
  auto blob = state.Get("crawl");
  ASSERT_TRUE(blob.has_value());
  auto decoded = chain::DecodeCache(*blob);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(chain::EncodeCache(*decoded), *blob);
  EXPECT_EQ(decoded->closed, 3);
  EXPECT_EQ(decoded->open.size(), 4u);

  // A new Source (restart / reload) with the same state: no full crawl, same values.
  chain_.log.clear();
  ChainLeasesSource second(Options());
  auto b = second.Poll(fetcher_, Ctx(&state));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_FALSE(second.last_stats().full);
  EXPECT_EQ(chain_.Count("bids/list"), 0);
  for (const char* name :
       {"akash_provider_withdrawn_akt_total", "akash_provider_withdrawn_act_total",
        "akash_provider_escrow_unwithdrawn_act", "akash_provider_escrow_unsettled_act",
        "akash_provider_lease_rate_act_per_hour"}) {
    EXPECT_DOUBLE_EQ(*Get(*b, name), *Get(*a, name)) << name;
  }
  EXPECT_EQ(Get(*b, "akash_provider_chain_leases", {{"state", "closed"}}), 3);
  EXPECT_EQ(Get(*b, "akash_provider_lease_gpus", {{"vendor", "nvidia"}, {"model", "h100"}}), 2);

  // A blob from another version, or garbage, is ignored: full crawl.
  for (const char* bad : {"{\"v\":99}", "not json", "{\"v\":1,\"shape\":\"v1beta5\"}"}) {
    EXPECT_FALSE(chain::DecodeCache(bad).has_value()) << bad;
    core::SourceState s2("chain_leases", kProvider);
    s2.Put("crawl", bad);
    ChainLeasesSource third(Options());
    auto c = third.Poll(fetcher_, Ctx(&s2));
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(third.last_stats().full);
    EXPECT_EQ(Get(*c, "akash_provider_chain_leases", {{"state", "closed"}}), 3);
  }
}

TEST_F(ChainSourceTest, DailyReconcileCrawlsEverythingAgain) {
  World();
  ChainLeasesSource src(Options());
  ASSERT_TRUE(src.Poll(fetcher_, Ctx()).ok());
  // A lease that opened and closed between two polls is invisible to the incremental view...
  FakeLease brief;
  brief.dseq = 50;
  brief.state = "closed";
  brief.closed_on = 999990;
  brief.pay_state = "closed";
  chain_.leases.push_back(brief);
  auto later = Ctx();
  later.now += std::chrono::hours(1);
  auto out = src.Poll(fetcher_, later);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "closed"}}), 3);
  // ...until the daily full crawl.
  later.now += std::chrono::hours(24);
  out = src.Poll(fetcher_, later);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(src.last_stats().full);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "closed"}}), 4);
}

TEST_F(ChainSourceTest, LegacyNodeDetected) {
  World();
  chain_.legacy = true;
  for (auto& l : chain_.leases) {
    if (l.state == "reclaiming") l.state = "active";  // v1beta4 had no reclaiming
    l.bseq = 0;
  }
  ChainLeasesSource src(Options());
  auto out = src.Poll(fetcher_, Ctx());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->note, "chain endpoint http://node-a:1317 (market v1beta4)");
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "active"}}), 4);
  EXPECT_EQ(Get(*out, "akash_provider_chain_leases", {{"state", "closed"}}), 3);
  EXPECT_EQ(Get(*out, "akash_provider_escrow_unsettled_act"), 0);  // v1beta3 has no unsettled
  EXPECT_EQ(Get(*out, "akash_provider_lease_gpus", {{"vendor", "nvidia"}, {"model", "h100"}}), 2);
  // Later polls go straight to v1beta4.
  chain_.log.clear();
  ASSERT_TRUE(src.Poll(fetcher_, Ctx()).ok());
  EXPECT_EQ(chain_.Count("v1beta5"), 0);
  EXPECT_FALSE(src.last_stats().full);
}

}  // namespace
}  // namespace akash::collectors
