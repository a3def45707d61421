// Provider Console Earnings API, Console provider routes, and their agreement with the world.

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

std::vector<std::pair<std::string, std::string>> EarningsKey(const Sim& s, int p = 0) {
  return {{"X-API-Key", s.provider(p).earnings_api_key}};
}

std::string Range(core::Date from, core::Date to) {
  return "from_date=" + from.ToString() + "&to_date=" + to.ToString();
}

// Independent of the simulator's code: Σ price × blocks of one provider's uact+uusdc leases
// inside [from 00:00Z, to 00:00Z), in micro-units.
double ActByHand(const World& w, int p, core::Date from, core::Date to) {
  std::int64_t lo = w.DayStartHeight(from), hi = w.DayStartHeight(to);
  long double sum = 0;
  for (const Lease& l : w.leases()) {
    if (static_cast<int>(l.provider) != p || l.denom == Denom::kUakt) continue;
    std::int64_t a = std::max(lo, l.created), b = std::min(hi, l.end);
    if (b > a)
      sum += static_cast<long double>(l.price_milli) / 1000.0L * static_cast<long double>(b - a);
  }
  return static_cast<double>(sum);
}

TEST(ProviderConsoleEarnings, MissingKeyIs401WithTheFastApiBody) {
  Sim s;
  Response r = s.Get("/provider-earnings?from_date=2026-08-01&to_date=2026-08-02");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body,
            R"({"detail":{"error":"API Key Required","message":"X-API-Key header is required"}})");
}

TEST(ProviderConsoleEarnings, UnknownKeyIs401InvalidApiKeyEvenWithBadDates) {
  Sim s;
  Response r = s.Get("/provider-earnings", {{"X-API-Key", "akash_" + std::string(64, 'a')}});
  EXPECT_EQ(r.status, 401);  // the key is checked before the query is validated
  auto d = Parse(r.body);
  EXPECT_STREQ(d["detail"]["error"].GetString(), "Invalid API Key");
  EXPECT_FALSE(d["detail"].HasMember("error_code"));
}

TEST(ProviderConsoleEarnings, HeaderNameIsCaseInsensitive) {
  Sim s;
  Response r = s.Get("/provider-earnings?from_date=2026-08-01&to_date=2026-08-02",
                     {{"x-api-key", s.provider().earnings_api_key}});
  EXPECT_EQ(r.status, 200);
}

TEST(ProviderConsoleEarnings, MissingAndBadDatesAre422List) {
  Sim s;
  Response r = s.Get("/provider-earnings", EarningsKey(s));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(
      r.body,
      R"({"detail":[{"type":"missing","loc":["query","from_date"],"msg":"Field required","input":null},)"
      R"({"type":"missing","loc":["query","to_date"],"msg":"Field required","input":null}]})");
  Response bad =
      s.Get("/provider-earnings?from_date=2026-13-01&to_date=2026-08-02", EarningsKey(s));
  EXPECT_EQ(bad.status, 422);
  auto d = Parse(bad.body);
  ASSERT_EQ(d["detail"].Size(), 1u);
  EXPECT_STREQ(d["detail"][0]["type"].GetString(), "date_from_datetime_parsing");
  EXPECT_STREQ(d["detail"][0]["loc"][1].GetString(), "from_date");
}

TEST(ProviderConsoleEarnings, RangeErrors) {
  Sim s;
  Response r = s.Get("/provider-earnings?from_date=2026-08-10&to_date=2026-08-09", EarningsKey(s));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"detail":{"error":"Invalid Date Range","message":"From date must be before or equal to to date","error_code":"EARNINGS_002"}})");
  r = s.Get("/provider-earnings?from_date=2025-08-18&to_date=2026-08-19",
            EarningsKey(s));  // 366 days
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Parse(r.body)["detail"]["error_code"], "EARNINGS_003");
  r = s.Get("/provider-earnings?from_date=2025-08-19&to_date=2026-08-19",
            EarningsKey(s));  // 365 days
  EXPECT_EQ(r.status, 200);
}

TEST(ProviderConsoleEarnings, ToPastTheIndexedDayIs404Earnings004) {
  Sim s;  // now 2026-08-20T12:00Z: 2026-08-20 00:00Z is indexed, 2026-08-21 is not
  EXPECT_EQ(
      s.Get("/provider-earnings?from_date=2026-08-19&to_date=2026-08-20", EarningsKey(s)).status,
      200);
  Response r = s.Get("/provider-earnings?from_date=2026-08-20&to_date=2026-08-21", EarningsKey(s));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "{\"detail\":{\"error\":\"Provider Earnings Not Found\",\"message\":\"No earnings data "
            "found for wallet " +
                s.provider().address +
                " in the specified date range\",\"error_code\":\"EARNINGS_004\"}}");
}

TEST(ProviderConsoleEarnings, WalletThatIsNotAProviderIs404) {
  Sim s;
  Response r = s.Get("/provider-earnings?from_date=2026-08-01&to_date=2026-08-02",
                     {{"X-API-Key", s.world().orphan_earnings_key()}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Parse(r.body)["detail"]["error_code"], "EARNINGS_004");
}

TEST(ProviderConsoleEarnings, IndexerLagDelaysYesterday) {
  // 30 s after midnight with a 60 s lag: the indexer has not reached today's first block.
  const std::int64_t midnight = *ParseRfc3339Ms("2026-08-20T00:00:30Z");
  Sim s(SmallConfig(), RouterOptions{}, midnight);
  EXPECT_EQ(
      s.Get("/provider-earnings?from_date=2026-08-19&to_date=2026-08-20", EarningsKey(s)).status,
      404);
  EXPECT_EQ(
      s.Get("/provider-earnings?from_date=2026-08-18&to_date=2026-08-19", EarningsKey(s)).status,
      200);
  s.clock().Advance(60'000);
  EXPECT_EQ(
      s.Get("/provider-earnings?from_date=2026-08-19&to_date=2026-08-20", EarningsKey(s)).status,
      200);
}

TEST(ProviderConsoleEarnings, FromEqualsToIsZerosInPythonFloats) {
  Sim s;
  Response r = s.Get("/provider-earnings?from_date=2026-08-10&to_date=2026-08-10", EarningsKey(s));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"earnings":{"totalUAktEarned":0.0,"totalUUsdcEarned":0.0,"totalUUsdEarned":0.0}})");
}

TEST(ProviderConsoleEarnings, ExactlyThreeNumericFieldsMatchingALeaseByLeaseSum) {
  Sim s;
  for (int p = 0; p < 3; ++p) {
    core::Date from = core::Date::FromYmd(2026, 7, 1), to = core::Date::FromYmd(2026, 8, 1);
    auto d = s.Json("/provider-earnings?" + Range(from, to), EarningsKey(s, p));
    const auto& e = d["earnings"];
    EXPECT_EQ(e.MemberCount(), 3u);
    for (const char* k : {"totalUAktEarned", "totalUUsdcEarned", "totalUUsdEarned"}) {
      ASSERT_TRUE(e[k].IsNumber()) << k;
    }
    ExpectClose(e["totalUUsdcEarned"].GetDouble(), ActByHand(s.world(), p, from, to), "act");
    EXPECT_GT(e["totalUUsdcEarned"].GetDouble(), 0);
  }
}

TEST(ProviderConsoleEarnings, ToIsExclusiveSoAdjacentWindowsAdd) {
  Sim s;
  core::Date d = core::Date::FromYmd(2026, 8, 10);
  auto both = s.Json("/provider-earnings?" + Range(d, d.AddDays(2)), EarningsKey(s));
  auto first = s.Json("/provider-earnings?" + Range(d, d.AddDays(1)), EarningsKey(s));
  auto second = s.Json("/provider-earnings?" + Range(d.AddDays(1), d.AddDays(2)), EarningsKey(s));
  for (const char* k : {"totalUAktEarned", "totalUUsdcEarned", "totalUUsdEarned"}) {
    ExpectClose(both["earnings"][k].GetDouble(),
                first["earnings"][k].GetDouble() + second["earnings"][k].GetDouble(), k);
  }
  // One day of a 6 s chain is 14400 blocks of each lease running all day.
  ExpectClose(first["earnings"]["totalUUsdcEarned"].GetDouble(),
              ActByHand(s.world(), 0, d, d.AddDays(1)));
}

TEST(ProviderConsoleEarnings, UsdValuesAktAtThatDaysPrice) {
  Sim s;
  // Pick a pre-BME day on which provider 0 earned AKT, and check USD = uakt × price + act.
  for (core::Date d = core::Date::FromYmd(2025, 10, 1); d < core::Date::FromYmd(2026, 3, 1);
       d = d.AddDays(1)) {
    auto r = s.Json("/provider-earnings?" + Range(d, d.AddDays(1)), EarningsKey(s));
    double akt = r["earnings"]["totalUAktEarned"].GetDouble();
    if (akt == 0) continue;
    double price = static_cast<double>(s.world().AktPriceMicro(d)) / 1e6;
    ExpectClose(r["earnings"]["totalUUsdEarned"].GetDouble(),
                akt * price + r["earnings"]["totalUUsdcEarned"].GetDouble());
    return;
  }
  FAIL() << "no AKT earnings found before BME";
}

TEST(ConsoleProviderEarnings, FourFieldsEqualToProviderConsoleAndTruth) {
  Sim s;
  for (int p = 0; p < 3; ++p) {
    const std::string& addr = s.provider(p).address;
    auto pc =
        s.Json("/provider-earnings?from_date=2025-09-01&to_date=2026-08-20", EarningsKey(s, p));
    auto v1 = s.Json("/v1/provider-earnings/" + addr + "?from=2025-09-01&to=2026-08-20");
    auto truth = s.Json("/_sim/truth/earnings/" + addr + "?from=2025-09-01&to=2026-08-20");
    const auto& e = v1["earnings"];
    EXPECT_EQ(e.MemberCount(), 4u);
    EXPECT_EQ(e["totalUActEarned"].GetDouble(), e["totalUUsdcEarned"].GetDouble());
    EXPECT_EQ(e["totalUAktEarned"].GetDouble(), pc["earnings"]["totalUAktEarned"].GetDouble());
    EXPECT_EQ(e["totalUUsdcEarned"].GetDouble(), pc["earnings"]["totalUUsdcEarned"].GetDouble());
    EXPECT_EQ(e["totalUUsdEarned"].GetDouble(), pc["earnings"]["totalUUsdEarned"].GetDouble());
    ExpectClose(e["totalUAktEarned"].GetDouble(), DecimalToDouble(truth["uakt"].GetString()));
    ExpectClose(e["totalUActEarned"].GetDouble(),
                DecimalToDouble(truth["uact_plus_uusdc"].GetString()));
    ExpectClose(e["totalUUsdEarned"].GetDouble(), DecimalToDouble(truth["uusd"].GetString()));
    EXPECT_TRUE(truth["indexed"].GetBool());
  }
}

TEST(ConsoleProviderEarnings, Errors) {
  Sim s;
  const std::string addr = s.provider().address;
  Response r = s.Get("/v1/provider-earnings/" + addr + "?from=2026-8-1&to=2026-08-02");
  EXPECT_EQ(r.status, 400);
  auto d = Parse(r.body);
  EXPECT_STREQ(d["error"].GetString(), "BadRequestError");
  EXPECT_STREQ(d["code"].GetString(), "validation_error");
  EXPECT_STREQ(d["data"][0]["path"][0].GetString(), "from");
  EXPECT_EQ(s.Get("/v1/provider-earnings/" + addr + "?from=2026-08-01").status, 400);
  r = s.Get("/v1/provider-earnings/" + s.tenant().address + "?from=2026-08-01&to=2026-08-02");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(
      r.body,
      R"({"error":"NotFoundError","message":"Provider not found","code":"not_found","type":"client_error"})");
  r = s.Get("/v1/provider-earnings/" + addr + "?from=2026-08-01&to=2026-08-22");
  EXPECT_EQ(Parse(r.body)["message"], "To block not found");
  r = s.Get("/v1/provider-earnings/" + addr + "?from=2026-08-22&to=2026-08-23");
  EXPECT_EQ(Parse(r.body)["message"], "From block not found");
}

const char* const kDashboardFields[] = {
    "height",          "activeLeaseCount", "totalLeaseCount",  "dailyLeaseCount", "totalUAktEarned",
    "dailyUAktEarned", "totalUUsdcEarned", "dailyUUsdcEarned", "totalUActEarned", "dailyUActEarned",
    "totalUUsdEarned", "dailyUUsdEarned",  "activeCPU",        "activeGPU"};
// Postgres BIGINT sums: JSON strings on the wire.
const char* const kDashboardStringFields[] = {"activeMemory", "activeEphemeralStorage",
                                              "activePersistentStorage", "activeStorage"};

std::int64_t Int(const rapidjson::Value& v) { return std::stoll(v.GetString()); }

TEST(ProviderDashboard, ShapeAndHeights) {
  Sim s;
  auto d = s.Json("/v1/provider-dashboard/" + s.provider().address);
  for (const char* part : {"current", "previous"}) {
    ASSERT_TRUE(d[part].IsObject());
    EXPECT_TRUE(d[part]["date"].IsString());
    for (const char* f : kDashboardFields) EXPECT_TRUE(d[part][f].IsNumber()) << part << "." << f;
    for (const char* f : kDashboardStringFields) {
      EXPECT_TRUE(d[part][f].IsString()) << part << "." << f;
    }
  }
  EXPECT_EQ(d["current"]["height"].GetInt64(), s.router().IndexedHeight());
  EXPECT_EQ(d["current"]["height"].GetInt64() - d["previous"]["height"].GetInt64(), 14'400);
  // The Console's `+` on two strings: a concatenation, as in production.
  EXPECT_EQ(std::string(d["current"]["activeStorage"].GetString()),
            std::string(d["current"]["activeEphemeralStorage"].GetString()) +
                d["current"]["activePersistentStorage"].GetString());
  EXPECT_GT(Int(d["current"]["activeEphemeralStorage"]), 0);
  // daily = total(now) - total(24 h earlier) = current.total - previous.total
  ExpectClose(
      d["current"]["dailyUActEarned"].GetDouble(),
      d["current"]["totalUActEarned"].GetDouble() - d["previous"]["totalUActEarned"].GetDouble());
  EXPECT_EQ(std::string(d["current"]["date"].GetString()).size(), 24u);  // 2026-08-20T11:58:57.512Z
}

TEST(ProviderDashboard, TotalsMatchTruthAndCountersGrowWithTime) {
  Sim s;
  for (int p = 0; p < 3; ++p) {
    const std::string addr = s.provider(p).address;
    auto d = s.Json("/v1/provider-dashboard/" + addr);
    auto t = s.Json("/_sim/truth/provider/" + addr);
    const auto& c = d["current"];
    EXPECT_EQ(c["height"].GetInt64(), t["height"].GetInt64());
    ExpectClose(c["totalUAktEarned"].GetDouble(), DecimalToDouble(t["total_uakt"].GetString()));
    ExpectClose(c["totalUActEarned"].GetDouble(),
                DecimalToDouble(t["total_uact_plus_uusdc"].GetString()));
    ExpectClose(c["totalUUsdEarned"].GetDouble(), DecimalToDouble(t["total_uusd"].GetString()));
    EXPECT_EQ(c["activeLeaseCount"].GetInt64(), t["active_lease_count"].GetInt64());
    EXPECT_EQ(c["totalLeaseCount"].GetInt64(), t["total_lease_count"].GetInt64());
    EXPECT_EQ(c["activeCPU"].GetInt64(), t["active_cpu"].GetInt64());
    EXPECT_EQ(c["activeGPU"].GetInt64(), t["active_gpu"].GetInt64());
    EXPECT_EQ(Int(c["activeMemory"]), t["active_memory"].GetInt64());
    EXPECT_EQ(Int(c["activeEphemeralStorage"]), t["active_ephemeral_storage"].GetInt64());
    EXPECT_EQ(Int(c["activePersistentStorage"]), t["active_persistent_storage"].GetInt64());
  }
  const std::string addr = s.provider().address;
  double before =
      s.Json("/v1/provider-dashboard/" + addr)["current"]["totalUActEarned"].GetDouble();
  s.clock().Advance(3'600'000);
  double after = s.Json("/v1/provider-dashboard/" + addr)["current"]["totalUActEarned"].GetDouble();
  EXPECT_GT(after, before);
}

TEST(ProviderDashboard, LifetimeTotalEqualsSumOfDailyEarningsSinceCreation) {
  // Freeze time so the indexed block is exactly today's first block: then the lifetime total
  // is exactly the sum of complete days.
  Sim probe;
  const World& w = probe.world();
  core::Date today = core::Date::FromYmd(2026, 8, 20);
  std::int64_t now = w.TimeOfHeight(w.DayStartHeight(today)) + 60'000;
  Sim s(SmallConfig(), RouterOptions{}, now);
  ASSERT_EQ(s.router().IndexedHeight(), s.world().DayStartHeight(today));
  auto d = s.Json("/v1/provider-dashboard/" + s.provider().address);
  core::Date created = s.world().DayOfHeight(s.provider().created_height);
  double akt = 0, act = 0, usd = 0;
  for (core::Date from = created; from < today; from = from.AddDays(1)) {
    auto e = s.Json("/provider-earnings?" + Range(from, from.AddDays(1)), EarningsKey(s));
    akt += e["earnings"]["totalUAktEarned"].GetDouble();
    act += e["earnings"]["totalUUsdcEarned"].GetDouble();
    usd += e["earnings"]["totalUUsdEarned"].GetDouble();
  }
  EXPECT_NEAR(d["current"]["totalUAktEarned"].GetDouble(), akt, std::abs(akt) * 1e-9 + 1e-6);
  EXPECT_NEAR(d["current"]["totalUActEarned"].GetDouble(), act, std::abs(act) * 1e-9 + 1e-6);
  EXPECT_NEAR(d["current"]["totalUUsdEarned"].GetDouble(), usd, std::abs(usd) * 1e-9 + 1e-6);
}

TEST(ProviderDashboard, UnknownProviderIs404Json) {
  Sim s;
  Response r = s.Get("/v1/provider-dashboard/" + s.tenant().address);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Parse(r.body)["message"], "Provider not found");
}

TEST(ConsoleProvider, RecordShapeAndPlainText404) {
  Sim s;
  Response r = s.Get("/v1/providers/" + s.tenant().address);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Provider not found.");
  EXPECT_EQ(r.content_type.rfind("text/plain", 0), 0u);
  auto d = s.Json("/v1/providers/" + s.provider().address);
  EXPECT_EQ(d["owner"], s.provider().address.c_str());
  EXPECT_TRUE(d["name"].IsString());
  EXPECT_TRUE(d["hostUri"].IsString());
  EXPECT_TRUE(d["isOnline"].IsBool());
  for (const char* u : {"uptime1d", "uptime7d", "uptime30d"}) EXPECT_TRUE(d[u].IsNumber()) << u;
  ASSERT_TRUE(d["gpuModels"].IsArray());
  ASSERT_GT(d["gpuModels"].Size(), 0u);
  for (const char* k : {"vendor", "model", "ram", "interface"})
    EXPECT_TRUE(d["gpuModels"][0][k].IsString());
  for (const char* k : {"cpu", "gpu", "memory"}) {
    for (const char* f : {"active", "available", "pending"})
      EXPECT_TRUE(d["stats"][k][f].IsNumber()) << k << f;
    EXPECT_GE(d["stats"][k]["available"].GetInt64(), 0);
  }
  EXPECT_TRUE(d["stats"]["storage"]["ephemeral"]["active"].IsNumber());
  EXPECT_TRUE(d["stats"]["storage"]["persistent"]["available"].IsNumber());
}

TEST(Market, AktPriceShape) {
  Sim s;
  Response r = s.Get("/v1/market-data/akt");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("cache-control").value_or("").find("max-age=300"), std::string::npos);
  auto d = Parse(r.body);
  for (const char* k : {"price", "volume", "marketCap", "marketCapRank", "priceChange24h",
                        "priceChangePercentage24"}) {
    EXPECT_TRUE(d[k].IsNumber()) << k;
  }
  // The oracle route has no volume, market cap or rank: always 0.
  for (const char* k : {"volume", "marketCap", "marketCapRank"}) {
    EXPECT_EQ(d[k].GetDouble(), 0.0) << k;
  }
  EXPECT_DOUBLE_EQ(d["price"].GetDouble(),
                   static_cast<double>(s.world().AktPriceMicro(s.Today())) / 1e6);
}

}  // namespace
}  // namespace akash::sim::testing

namespace akash::sim::testing {
namespace {

TEST(ConsoleWithoutAct, OlderPayloadsLackTheActFields) {
  RouterOptions o;
  o.console_without_act = true;
  Sim s(SmallConfig(), o);
  auto e =
      s.Json("/v1/provider-earnings/" + s.provider().address + "?from=2026-08-01&to=2026-08-02");
  EXPECT_EQ(e["earnings"].MemberCount(), 3u);
  EXPECT_FALSE(e["earnings"].HasMember("totalUActEarned"));
  auto d = s.Json("/v1/provider-dashboard/" + s.provider().address);
  EXPECT_FALSE(d["current"].HasMember("totalUActEarned"));
  EXPECT_FALSE(d["previous"].HasMember("dailyUActEarned"));
  EXPECT_TRUE(d["current"]["totalUUsdcEarned"].IsNumber());
  auto u = s.Json("/v1/usage/history?address=" + s.tenant().address);
  EXPECT_EQ(u[0].MemberCount(), 8u);
  EXPECT_FALSE(u[0].HasMember("dailyActSpent"));
  EXPECT_TRUE(u[0]["dailyUsdcSpent"].IsNumber());
}

}  // namespace
}  // namespace akash::sim::testing
