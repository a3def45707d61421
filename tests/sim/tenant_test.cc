// Console tenant routes: usage, Stripe transactions, balances, identity, deployments, auth.

#include <cmath>
#include <map>
#include <set>

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

// Index of a tenant with at least one lease still running at start.
int TenantWithActiveLease(const Sim& s) {
  for (std::size_t t = 0; t < s.world().tenants().size(); ++t) {
    for (std::uint32_t li : s.world().tenants()[t].leases) {
      if (s.world().leases()[li].IsOpen()) return static_cast<int>(t);
    }
  }
  return -1;
}

int TenantWithShape(const Sim& s, bool cursor) {
  for (std::size_t t = 0; t < s.world().tenants().size(); ++t) {
    if (s.world().tenants()[t].cursor_stripe == cursor) return static_cast<int>(t);
  }
  return -1;
}

TEST(UsageHistory, DefaultWindowIs31AscendingRowsWithRunningTotals) {
  Sim s;
  auto d = s.Json("/v1/usage/history?address=" + s.tenant(1).address);
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 31u);
  EXPECT_EQ(d[0]["date"], s.Today().AddDays(-30).ToString().c_str());
  EXPECT_EQ(d[30]["date"], s.Today().ToString().c_str());
  double run_akt = 0, run_act = 0, run_usd = 0;
  for (const auto& row : d.GetArray()) {
    EXPECT_EQ(row.MemberCount(), 10u);  // date, activeDeployments and eight money fields
    for (const char* k :
         {"activeDeployments", "dailyAktSpent", "totalAktSpent", "dailyUsdcSpent", "totalUsdcSpent",
          "dailyActSpent", "totalActSpent", "dailyUsdSpent", "totalUsdSpent"}) {
      ASSERT_TRUE(row[k].IsNumber()) << k;
    }
    EXPECT_EQ(row["dailyUsdcSpent"].GetDouble(), row["dailyActSpent"].GetDouble());
    run_akt += row["dailyAktSpent"].GetDouble();
    run_act += row["dailyActSpent"].GetDouble();
    run_usd += row["dailyUsdSpent"].GetDouble();
    EXPECT_NEAR(row["totalAktSpent"].GetDouble(), run_akt, 1e-6);
    EXPECT_NEAR(row["totalActSpent"].GetDouble(), run_act, 1e-6);
    EXPECT_NEAR(row["totalUsdSpent"].GetDouble(), run_usd, 1e-6);
  }
}

TEST(UsageHistory, DailyRowsAreTheTenantsLeasesPriceTimesBlocksRoundedTo2dp) {
  Sim s;
  const int ti = TenantWithActiveLease(s);
  ASSERT_GE(ti, 0);
  const World& w = s.world();
  core::Date start = core::Date::FromYmd(2026, 7, 1), end = core::Date::FromYmd(2026, 7, 31);
  auto d = s.Json("/v1/usage/history?address=" + s.tenant(ti).address +
                  "&startDate=" + start.ToString() + "&endDate=" + end.ToString());
  ASSERT_EQ(d.Size(), 31u);
  for (core::Date day = start; day <= end; day = day.AddDays(1)) {
    std::int64_t lo = w.DayStartHeight(day), hi = w.DayStartHeight(day.AddDays(1));
    long double act = 0;
    int leases = 0;
    for (const Lease& l : w.leases()) {
      if (static_cast<int>(l.tenant) != ti) continue;
      std::int64_t a = std::max(lo, l.created), b = std::min(hi, l.end);
      if (b <= a) continue;
      ++leases;
      act += static_cast<long double>(l.price_milli) * static_cast<long double>(b - a) / 1e9L;
    }
    const auto& row = d[static_cast<rapidjson::SizeType>(day.days() - start.days())];
    EXPECT_EQ(row["activeDeployments"].GetInt(), leases) << day.ToString();
    EXPECT_NEAR(row["dailyActSpent"].GetDouble(), std::round(static_cast<double>(act) * 100) / 100,
                1e-9)
        << day.ToString();
    // Post-BME everything is ACT, so USD equals ACT.
    EXPECT_EQ(row["dailyUsdSpent"].GetDouble(), row["dailyActSpent"].GetDouble());
  }
}

TEST(UsageHistory, TodaysRowIsPartialAndGrows) {
  Sim s;
  const int ti = TenantWithActiveLease(s);
  ASSERT_GE(ti, 0);
  const std::string q = "/v1/usage/history?address=" + s.tenant(ti).address +
                        "&startDate=2026-08-20&endDate=2026-08-20";
  double before = s.Json(q)[0]["dailyActSpent"].GetDouble();
  s.clock().Advance(3 * 3'600'000);
  double after = s.Json(q)[0]["dailyActSpent"].GetDouble();
  EXPECT_GT(after, before);
}

TEST(UsageHistory, ValidationErrors) {
  Sim s;
  std::string addr = s.tenant().address;
  std::string bad = addr;
  bad.back() = bad.back() == 'q' ? 'p' : 'q';
  Response r = s.Get("/v1/usage/history?address=" + bad);
  EXPECT_EQ(r.status, 400);
  auto d = Parse(r.body);
  EXPECT_STREQ(d["error"].GetString(), "BadRequestError");
  EXPECT_STREQ(d["type"].GetString(), "validation_error");
  EXPECT_STREQ(d["data"][0]["message"].GetString(), "Invalid address");
  EXPECT_EQ(s.Get("/v1/usage/history").status, 400);
  EXPECT_EQ(s.Get("/v1/usage/history?address=" + addr + "&startDate=2026-08-10&endDate=2026-08-09")
                .status,
            400);
  EXPECT_EQ(s.Get("/v1/usage/history?address=" + addr + "&startDate=2025-08-18&endDate=2026-08-20")
                .status,
            400);
  EXPECT_EQ(s.Get("/v1/usage/history?address=" + addr + "&startDate=20260801").status, 400);
  auto ok = s.Json("/v1/usage/history?address=" + addr +
                   "&startDate=2025-08-19&endDate=2026-08-20");  // 366 days
  EXPECT_EQ(ok.Size(), 367u);
}

TEST(UsageHistory, UnknownButValidAddressGivesZeroRows) {
  Sim s;
  auto d = s.Json("/v1/usage/history?address=" + s.provider().address +
                  "&startDate=2026-08-01&endDate=2026-08-03");
  ASSERT_EQ(d.Size(), 3u);
  for (const auto& row : d.GetArray()) EXPECT_EQ(row["dailyUsdSpent"].GetDouble(), 0);
}

TEST(UsageStats, SummarisesTheSameRows) {
  Sim s;
  const std::string q =
      "?address=" + s.tenant(1).address + "&startDate=2026-06-01&endDate=2026-06-30";
  auto rows = s.Json("/v1/usage/history" + q);
  auto st = s.Json("/v1/usage/history/stats" + q);
  EXPECT_EQ(st.MemberCount(), 4u);
  double total = rows[rows.Size() - 1]["totalUsdSpent"].GetDouble();
  EXPECT_NEAR(st["totalSpent"].GetDouble(), total, 1e-9);
  EXPECT_NEAR(st["averageSpentPerDay"].GetDouble(), std::round(total / 30 * 100) / 100, 0.011);
  EXPECT_EQ(st["totalDeployments"].GetInt(), 0);
  EXPECT_EQ(st["averageDeploymentsPerDay"].GetInt(), 0);
}

TEST(TenantTruth, LifetimeSpendIsTheSumOfEveryDailyRow) {
  Sim s;
  const Tenant& t = s.tenant(1);
  auto truth = s.Json("/_sim/truth/tenant/" + t.address);
  // Walk back from today in 366-day windows, the way the exporter does.
  double usd = 0, act = 0;
  core::Date end = s.Today();
  for (int i = 0; i < 3; ++i) {
    core::Date start = end.AddDays(-365);
    auto rows = s.Json("/v1/usage/history?address=" + t.address + "&startDate=" + start.ToString() +
                       "&endDate=" + end.ToString());
    usd += rows[rows.Size() - 1]["totalUsdSpent"].GetDouble();
    act += rows[rows.Size() - 1]["totalActSpent"].GetDouble();
    end = start.AddDays(-1);
  }
  EXPECT_NEAR(usd, DecimalToDouble(truth["lifetime_usd"].GetString()), 1e-6);
  EXPECT_NEAR(act, DecimalToDouble(truth["lifetime_act"].GetString()), 1e-6);
  auto today = s.Json("/v1/usage/history?address=" + t.address);
  EXPECT_EQ(today[30]["activeDeployments"].GetInt64(), truth["active_leases_today"].GetInt64());
}

TEST(ConsoleAuth, Rules) {
  Sim s;
  const std::string usage = "/v1/usage/history?address=" + s.tenant().address;
  // A bad key fails even on a public route.
  Response r = s.Get(usage, {{"x-api-key", "ac.sk.production." + std::string(64, '0')}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Parse(r.body)["message"], "Invalid API key");
  // Public route without auth is fine; a good key too.
  EXPECT_EQ(s.Get(usage).status, 200);
  EXPECT_EQ(s.Get(usage, s.Key(0)).status, 200);
  // Protected route without auth.
  r = s.Get("/v1/stripe/transactions");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Parse(r.body)["message"], "Unauthorized");
  // Both schemes at once.
  auto both = s.Key(0);
  both.emplace_back("Authorization", "Bearer eyJhbGciOi");
  EXPECT_EQ(s.Get("/v1/user/me", both).status, 400);
}

TEST(StripeTransactions, OffsetShapePagesNewestFirstOverEveryRow) {
  Sim s;
  const int ti = TenantWithShape(s, false);
  ASSERT_GE(ti, 0);
  const Tenant& t = s.tenant(ti);
  std::set<std::string> ids, statuses;
  std::int64_t last_created = INT64_MAX;
  int offset = 0;
  bool more = true;
  while (more) {
    auto d = s.Json("/v1/stripe/transactions?limit=4&offset=" + std::to_string(offset), s.Key(ti));
    const auto& data = d["data"];
    EXPECT_EQ(data["totalCount"].GetInt64(), static_cast<std::int64_t>(t.txns.size()));
    for (const auto& x : data["transactions"].GetArray()) {
      ids.insert(x["id"].GetString());
      statuses.insert(x["status"].GetString());
      for (const char* k : {"amount", "amountRefunded", "bonusAmount", "created"})
        EXPECT_TRUE(x[k].IsInt64()) << k;
      EXPECT_STREQ(x["currency"].GetString(), "usd");
      EXPECT_LE(x["created"].GetInt64(), last_created);
      last_created = x["created"].GetInt64();
      std::string type = x["type"].GetString();
      EXPECT_TRUE(type == "payment_intent" || type == "coupon_claim" || type == "manual_credit");
      if (type == "payment_intent") {
        EXPECT_TRUE(x["cardBrand"].IsString());
        EXPECT_TRUE(x["stripeInvoiceId"].IsNull());
      } else {
        EXPECT_TRUE(x["stripeInvoiceId"].IsString());
      }
      if (x["status"] == "refunded") {
        EXPECT_EQ(x["amountRefunded"].GetInt64(), x["amount"].GetInt64());
      }
    }
    more = data["hasMore"].GetBool();
    offset += 4;
  }
  EXPECT_EQ(ids.size(), t.txns.size());
  EXPECT_EQ(statuses.size(), 7u);
  EXPECT_EQ(s.Get("/v1/stripe/transactions?limit=101", s.Key(ti)).status, 400);
  EXPECT_EQ(s.Get("/v1/stripe/transactions?limit=0", s.Key(ti)).status, 400);
}

TEST(StripeTransactions, DateFilter) {
  Sim s;
  const int ti = TenantWithShape(s, false);
  const Tenant& t = s.tenant(ti);
  std::int64_t cut = t.txns[t.txns.size() / 2].created;
  std::int64_t expected = 0;
  for (const auto& x : t.txns) expected += x.created >= cut ? 1 : 0;
  std::string iso = FormatIsoMillis(cut * 1000);
  auto d = s.Json("/v1/stripe/transactions?startDate=" + iso, s.Key(ti));
  EXPECT_EQ(d["data"]["totalCount"].GetInt64(), expected);
  EXPECT_EQ(s.Get("/v1/stripe/transactions?startDate=yesterday", s.Key(ti)).status, 400);
}

TEST(StripeTransactions, CursorShapeOf2025) {
  Sim s;
  const int ti = TenantWithShape(s, true);
  ASSERT_GE(ti, 0);
  std::set<std::string> ids;
  std::string after;
  int pages = 0;
  while (true) {
    auto d =
        s.Json("/v1/stripe/transactions?limit=3" + (after.empty() ? "" : "&startingAfter=" + after),
               s.Key(ti));
    const auto& data = d["data"];
    EXPECT_FALSE(data.HasMember("totalCount"));
    for (const auto& x : data["transactions"].GetArray()) {
      std::string id = x["id"].GetString();
      EXPECT_EQ(id.rfind("ch_", 0), 0u);
      EXPECT_TRUE(ids.insert(id).second);
      EXPECT_TRUE(x["paymentMethod"]["card"]["brand"].IsString());
      EXPECT_EQ(std::string(x["paymentMethod"]["card"]["last4"].GetString()).size(), 4u);
      std::string st = x["status"].GetString();
      EXPECT_TRUE(st == "succeeded" || st == "pending" || st == "failed") << st;
    }
    ++pages;
    if (!data["hasMore"].GetBool()) {
      EXPECT_TRUE(data["nextPage"].IsNull());
      break;
    }
    after = data["nextPage"].GetString();
  }
  std::size_t cards = 0;
  for (const auto& x : s.tenant(ti).txns) cards += x.type == "payment_intent" ? 1 : 0;
  EXPECT_EQ(ids.size(), cards);
  EXPECT_GT(pages, 1);
}

TEST(Balances, KeyOrAddressAndEscrowMatchesDeployments) {
  Sim s;
  const int ti = TenantWithActiveLease(s);
  auto b = s.Json("/v1/balances", s.Key(ti));
  const auto& data = b["data"];
  EXPECT_EQ(data["total"].GetInt64(), data["balance"].GetInt64() + data["deployments"].GetInt64());
  auto byaddr = s.Json("/v1/balances?address=" + s.tenant(ti).address);
  EXPECT_EQ(byaddr["data"]["total"].GetInt64(), data["total"].GetInt64());
  // deployments = Σ escrow funds of the tenant's open deployments, as /v1/deployments shows them.
  auto deps = s.Json("/v1/deployments", s.Key(ti));
  double funds = 0;
  for (const auto& d : deps["data"]["deployments"].GetArray()) {
    if (d["deployment"]["state"] == "active")
      funds += std::stod(d["escrow_account"]["state"]["funds"][0]["amount"].GetString());
  }
  EXPECT_GT(funds, 0);
  EXPECT_DOUBLE_EQ(static_cast<double>(data["deployments"].GetInt64()), funds);
  EXPECT_EQ(s.Get("/v1/balances").status, 401);
  EXPECT_EQ(s.Get("/v1/balances?address=akash1notanaddress").status, 400);
}

TEST(Identity, UserMeThenWalletsGivesTheAddress) {
  Sim s;
  auto me = s.Json("/v1/user/me", s.Key(2));
  std::string id = me["data"]["id"].GetString();
  auto wallets = s.Json("/v1/wallets?userId=" + id, s.Key(2));
  ASSERT_EQ(wallets["data"].Size(), 1u);
  const auto& wlt = wallets["data"][0];
  EXPECT_EQ(wlt["address"], s.tenant(2).address.c_str());
  EXPECT_STREQ(wlt["denom"].GetString(), "uact");
  EXPECT_TRUE(wlt["creditAmount"].IsInt64());
  EXPECT_TRUE(wlt["isTrialing"].IsBool());
  EXPECT_EQ(s.Json("/v1/wallets?userId=" + s.tenant(3).user_id, s.Key(2))["data"].Size(), 0u);
  EXPECT_EQ(s.Get("/v1/wallets", s.Key(2)).status, 400);
  EXPECT_EQ(s.Get("/v1/user/me").status, 401);
}

TEST(Deployments, ShapePaginationAndGpuAttributes) {
  Sim s;
  const int ti = TenantWithActiveLease(s);
  const Tenant& t = s.tenant(ti);
  auto all = s.Json("/v1/deployments", s.Key(ti));
  const auto& pg = all["data"]["pagination"];
  EXPECT_EQ(pg["total"].GetInt64(), static_cast<std::int64_t>(t.deployments.size()));
  EXPECT_EQ(pg["limit"].GetInt64(), pg["total"].GetInt64());
  EXPECT_FALSE(pg["hasMore"].GetBool());
  auto page = s.Json("/v1/deployments?skip=1&limit=2", s.Key(ti));
  EXPECT_EQ(page["data"]["deployments"].Size(), 2u);
  EXPECT_TRUE(page["data"]["pagination"]["hasMore"].GetBool());
  EXPECT_EQ(std::string(page["data"]["deployments"][0]["deployment"]["id"]["dseq"].GetString()),
            std::string(all["data"]["deployments"][1]["deployment"]["id"]["dseq"].GetString()));
  bool saw_gpu = false;
  for (const auto& d : all["data"]["deployments"].GetArray()) {
    for (const auto& l : d["leases"].GetArray()) {
      std::string amount = l["price"]["amount"].GetString();
      EXPECT_EQ(amount.size() - amount.find('.') - 1, 18u);
      EXPECT_TRUE(l["id"]["gseq"].IsUint());
      EXPECT_TRUE(l["created_at"].IsString());
    }
    std::string dseq = d["deployment"]["id"]["dseq"].GetString();
    auto one = s.Json("/v1/deployment/" + t.address + "/" + dseq);
    for (const auto& g : one["other"]["groups"].GetArray()) {
      for (const auto& res : g["group_spec"]["resources"].GetArray()) {
        for (const auto& a : res["resource"]["gpu"]["attributes"].GetArray()) {
          EXPECT_EQ(std::string(a["key"].GetString()).rfind("vendor/nvidia/model/", 0), 0u);
          saw_gpu = true;
        }
      }
    }
  }
  (void)saw_gpu;
  Response nf = s.Get("/v1/deployment/" + t.address + "/1");
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(Parse(nf.body)["message"], "Deployment not found");
  EXPECT_EQ(s.Get("/v1/deployment/" + t.address + "/abc").status, 400);
}

TEST(Deployments, SomeGroupNamesAConcreteGpuModel) {
  Sim s;
  int found = 0;
  for (const Deployment& d : s.world().deployments()) {
    const Lease& l = s.world().leases()[d.leases.front()];
    if (l.gpus == 0 || d.gpu_wildcard) continue;
    auto one = s.Json("/v1/deployment/" + s.world().tenants()[d.tenant].address + "/" +
                      std::to_string(d.dseq));
    const auto& attrs =
        one["other"]["groups"][0]["group_spec"]["resources"][0]["resource"]["gpu"]["attributes"];
    ASSERT_EQ(attrs.Size(), 1u);
    const GpuModel& g = s.world().gpu_models()[static_cast<std::size_t>(l.gpu_model)];
    EXPECT_EQ(std::string(attrs[0]["key"].GetString()), "vendor/nvidia/model/" + g.model);
    EXPECT_STREQ(attrs[0]["value"].GetString(), "true");
    if (++found == 5) break;
  }
  EXPECT_GT(found, 0);
}

}  // namespace
}  // namespace akash::sim::testing

namespace akash::sim::testing {
namespace {

TEST(StripeExport, CsvWithBomAndThirteenColumns) {
  Sim s;
  const int ti = TenantWithShape(s, false);
  const std::string q =
      "/v1/stripe/transactions/"
      "export?timezone=UTC&startDate=2025-08-01T00:00:00Z&endDate=2026-08-01T00:00:00Z";
  Response r = s.Get(q, s.Key(ti));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/csv");
  EXPECT_EQ(r.body.rfind("\xEF\xBB\xBFTransaction ID,Date "
                         "(UTC),Type,Amount,Bonus,Refunded,Currency,Status,Card Brand,"
                         "Card Last 4,Description,Invoice ID,Receipt URL\n",
                         0),
            0u);
  EXPECT_NE(r.Header("content-disposition")
                .value_or("")
                .find("transactions_2025-08-01_to_2026-08-01.csv"),
            std::string::npos);
  std::size_t lines = 0;
  for (char ch : r.body) lines += ch == '\n';
  std::size_t expected = 0;
  for (const auto& x : s.tenant(ti).txns) {
    expected += (x.created >= *ParseRfc3339Ms("2025-08-01T00:00:00Z") / 1000 &&
                 x.created <= *ParseRfc3339Ms("2026-08-01T00:00:00Z") / 1000)
                    ? 1
                    : 0;
  }
  EXPECT_EQ(lines, 1 + std::max<std::size_t>(expected, 1));
  EXPECT_NE(r.body.find(",USD,"), std::string::npos);
  EXPECT_EQ(s.Get("/v1/stripe/transactions/export?timezone=Mars/"
                  "Olympus&startDate=2025-08-01T00:00:00Z&endDate=2026-08-01T00:00:00Z",
                  s.Key(ti))
                .status,
            400);
  EXPECT_EQ(s.Get("/v1/stripe/transactions/export?timezone=UTC", s.Key(ti)).status, 400);
  EXPECT_EQ(s.Get(q).status, 401);
}

}  // namespace
}  // namespace akash::sim::testing

namespace akash::sim::testing {
namespace {

TEST(TenantTruth, LeaseGroupsAgreeWithTheDeploymentsRoute) {
  Sim s;
  const int ti = TenantWithActiveLease(s);
  auto truth = s.Json("/_sim/truth/tenant/" + s.tenant(ti).address);
  // Rebuild the active-lease rate per provider from /v1/deployments (price per block of active
  // leases) and compare with the truth's groups summed over GPU models.
  std::map<std::string, double> rate_by_provider;
  auto deps = s.Json("/v1/deployments", s.Key(ti));
  for (const auto& d : deps["data"]["deployments"].GetArray()) {
    for (const auto& l : d["leases"].GetArray()) {
      if (l["state"] == "active") {
        rate_by_provider[l["id"]["provider"].GetString()] +=
            std::stod(l["price"]["amount"].GetString());
      }
    }
  }
  std::map<std::string, double> truth_rate;
  std::int64_t active = 0;
  for (const auto& g : truth["leases_by_provider_model"].GetArray()) {
    std::string model = g["gpu_model"].GetString();
    EXPECT_TRUE(model == "none" || model == "any" || model.find('/') == std::string::npos) << model;
    truth_rate[g["provider"].GetString()] += std::stod(g["rate_uact_per_block"].GetString());
    active += g["active_leases"].GetInt64();
  }
  ASSERT_GT(active, 0);
  for (const auto& [p, r] : rate_by_provider) EXPECT_NEAR(truth_rate[p], r, 1e-6) << p;
}

}  // namespace
}  // namespace akash::sim::testing

namespace akash::sim::testing {
namespace {

TEST(UsageHistory, FutureDaysAreZeroUnlessTheProductionQuirkIsOn) {
  const int ti = 1;
  const std::string q = "&startDate=2026-08-20&endDate=2026-08-22";
  Sim plain;
  auto rows = plain.Json("/v1/usage/history?address=" + plain.tenant(ti).address + q);
  ASSERT_EQ(rows.Size(), 3u);
  EXPECT_EQ(rows[1]["dailyUsdSpent"].GetDouble(), 0);
  EXPECT_EQ(rows[2]["activeDeployments"].GetInt(), 0);
  RouterOptions o;
  o.usage_future_quirk = true;
  Sim quirky(SmallConfig(), o);
  auto bogus = quirky.Json("/v1/usage/history?address=" + quirky.tenant(ti).address + q);
  // Tomorrow counts every lease the tenant ever had, each with its whole life as one day.
  EXPECT_EQ(bogus[1]["activeDeployments"].GetInt64(),
            static_cast<std::int64_t>(quirky.tenant(ti).leases.size()));
  EXPECT_GT(bogus[1]["dailyActSpent"].GetDouble(), 100 * rows[0]["dailyActSpent"].GetDouble());
  EXPECT_EQ(bogus[0]["dailyActSpent"].GetDouble(), rows[0]["dailyActSpent"].GetDouble());
}

}  // namespace
}  // namespace akash::sim::testing

namespace akash::sim::testing {
namespace {

TEST(ConsoleBlocks, NewestFirstFromTheIndexedHead) {
  Sim s;
  auto world = s.Json("/_sim/world");
  auto blocks = s.Json("/v1/blocks?limit=3");
  ASSERT_EQ(blocks.Size(), 3u);
  EXPECT_EQ(blocks[0]["height"].GetInt64(), world["indexed_height"].GetInt64());
  EXPECT_EQ(blocks[1]["height"].GetInt64(), world["indexed_height"].GetInt64() - 1);
  EXPECT_TRUE(blocks[0]["datetime"].IsString());
  EXPECT_EQ(s.Json("/v1/blocks").Size(), 20u);
  EXPECT_EQ(s.Get("/v1/blocks?limit=101").status, 400);
  EXPECT_EQ(s.Get("/v1/blocks?limit=0").status, 400);
}

TEST(Deployments, DetailLeasesUseTheOpenApiFieldNames) {
  Sim s;
  const Deployment& d = s.world().deployments().front();
  auto one = s.Json("/v1/deployment/" + s.world().tenants()[d.tenant].address + "/" +
                    std::to_string(d.dseq));
  ASSERT_GT(one["leases"].Size(), 0u);
  for (const auto& l : one["leases"].GetArray()) {
    EXPECT_TRUE(l["status"].IsString());
    EXPECT_TRUE(l["monthlyCostUDenom"].IsNumber());
    EXPECT_TRUE(l["gseq"].IsUint());
  }
}

TEST(TenantTruth, OpenLeasesSpendUpToTheIndexedHead) {
  Sim s;
  const int ti = TenantWithActiveLease(s);
  auto truth = s.Json("/_sim/truth/tenant/" + s.tenant(ti).address);
  auto blocks = s.Json("/v1/blocks?limit=1");
  EXPECT_EQ(truth["spent_height"].GetInt64(), blocks[0]["height"].GetInt64());
  EXPECT_LT(truth["spent_height"].GetInt64(), truth["chain_height"].GetInt64());
}

}  // namespace
}  // namespace akash::sim::testing
