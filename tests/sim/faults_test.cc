// Fault injection (flag spec and control API), control endpoints and stats.

#include <ctime>

#include "sim/json_util.h"
#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

void AddFault(Sim& s, const std::string& json) {
  Response r = s.Call("POST", "/_sim/faults", {}, json);
  ASSERT_EQ(r.status, 201) << r.body;
}

std::string Dash(const Sim& s) { return "/v1/provider-dashboard/" + s.provider().address; }
std::string Earn(const Sim&) {
  return "/provider-earnings?from_date=2026-08-01&to_date=2026-08-02";
}

TEST(FaultSpec, ParsesFlagForm) {
  std::string err;
  auto f = FaultSet::ParseSpec("market:429:5:3", &err);
  ASSERT_TRUE(f.has_value()) << err;
  EXPECT_EQ(f->route, "market");
  EXPECT_EQ(f->kind, "429");
  EXPECT_EQ(f->arg, "5");
  EXPECT_EQ(f->remaining, 3);
  auto g = FaultSet::ParseSpec("*:503", &err);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->remaining, -1);
  EXPECT_FALSE(FaultSet::ParseSpec("market", &err).has_value());
  EXPECT_FALSE(FaultSet::ParseSpec("market:429:5:x", &err).has_value());
  FaultSet set;
  EXPECT_LT(set.Add({0, "market", "explode", "", -1}, &err), 0);
  EXPECT_LT(set.Add({0, "nowhere", "500", "", -1}, &err), 0);
}

TEST(Faults, StatusFaultsUseEachServicesErrorShape) {
  Sim s;
  AddFault(s, R"({"route":"provider_console_earnings","kind":"504","count":1})");
  Response r = s.Get(Earn(s), {{"X-API-Key", s.provider().earnings_api_key}});
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(Parse(r.body)["detail"]["error_code"], "EARNINGS_007");
  AddFault(s, R"({"route":"provider_console_earnings","kind":"503","count":1})");
  EXPECT_EQ(Parse(s.Get(Earn(s), {{"X-API-Key", s.provider().earnings_api_key}})
                      .body)["detail"]["error_code"],
            "EARNINGS_008");
  AddFault(s, R"({"route":"provider_console_earnings","kind":"502","count":1})");
  EXPECT_EQ(Parse(s.Get(Earn(s), {{"X-API-Key", s.provider().earnings_api_key}})
                      .body)["detail"]["error_code"],
            "EARNINGS_006");
  AddFault(s, R"({"route":"provider_console_earnings","kind":"500","count":1})");
  EXPECT_EQ(Parse(s.Get(Earn(s), {{"X-API-Key", s.provider().earnings_api_key}})
                      .body)["detail"]["error_code"],
            "EARNINGS_001");
  // After the counted faults the route answers normally again.
  EXPECT_EQ(s.Get(Earn(s), {{"X-API-Key", s.provider().earnings_api_key}}).status, 200);

  AddFault(s, R"({"route":"provider_dashboard","kind":"502","count":1})");
  r = s.Get(Dash(s));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(
      r.body,
      R"({"error":"BadGatewayError","message":"Database connection timeout","code":"database_timeout","type":"service_unavailable"})");
  AddFault(s, R"({"route":"provider_dashboard","kind":"500","count":1})");
  EXPECT_EQ(Parse(s.Get(Dash(s)).body)["error"], "InternalServerError");
  AddFault(s, R"({"route":"provider_dashboard","kind":"401","count":1})");
  r = s.Get(Dash(s));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Parse(r.body)["message"], "Invalid API key");

  AddFault(s, R"({"route":"provider_dashboard","kind":"401","arg":"simple","count":1})");
  EXPECT_EQ(s.Get(Dash(s)).body, R"({"error":"Unauthorized","message":"Invalid API key"})");

  AddFault(s, R"({"route":"leases","kind":"500","count":1})");
  r = s.Get("/akash/market/v1beta5/leases/list");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Parse(r.body)["code"].GetInt(), 13);
  AddFault(s, R"({"route":"leases","kind":"503","count":1})");
  r = s.Get("/akash/market/v1beta5/leases/list");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "text/html");
}

TEST(Faults, RateLimitWithRetryAfterSecondsAndHttpDate) {
  Sim s;
  AddFault(s, R"({"route":"market","kind":"429","arg":"7","count":1})");
  Response r = s.Get("/v1/market-data/akt");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "7");
  AddFault(s, R"({"route":"market","kind":"429_date","arg":"120","count":1})");
  r = s.Get("/v1/market-data/akt");
  EXPECT_EQ(r.status, 429);
  std::string date = r.Header("retry-after").value_or("");
  std::tm tm{};
  ASSERT_NE(strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm), nullptr) << date;
  std::time_t when = timegm(&tm);
  std::time_t now = std::time(nullptr);
  EXPECT_GE(when, now + 100);
  EXPECT_LE(when, now + 140);
}

TEST(Faults, CloudflareChallenge) {
  Sim s;
  AddFault(s, R"({"route":"*","kind":"cloudflare","count":1})");
  Response r = s.Get("/v1/usage/history?address=" + s.tenant().address);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Header("cf-mitigated"), "challenge");
  EXPECT_EQ(r.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(r.body.find("<html"), std::string::npos);
}

TEST(Faults, BodyCorruptions) {
  Sim s;
  const std::string normal = s.Get(Dash(s)).body;
  AddFault(s, R"({"route":"provider_dashboard","kind":"truncate","count":1})");
  Response r = s.Get(Dash(s));
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(r.body.size(), normal.size());
  EXPECT_EQ(normal.rfind(r.body, 0), 0u);  // a prefix of the real answer
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  EXPECT_TRUE(d.HasParseError());

  AddFault(s, R"({"route":"provider_dashboard","kind":"invalid_json","count":1})");
  d.Parse(s.Get(Dash(s)).body.c_str());
  EXPECT_TRUE(d.HasParseError());

  AddFault(s, R"({"route":"provider_dashboard","kind":"numeric_strings","count":1})");
  auto ns = Parse(s.Get(Dash(s)).body);
  auto plain = Parse(normal);
  ASSERT_TRUE(ns["current"]["activeCPU"].IsString());
  EXPECT_EQ(std::stod(ns["current"]["totalUActEarned"].GetString()),
            plain["current"]["totalUActEarned"].GetDouble());
  EXPECT_EQ(std::stoll(ns["current"]["activeCPU"].GetString()),
            plain["current"]["activeCPU"].GetInt64());
  EXPECT_STREQ(ns["current"]["activeMemory"].GetString(),
               plain["current"]["activeMemory"].GetString());

  AddFault(s, R"({"route":"provider_dashboard","kind":"wrong_types","count":1})");
  auto wt = Parse(s.Get(Dash(s)).body);
  EXPECT_TRUE(wt["current"]["height"].IsString());
  EXPECT_STREQ(wt["current"]["height"].GetString(), "not-a-number");

  AddFault(s, R"({"route":"leases","kind":"wrong_types","count":1})");
  auto wl = Parse(s.Get("/akash/market/v1beta5/leases/list?pagination.limit=1").body);
  EXPECT_TRUE(
      wl["leases"][0]["lease"]["created_at"].IsBool());  // a string amount/height turned into false
}

TEST(Faults, ExponentFloats) {
  Sim s;
  auto key = std::vector<std::pair<std::string, std::string>>{
      {"X-API-Key", s.provider().earnings_api_key}};
  const std::string q = "/provider-earnings?from_date=2026-07-01&to_date=2026-08-01";
  auto plain = Parse(s.Get(q, key).body);
  AddFault(s, R"({"route":"provider_console_earnings","kind":"exponent_floats","count":1})");
  Response r = s.Get(q, key);
  EXPECT_NE(r.body.find("e+"), std::string::npos) << r.body;
  auto e = Parse(r.body);
  EXPECT_EQ(e["earnings"]["totalUUsdcEarned"].GetDouble(),
            plain["earnings"]["totalUUsdcEarned"].GetDouble());
}

TEST(Faults, PythonAndJavaScriptNumberForms) {
  EXPECT_EQ(PyFloat(0.0), "0.0");
  EXPECT_EQ(PyFloat(1e-05), "1e-05");
  EXPECT_EQ(PyFloat(1.5e16), "1.5e+16");
  EXPECT_EQ(PyFloat(62549.30588271079), "62549.30588271079");
  EXPECT_EQ(PyFloat(2500000.0), "2500000.0");
  EXPECT_EQ(JsNumber(36.0), "36");
  EXPECT_EQ(JsNumber(1.73), "1.73");
  EXPECT_EQ(JsNumber(1e21), "1e+21");
  EXPECT_EQ(JsNumber(1e-7), "1e-7");
  EXPECT_EQ(JsNumber(0.000001), "0.000001");
  EXPECT_EQ(JsNumber(-2.5), "-2.5");
  EXPECT_EQ(PyFloat(0.0001), "0.0001");
  EXPECT_EQ(PyFloat(1e16), "1e+16");
  EXPECT_EQ(JsNumber(9.81e11), "981000000000");
  EXPECT_EQ(SciFloat(198821549.899183), "1.98821549899183e+08");
}

TEST(Faults, OversizeStaysValidJson) {
  Sim s;
  AddFault(s, R"({"route":"market","kind":"oversize","arg":"2","count":1})");
  Response r = s.Get("/v1/market-data/akt");
  EXPECT_GE(r.body.size(), 2u * 1024 * 1024);
  EXPECT_TRUE(Parse(r.body)["price"].IsNumber());
}

TEST(Faults, PaginationLoopRepeatsTheKeySent) {
  Sim s;
  auto first = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=5");
  std::string key = first["pagination"]["next_key"].GetString();
  AddFault(s, R"({"route":"leases","kind":"pagination_loop"})");
  for (int i = 0; i < 3; ++i) {
    auto d =
        s.Json("/akash/market/v1beta5/leases/list?pagination.limit=5&pagination.key=" + Enc(key));
    EXPECT_EQ(std::string(d["pagination"]["next_key"].GetString()), key);
  }
  EXPECT_EQ(s.Call("DELETE", "/_sim/faults", {}, "").status, 200);
  auto d =
      s.Json("/akash/market/v1beta5/leases/list?pagination.limit=5&pagination.key=" + Enc(key));
  EXPECT_NE(std::string(d["pagination"]["next_key"].GetString()), key);
}

TEST(Faults, TransportFaultsAreInstructionsForTheServer) {
  Sim s;
  AddFault(s, R"({"route":"market","kind":"timeout","arg":"2500","count":1})");
  Response r = s.Get("/v1/market-data/akt");
  EXPECT_EQ(r.transport, Transport::kDelay);
  EXPECT_EQ(r.transport_ms, 2500);
  EXPECT_EQ(r.status, 200);
  AddFault(s, R"({"route":"market","kind":"drip","arg":"900","count":1})");
  r = s.Get("/v1/market-data/akt");
  EXPECT_EQ(r.transport, Transport::kDrip);
  EXPECT_EQ(r.transport_ms, 900);
  AddFault(s, R"({"route":"market","kind":"reset","count":1})");
  EXPECT_EQ(s.Get("/v1/market-data/akt").transport, Transport::kReset);
  EXPECT_EQ(s.Get("/v1/market-data/akt").transport, Transport::kNormal);
}

TEST(Faults, PermanentWildcardUntilClearedAndCountsAcrossRoutes) {
  Sim s;
  AddFault(s, R"({"route":"*","kind":"503"})");
  EXPECT_EQ(s.Get("/v1/market-data/akt").status, 503);
  EXPECT_EQ(s.Get("/akash/market/v1beta5/leases/list").status, 503);
  EXPECT_EQ(s.Get("/_sim/world").status, 200);  // control routes are never faulted
  auto list = s.Json("/_sim/faults");
  ASSERT_EQ(list["faults"].Size(), 1u);
  EXPECT_EQ(list["faults"][0]["count"].GetInt(), -1);
  Response del = s.Call("DELETE", "/_sim/faults", {}, "");
  EXPECT_EQ(Parse(del.body)["cleared"].GetInt(), 1);
  EXPECT_EQ(s.Get("/v1/market-data/akt").status, 200);
  AddFault(s, R"({"route":"market","kind":"500","count":2})");
  EXPECT_EQ(s.Get("/v1/market-data/akt").status, 500);
  EXPECT_EQ(s.Get("/v1/market-data/akt").status, 500);
  EXPECT_EQ(s.Get("/v1/market-data/akt").status, 200);
  EXPECT_EQ(s.Call("POST", "/_sim/faults", {}, R"({"route":"market","kind":"explode"})").status,
            400);
  EXPECT_EQ(
      s.Call("POST", "/_sim/faults", {}, R"({"route":"market","kind":"500","count":0})").status,
      400);
  EXPECT_EQ(s.Call("POST", "/_sim/faults", {}, "not json").status, 400);
}

TEST(Faults, UpstreamNotFoundMessagesEarnings005AndTheNoPriceFallback) {
  Sim s;
  const std::pair<const char*, const char*> messages[] = {
      {"", "Provider not found"},
      {"latest_block", "Latest block not found"},
      {"block_24h", "Earlier block 24h not found"},
      {"block_48h", "Earlier block 48h not found"},
  };
  for (const auto& [arg, message] : messages) {
    AddFault(s, std::string(R"({"route":"provider_dashboard","kind":"not_found","arg":")") + arg +
                    R"(","count":1})");
    Response r = s.Get(Dash(s));
    EXPECT_EQ(r.status, 404);
    auto d = Parse(r.body);
    EXPECT_STREQ(d["message"].GetString(), message);
    EXPECT_STREQ(d["code"].GetString(), "not_found");
    EXPECT_STREQ(d["error"].GetString(), "NotFoundError");
  }
  EXPECT_EQ(s.Get(Dash(s)).status, 200);

  const std::vector<std::pair<std::string, std::string>> key = {
      {"X-API-Key", s.provider().earnings_api_key}};
  AddFault(s, R"({"route":"provider_console_earnings","kind":"earnings_005","count":1})");
  Response e = s.Get(Earn(s), key);
  EXPECT_EQ(e.status, 400);
  auto ed = Parse(e.body);
  EXPECT_STREQ(ed["detail"]["error_code"].GetString(), "EARNINGS_005");
  // The Console's own 400 body, passed through inside `detail`.
  EXPECT_STREQ(ed["detail"]["code"].GetString(), "validation_error");
  EXPECT_TRUE(ed["detail"]["data"].IsArray());
  EXPECT_EQ(s.Get(Earn(s), key).status, 200);

  AddFault(s, R"({"route":"market","kind":"no_price","count":1})");
  Response m = s.Get("/v1/market-data/akt");
  EXPECT_EQ(m.status, 200);
  auto md = Parse(m.body);
  for (const char* k : {"price", "volume", "marketCap", "marketCapRank", "priceChange24h",
                        "priceChangePercentage24"}) {
    ASSERT_TRUE(md[k].IsNumber()) << k;
    EXPECT_EQ(md[k].GetDouble(), 0.0) << k;
  }
  EXPECT_GT(Parse(s.Get("/v1/market-data/akt").body)["price"].GetDouble(), 0.0);
}

double EarnedUsd(Sim& s, const std::string& from, const std::string& to) {
  auto e = s.Json("/provider-earnings?from_date=" + from + "&to_date=" + to,
                  {{"X-API-Key", s.provider().earnings_api_key}});
  return e["earnings"]["totalUUsdEarned"].GetDouble();
}

TEST(Faults, RevalueLowersPastAktPricesInRoutesAndTruthAlike) {
  Sim s;
  const std::string addr = s.provider().address;
  auto jan = s.Json("/_sim/truth/earnings/" + addr + "?from=2026-01-01&to=2026-02-01");
  const double jan_uakt = DecimalToDouble(jan["uakt"].GetString());
  const double jan_act = DecimalToDouble(jan["uact_plus_uusdc"].GetString());
  const double jan_usd = DecimalToDouble(jan["uusd"].GetString());
  ASSERT_GT(jan_uakt, 0) << "the test needs AKT earnings before BME";
  const double dash_before = s.Json(Dash(s))["current"]["totalUUsdEarned"].GetDouble();
  const double truth_before =
      DecimalToDouble(s.Json("/_sim/truth/provider/" + addr)["total_uusd"].GetString());
  ExpectClose(dash_before, truth_before);

  // Every day before the simulated today at half its price.
  AddFault(s, R"({"route":"*","kind":"revalue","arg":"0.5"})");
  auto dash = s.Json(Dash(s));
  const double dash_after = dash["current"]["totalUUsdEarned"].GetDouble();
  const double truth_after =
      DecimalToDouble(s.Json("/_sim/truth/provider/" + addr)["total_uusd"].GetString());
  EXPECT_LT(dash_after, dash_before);
  ExpectClose(dash_after, truth_after);
  // AKT amounts are untouched; only their USD value moved.
  ExpectClose(dash["current"]["totalUAktEarned"].GetDouble(),
              DecimalToDouble(s.Json("/_sim/truth/provider/" + addr)["total_uakt"].GetString()));
  // January: the AKT part (usd − act) is halved, ACT/USDC stays 1:1.
  const double expected_jan = jan_act + (jan_usd - jan_act) * 0.5;
  EXPECT_NEAR(EarnedUsd(s, "2026-01-01", "2026-02-01"), expected_jan, 1e-6 * jan_usd);
  auto jan_truth = s.Json("/_sim/truth/earnings/" + addr + "?from=2026-01-01&to=2026-02-01");
  EXPECT_NEAR(DecimalToDouble(jan_truth["uusd"].GetString()), expected_jan, 1e-6 * jan_usd);
  // It is world state, not a per-request fault: still listed, every route answers normally.
  EXPECT_EQ(s.Get("/v1/market-data/akt").status, 200);
  EXPECT_EQ(s.Json("/_sim/faults")["faults"].Size(), 1u);

  // Cleared: the original prices come back exactly.
  s.Call("DELETE", "/_sim/faults", {}, "");
  EXPECT_EQ(s.Json(Dash(s))["current"]["totalUUsdEarned"].GetDouble(), dash_before);
  EXPECT_DOUBLE_EQ(EarnedUsd(s, "2026-01-01", "2026-02-01"), jan_usd);

  // A day range: only [01-01, 01-15) moves.
  const double second_half = EarnedUsd(s, "2026-01-15", "2026-02-01");
  const double first_half = EarnedUsd(s, "2026-01-01", "2026-01-15");
  AddFault(s, R"({"route":"*","kind":"revalue","arg":"0.8,2026-01-01,2026-01-15"})");
  EXPECT_DOUBLE_EQ(EarnedUsd(s, "2026-01-15", "2026-02-01"), second_half);
  EXPECT_LT(EarnedUsd(s, "2026-01-01", "2026-01-15"), first_half);

  for (const char* bad : {"abc", "-1", "0.5,2026-02-30", "0.5,2026-02-01,2026-01-01",
                          "0.5,2026-01-01,2026-02-01,2026-03-01"}) {
    EXPECT_EQ(s.Call("POST", "/_sim/faults", {},
                     std::string(R"({"route":"*","kind":"revalue","arg":")") + bad + "\"}")
                  .status,
              400)
        << bad;
  }
}

TEST(Control, TimeAdvanceAndStats) {
  Sim s;
  std::int64_t h = s.router().ChainHeight();
  Response r = s.Call("POST", "/_sim/time?advance=3600", {}, "");
  ASSERT_EQ(r.status, 200);
  auto d = Parse(r.body);
  EXPECT_EQ(d["height"].GetInt64(), h + 600);
  EXPECT_EQ(d["indexed_height"].GetInt64(), h + 600 - 10);
  EXPECT_EQ(s.Call("POST", "/_sim/time?advance=-5", {}, "").status, 400);

  s.Call("DELETE", "/_sim/stats", {}, "");
  s.Get(Earn(s), {{"X-API-Key", s.provider().earnings_api_key}});
  s.Get(Earn(s));
  s.Get("/v1/provider-earnings/" + s.provider().address + "?from=2026-08-01&to=2026-08-02");
  s.Get("/nope");
  auto st = s.Json("/_sim/stats");
  EXPECT_EQ(st["requests"]["provider_console_earnings"].GetInt(), 2);
  EXPECT_EQ(st["requests"]["provider_earnings"].GetInt(), 1);
  EXPECT_EQ(st["requests"]["unknown"].GetInt(), 1);
  EXPECT_EQ(st["total"].GetInt(), 4);
}

TEST(Control, WorldListsKeysAndHeights) {
  Sim s;
  auto w = s.Json("/_sim/world");
  EXPECT_EQ(w["providers"].Size(), 3u);
  EXPECT_EQ(w["tenants"].Size(), 6u);
  EXPECT_EQ(w["providers"][0]["earnings_api_key"], s.provider().earnings_api_key.c_str());
  EXPECT_EQ(w["tenants"][0]["console_api_key"], s.tenant().console_api_key.c_str());
  EXPECT_EQ(w["tenants"][0]["user_id"], s.tenant().user_id.c_str());
  EXPECT_EQ(w["lease_count"].GetUint64(), s.world().leases().size());
  EXPECT_EQ(w["height"].GetInt64(), s.router().ChainHeight());
  EXPECT_EQ(w["indexed_height"].GetInt64(), s.router().IndexedHeight());
  EXPECT_EQ(w["block_time_seconds"].GetDouble(), 6.0);
  EXPECT_STREQ(w["now"].GetString(), "2026-08-20T12:00:00.000Z");
}

TEST(Control, TruthProviderChainFigures) {
  Sim s;
  const Provider& p = s.provider();
  auto t = s.Json("/_sim/truth/provider/" + p.address);
  const auto& ch = t["chain"];
  // Cross-check against the chain route: count of leases per state and Σ withdrawn.
  std::int64_t crawled = 0;
  for (const char* state : {"active", "insufficient_funds", "closed", "reclaiming"}) {
    auto d = s.Json("/akash/market/v1beta5/leases/list?pagination.limit=5000&filters.provider=" +
                    p.address + "&filters.state=" + state);
    EXPECT_EQ(static_cast<std::int64_t>(d["leases"].Size()), ch["leases"][state].GetInt64())
        << state;
    crawled += d["leases"].Size();
  }
  EXPECT_EQ(crawled, static_cast<std::int64_t>(p.leases.size()));
  EXPECT_EQ(s.Get("/_sim/truth/provider/" + s.tenant().address).status, 404);
  EXPECT_EQ(s.Get("/_sim/truth/earnings/" + p.address + "?from=2026-08-02&to=2026-08-01").status,
            400);
}

}  // namespace
}  // namespace akash::sim::testing
