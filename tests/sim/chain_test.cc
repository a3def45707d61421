// Chain REST: leases/bids pagination and shapes, blocks, providers, take params, legacy shape.

#include <map>
#include <set>

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

struct Crawl {
  std::vector<std::string> keys;  // every next_key seen
  std::set<std::string> ids;
  std::size_t items = 0;
  int pages = 0;
};

std::string LeaseId(const rapidjson::Value& id) {
  return std::string(id["owner"].GetString()) + "/" + id["dseq"].GetString() + "/" +
         std::to_string(id["gseq"].GetUint()) + "/" + std::to_string(id["oseq"].GetUint()) + "/" +
         id["provider"].GetString() + "/" +
         std::to_string(id.HasMember("bseq") ? id["bseq"].GetUint() : 0);
}

Crawl CrawlAll(Sim& s, const std::string& path, const std::string& filters, const char* list,
               const char* item, const char* id_field, int limit) {
  Crawl c;
  std::string key;
  while (true) {
    std::string target = path + "?pagination.limit=" + std::to_string(limit) + filters;
    if (!key.empty()) target += "&pagination.key=" + Enc(key);
    auto d = s.Json(target);
    ++c.pages;
    const auto& arr = d[list];
    EXPECT_EQ(std::string(d["pagination"]["total"].GetString()), std::to_string(arr.Size()));
    EXPECT_LE(arr.Size(), static_cast<rapidjson::SizeType>(limit));
    for (const auto& x : arr.GetArray()) {
      EXPECT_TRUE(c.ids.insert(LeaseId(x[item][id_field])).second) << "duplicate";
      ++c.items;
    }
    const auto& nk = d["pagination"]["next_key"];
    if (nk.IsNull()) break;
    key = nk.GetString();
    c.keys.push_back(key);
    if (c.pages > 10000) {
      ADD_FAILURE() << "runaway pagination";
      break;
    }
  }
  return c;
}

TEST(Leases, CrawlFollowsOpaqueKeysToNullAndSeesEveryLeaseOnce) {
  Sim s;
  const Provider& p = s.provider();
  Crawl c = CrawlAll(s, "/akash/market/v1beta5/leases/list", "&filters.provider=" + p.address,
                     "leases", "lease", "id", 7);
  EXPECT_EQ(c.items, p.leases.size());
  EXPECT_EQ(c.pages, static_cast<int>((p.leases.size() + 6) / 7));
  ASSERT_FALSE(c.keys.empty());
  for (const auto& k : c.keys) {
    EXPECT_NE(k.find('+'), std::string::npos);
    EXPECT_NE(k.find('/'), std::string::npos);
    EXPECT_NE(k.find('='), std::string::npos);
  }
  // Unfiltered crawl sees the whole world.
  Crawl all = CrawlAll(s, "/akash/market/v1beta5/leases/list", "", "leases", "lease", "id", 100);
  EXPECT_EQ(all.items, s.world().leases().size());
}

TEST(Leases, DefaultLimitIs100AndReverseWalksBackwards) {
  Sim s;
  auto d = s.Json("/akash/market/v1beta5/leases/list");
  EXPECT_EQ(d["leases"].Size(), 100u);
  EXPECT_STREQ(d["pagination"]["total"].GetString(), "100");
  auto fwd = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=1");
  auto rev = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=1&pagination.reverse=true");
  EXPECT_NE(LeaseId(fwd["leases"][0]["lease"]["id"]), LeaseId(rev["leases"][0]["lease"]["id"]));
  const Lease& last = s.world().leases().back();
  EXPECT_EQ(std::string(rev["leases"][0]["lease"]["id"]["dseq"].GetString()),
            std::to_string(last.dseq));
}

TEST(Leases, UnencodedKeyIsRejected) {
  Sim s;
  auto d = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=5");
  std::string key = d["pagination"]["next_key"].GetString();
  Response r = s.Get("/akash/market/v1beta5/leases/list?pagination.limit=5&pagination.key=" +
                     key);  // '+' → ' '
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Parse(r.body)["code"].GetInt(), 3);
  // The key also binds the filters: resending it with other filters is refused.
  r = s.Get(
      "/akash/market/v1beta5/leases/list?pagination.limit=5&filters.state=active&pagination.key=" +
      Enc(key));
  EXPECT_EQ(r.status, 400);
}

TEST(Leases, OffsetNeedsAStateFilter) {
  Sim s;
  Response r = s.Get("/akash/market/v1beta5/leases/list?pagination.offset=10");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"code":3,"message":"invalid request parameters. if offset is set, filter.state must be provided","details":[]})");
  auto first = s.Json("/akash/market/v1beta5/leases/list?filters.state=closed&pagination.limit=3");
  auto skipped = s.Json(
      "/akash/market/v1beta5/leases/"
      "list?filters.state=closed&pagination.limit=1&pagination.offset=2");
  EXPECT_EQ(LeaseId(first["leases"][2]["lease"]["id"]),
            LeaseId(skipped["leases"][0]["lease"]["id"]));
}

TEST(Leases, StateFilterAndEscrowPaymentStates) {
  Sim s;
  std::map<std::string, std::string> payment_of = {{"active", "open"},
                                                   {"reclaiming", "open"},
                                                   {"closed", "closed"},
                                                   {"insufficient_funds", "overdrawn"}};
  for (const auto& [state, payment] : payment_of) {
    Crawl c;
    std::string key;
    std::size_t n = 0;
    do {
      auto d =
          s.Json("/akash/market/v1beta5/leases/list?pagination.limit=200&filters.state=" + state +
                 (key.empty() ? "" : "&pagination.key=" + Enc(key)));
      for (const auto& x : d["leases"].GetArray()) {
        ++n;
        const auto& lease = x["lease"];
        EXPECT_EQ(lease["state"], state.c_str());
        const auto& ps = x["escrow_payment"]["state"];
        EXPECT_EQ(ps["state"], payment.c_str());
        EXPECT_EQ(std::string(ps["owner"].GetString()),
                  std::string(lease["id"]["provider"].GetString()));
        EXPECT_EQ(lease.HasMember("reclamation"), state == "reclaiming");
        EXPECT_EQ(std::string(lease["closed_on"].GetString()) == "0",
                  state == "active" || state == "reclaiming");
        if (state == "insufficient_funds") {
          EXPECT_GT(std::stod(ps["unsettled"]["amount"].GetString()), 0);
          EXPECT_STREQ(lease["reason"].GetString(), "lease_closed_reason_insufficient_funds");
        }
        if (state == "active") {
          EXPECT_STREQ(lease["reason"].GetString(), "lease_closed_invalid");
        }
      }
      key = d["pagination"]["next_key"].IsNull() ? "" : d["pagination"]["next_key"].GetString();
    } while (!key.empty());
    EXPECT_GT(n, 0u) << state;
  }
  EXPECT_EQ(s.Get("/akash/market/v1beta5/leases/list?filters.state=running").status, 400);
}

TEST(Leases, FieldEncodingsAndEarnedSoFar) {
  Sim s;
  auto d = s.Json("/akash/market/v1beta5/leases/list?filters.state=active&pagination.limit=50");
  ASSERT_GT(d["leases"].Size(), 0u);
  const std::int64_t h = s.router().ChainHeight();
  for (const auto& x : d["leases"].GetArray()) {
    const auto& l = x["lease"];
    EXPECT_TRUE(l["id"]["dseq"].IsString());
    EXPECT_TRUE(l["id"]["gseq"].IsUint());
    EXPECT_TRUE(l["id"]["bseq"].IsUint());
    EXPECT_TRUE(l["created_at"].IsString());
    std::string price = l["price"]["amount"].GetString();
    ASSERT_EQ(price.size() - price.find('.') - 1, 18u) << price;
    const auto& ps = x["escrow_payment"]["state"];
    std::string withdrawn = ps["withdrawn"]["amount"].GetString();
    EXPECT_EQ(withdrawn.find('.'), std::string::npos) << "Coin is an integer string";
    EXPECT_EQ(std::string(ps["rate"]["amount"].GetString()), price);
    // withdrawn + balance = price × (height - created_at): what the exporter calls earned so far.
    long double earned = std::stold(withdrawn) + std::stold(ps["balance"]["amount"].GetString());
    long double expected =
        std::stold(price) * static_cast<long double>(h - std::stoll(l["created_at"].GetString()));
    EXPECT_NEAR(static_cast<double>(earned), static_cast<double>(expected),
                1e-6 * static_cast<double>(expected) + 1e-3);
    EXPECT_EQ(std::string(x["escrow_payment"]["id"]["aid"]["xid"].GetString()),
              std::string(l["id"]["owner"].GetString()) + "/" + l["id"]["dseq"].GetString());
  }
}

TEST(Leases, DenomsOnTheChain) {
  Sim s;
  std::set<std::string> denoms;
  Crawl all;
  std::string key;
  do {
    auto d = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=500" +
                    (key.empty() ? "" : "&pagination.key=" + Enc(key)));
    for (const auto& x : d["leases"].GetArray())
      denoms.insert(x["lease"]["price"]["denom"].GetString());
    key = d["pagination"]["next_key"].IsNull() ? "" : d["pagination"]["next_key"].GetString();
  } while (!key.empty());
  EXPECT_EQ(denoms, (std::set<std::string>{"uakt", "uact", std::string(kUsdcIbcDenom)}));
}

TEST(Bids, JoinLeasesOnTheFullIdAndCarryTheGpuModel) {
  Sim s;
  const Provider& p = s.provider();
  std::map<std::string, std::string> active_bid_gpu;
  std::string key;
  std::set<std::string> states;
  do {
    auto d =
        s.Json("/akash/market/v1beta5/bids/list?pagination.limit=50&filters.provider=" + p.address +
               (key.empty() ? "" : "&pagination.key=" + Enc(key)));
    for (const auto& x : d["bids"].GetArray()) {
      const auto& b = x["bid"];
      states.insert(b["state"].GetString());
      EXPECT_EQ(b["id"]["provider"], p.address.c_str());
      const auto& ro = b["resources_offer"][0];
      EXPECT_TRUE(ro["resources"]["cpu"]["units"]["val"].IsString());
      EXPECT_EQ(ro["count"].GetInt(), 1);
      std::string gpu;
      for (const auto& a : ro["resources"]["gpu"]["attributes"].GetArray())
        gpu = a["key"].GetString();
      if (b["state"] == "active") active_bid_gpu[LeaseId(b["id"])] = gpu;
    }
    key = d["pagination"]["next_key"].IsNull() ? "" : d["pagination"]["next_key"].GetString();
  } while (!key.empty());
  EXPECT_TRUE(states.count("active"));
  EXPECT_TRUE(states.count("closed"));
  // Every open lease of the provider (active or reclaiming) has an active bid with the same id.
  std::size_t open_leases = 0;
  for (const char* state : {"active", "reclaiming"}) {
    auto leases = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=1000&filters.state=" +
                         std::string(state) + "&filters.provider=" + p.address);
    for (const auto& x : leases["leases"].GetArray()) {
      ++open_leases;
      auto it = active_bid_gpu.find(LeaseId(x["lease"]["id"]));
      ASSERT_NE(it, active_bid_gpu.end());
      if (!it->second.empty()) {
        EXPECT_EQ(it->second.rfind("vendor/nvidia/model/", 0), 0u);
        EXPECT_NE(it->second.find("/ram/"), std::string::npos);
      }
    }
  }
  EXPECT_EQ(active_bid_gpu.size(), open_leases);
  auto lost = s.Json("/akash/market/v1beta5/bids/list?filters.state=lost&pagination.limit=1000");
  EXPECT_GT(lost["bids"].Size(), 0u);
  for (const auto& x : lost["bids"].GetArray()) EXPECT_STREQ(x["bid"]["state"].GetString(), "lost");
}

TEST(Blocks, LatestAndHistoricTimesFollowTheBlockTime) {
  Sim s;
  auto latest = s.Json("/cosmos/base/tendermint/v1beta1/blocks/latest");
  std::int64_t h = std::stoll(latest["block"]["header"]["height"].GetString());
  EXPECT_EQ(h, s.router().ChainHeight());
  auto old = s.Json("/cosmos/base/tendermint/v1beta1/blocks/" + std::to_string(h - 1000));
  auto t1 = ParseRfc3339Ms(latest["block"]["header"]["time"].GetString());
  auto t0 = ParseRfc3339Ms(old["block"]["header"]["time"].GetString());
  ASSERT_TRUE(t1 && t0);
  EXPECT_EQ(*t1 - *t0, 1000 * 6000);  // (time(latest) - time(latest-1000)) / 1000 = 6 s
  EXPECT_LE(*t1, s.clock().NowMs());
  EXPECT_EQ(std::stoll(old["block"]["header"]["height"].GetString()), h - 1000);
  Response future = s.Get("/cosmos/base/tendermint/v1beta1/blocks/" + std::to_string(h + 10));
  EXPECT_EQ(future.status, 400);
  EXPECT_EQ(Parse(future.body)["code"].GetInt(), 3);
  EXPECT_EQ(s.Get("/cosmos/base/tendermint/v1beta1/blocks/abc").status, 400);
  s.clock().Advance(60'000);
  EXPECT_EQ(std::stoll(
                s.Json("/cosmos/base/tendermint/v1beta1/blocks/latest")["block"]["header"]["height"]
                    .GetString()),
            h + 10);
}

TEST(ChainProvider, AttributesAnd404) {
  Sim s;
  auto d = s.Json("/akash/provider/v1beta4/providers/" + s.provider().address);
  EXPECT_EQ(d["provider"]["owner"], s.provider().address.c_str());
  EXPECT_TRUE(d["provider"]["host_uri"].IsString());
  EXPECT_TRUE(d["provider"]["info"]["email"].IsString());
  bool gpu_cap = false;
  for (const auto& a : d["provider"]["attributes"].GetArray()) {
    if (std::string(a["key"].GetString()).rfind("capabilities/gpu/vendor/nvidia/model/", 0) == 0)
      gpu_cap = true;
  }
  EXPECT_TRUE(gpu_cap);
  Response r = s.Get("/akash/provider/v1beta4/providers/" + s.tenant().address);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Parse(r.body)["code"].GetInt(), 5);
}

TEST(TakeParams, AbsentOnV2PresentOnV1) {
  Sim v2;
  Response r = v2.Get("/akash/take/v1/params");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(Parse(r.body)["code"].GetInt(), 12);
  EXPECT_EQ(v2.Json("/akash/discovery/v1/info")["info"]["node_version"], "v2.1.0");
  RouterOptions o;
  o.node_version = "v1.2.0";
  Sim v1(SmallConfig(), o);
  auto d = v1.Json("/akash/take/v1/params");
  EXPECT_EQ(d["params"]["default_take_rate"].GetInt(), 20);
  EXPECT_STREQ(d["params"]["denom_take_rates"][0]["denom"].GetString(), "uakt");
  EXPECT_EQ(d["params"]["denom_take_rates"][0]["rate"].GetInt(), 2);
}

TEST(LegacyChain, V1beta4ShapeBehindTheSwitch) {
  RouterOptions o;
  o.legacy_chain = true;
  Sim s(SmallConfig(), o);
  EXPECT_EQ(s.Get("/akash/market/v1beta5/leases/list").status, 501);
  EXPECT_EQ(s.Get("/akash/discovery/v1/info").status, 501);
  auto d = s.Json("/akash/market/v1beta4/leases/list?pagination.limit=20");
  ASSERT_EQ(d["leases"].Size(), 20u);
  for (const auto& x : d["leases"].GetArray()) {
    const auto& l = x["lease"];
    EXPECT_FALSE(l.HasMember("id"));
    EXPECT_FALSE(l["lease_id"].HasMember("bseq"));
    EXPECT_TRUE(l["lease_id"]["dseq"].IsString());
    const auto& ep = x["escrow_payment"];
    EXPECT_TRUE(ep["account_id"]["xid"].IsString());
    EXPECT_TRUE(ep["payment_id"].IsString());
    EXPECT_TRUE(ep["owner"].IsString());
    EXPECT_TRUE(ep["state"].IsString());
    EXPECT_TRUE(ep["withdrawn"]["amount"].IsString());
    EXPECT_FALSE(ep.HasMember("unsettled"));
  }
  EXPECT_EQ(s.Get("/akash/take/v1beta3/params").status, 200);
  Sim modern;
  EXPECT_EQ(modern.Get("/akash/market/v1beta4/leases/list").status, 501);
}

TEST(Leases, FullIdFilterFindsOneLeaseAndItsBidInOnePage) {
  // The provider's history is larger than one page's scan budget, but an owner + dseq filter
  // scans only that deployment: a lease or bid fetched by full id is one request.
  WorldConfig config = SmallConfig();
  config.providers = 1;
  config.leases = 3000;
  Sim s(config);
  const World& w = s.world();
  const Lease& l = w.leases()[w.leases().size() / 2];
  const std::string owner = w.tenants()[l.tenant].address;
  const std::string q = "?filters.owner=" + owner + "&filters.dseq=" + std::to_string(l.dseq) +
                        "&filters.gseq=" + std::to_string(l.gseq) +
                        "&filters.oseq=" + std::to_string(l.oseq) +
                        "&filters.provider=" + w.providers()[l.provider].address +
                        "&filters.bseq=" + std::to_string(l.bseq) + "&pagination.limit=1000";
  auto leases = s.Json("/akash/market/v1beta5/leases/list" + q);
  ASSERT_EQ(leases["leases"].Size(), 1u);
  EXPECT_TRUE(leases["pagination"]["next_key"].IsNull());
  EXPECT_EQ(std::string(leases["leases"][0]["lease"]["id"]["dseq"].GetString()),
            std::to_string(l.dseq));
  auto bids = s.Json("/akash/market/v1beta5/bids/list" + q);
  ASSERT_EQ(bids["bids"].Size(), 1u);
  EXPECT_TRUE(bids["pagination"]["next_key"].IsNull());
  // Another owner's dseq finds nothing.
  auto none = s.Json("/akash/market/v1beta5/leases/list?filters.owner=" +
                     w.tenants()[(l.tenant + 1) % w.tenants().size()].address + "&filters.dseq=" +
                     std::to_string(l.dseq) + "&filters.gseq=" + std::to_string(l.gseq));
  EXPECT_EQ(none["leases"].Size(), 0u);
}

TEST(World, OpenShareClosesDeploymentsAndKeepsEverythingElse) {
  WorldConfig config = SmallConfig();
  config.leases = 4000;
  const World natural = World::Generate(config);
  config.open_share_percent = 6;
  const World few = World::Generate(config);
  ASSERT_EQ(natural.leases().size(), few.leases().size());
  std::size_t open_natural = 0, open_few = 0, post_bme = 0;
  for (std::size_t i = 0; i < few.leases().size(); ++i) {
    const Lease& a = natural.leases()[i];
    const Lease& b = few.leases()[i];
    EXPECT_EQ(a.dseq, b.dseq);
    EXPECT_EQ(a.price_milli, b.price_milli);
    EXPECT_EQ(a.created, b.created);
    EXPECT_EQ(a.gpus, b.gpus);
    if (a.created >= natural.bme_height()) ++post_bme;
    open_natural += a.IsOpen();
    open_few += b.IsOpen();
    if (b.IsOpen()) {
      EXPECT_TRUE(a.IsOpen()) << "only open leases are closed, never the reverse";
    }
    if (!a.IsOpen()) {
      EXPECT_EQ(a.end, b.end);
    }
    if (!b.IsOpen()) {
      EXPECT_LE(b.end, natural.HeightAt(StartMs()));
    }
  }
  EXPECT_GT(open_natural, post_bme / 2);
  // ~6 % of post-BME deployments stay open (binomial; a wide band).
  EXPECT_GT(open_few, post_bme * 3 / 100);
  EXPECT_LT(open_few, post_bme * 10 / 100);
}

}  // namespace
}  // namespace akash::sim::testing
