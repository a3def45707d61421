// Issue acceptance for the tenant sources: against akash_sim with two tenants (one configured by
// address and key with the current Stripe shape, one by key only with the 2025 cursor shape),
// every tenant_usage and tenant_billing metric equals the simulator's truth (computed from its
// world by loops separate from the route handlers) to 1e-9 relative; a third tenant with a bad
// key has tenant_billing down with reason auth while tenant_usage keeps working by address.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <cmath>
#include <csignal>
#include <map>
#include <set>
#include <sstream>

#include "tests/integration/harness.h"
#include "tests/integration/sim_json.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

void ExpectClose(std::optional<double> got, long double want, const std::string& what) {
  ASSERT_TRUE(got.has_value()) << what << " missing";
  const long double diff = std::fabs(static_cast<long double>(*got) - want);
  const long double scale = std::max<long double>(std::fabs(want), 1e-12L);
  EXPECT_LE(diff / scale, 1e-9L) << what << ": got " << *got << " want "
                                 << static_cast<double>(want);
}

long double Num(const rapidjson::Value& v) {
  return v.IsString() ? std::stold(v.GetString()) : static_cast<long double>(v.GetDouble());
}

// Every series of family `name` in the exposition: label text → value.
std::map<std::string, double> Family(const std::string& body, const std::string& name) {
  std::map<std::string, double> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, name.size() + 1, name + "{") != 0) continue;
    const std::size_t close = line.rfind('}');
    out[line.substr(name.size() + 1, close - name.size() - 1)] = std::stod(line.substr(close + 2));
  }
  return out;
}

std::optional<double> Up(const std::string& body, const std::string& source,
                         const std::string& target) {
  return SampleValue(
      body, "akash_exporter_source_up{source=\"" + source + "\",target=\"" + target + "\"}");
}

// tenant_usage against the truth's lifetime figures.
void ExpectUsage(const std::string& body, const rapidjson::Document& t) {
  const std::string a = t["address"].GetString();
  const std::string l = "{account=\"" + a + "\"}";
  ExpectClose(SampleValue(body, "akash_tenant_spent_akt_total" + l), Num(t["lifetime_akt"]),
              a + " spent akt");
  ExpectClose(SampleValue(body, "akash_tenant_spent_act_total" + l), Num(t["lifetime_act"]),
              a + " spent act");
  ExpectClose(SampleValue(body, "akash_tenant_spent_usd_total" + l), Num(t["lifetime_usd"]),
              a + " spent usd");
  ExpectClose(SampleValue(body, "akash_tenant_active_leases" + l),
              t["active_leases_today"].GetInt64(), a + " active leases");
}

void ExpectBilling(const std::string& body, const rapidjson::Document& t, double akt_price) {
  const std::string a = t["address"].GetString();
  const std::string acc = "account=\"" + a + "\"";
  const std::string l = "{" + acc + "}";
  ExpectClose(SampleValue(body, "akash_tenant_balance_act" + l), Num(t["balance_uact"]) / 1e6L,
              a + " balance");
  ExpectClose(SampleValue(body, "akash_tenant_escrow_act" + l), Num(t["escrow_uact"]) / 1e6L,
              a + " escrow");
  const auto& credit = t["credit"];
  ExpectClose(SampleValue(body, "akash_tenant_credit_refunded_usd_total" + l),
              Num(credit["refunded_cents"]) / 100, a + " refunded");
  ExpectClose(SampleValue(body, "akash_tenant_credit_bonus_usd_total" + l),
              Num(credit["bonus_cents"]) / 100, a + " bonus");
  ExpectClose(SampleValue(body, "akash_tenant_last_credit_purchase_timestamp_seconds" + l),
              Num(credit["last_purchase_unix"]), a + " last purchase");
  // Purchased: every documented type, 0 where the truth has nothing.
  std::map<std::string, long double> purchased = {
      {"payment_intent", 0}, {"coupon_claim", 0}, {"manual_credit", 0}};
  for (const auto& m : credit["purchased_cents_by_type"].GetObject()) {
    purchased[m.name.GetString()] = Num(m.value) / 100;
  }
  std::map<std::string, double> got_purchased;
  for (const auto& [labels, v] : Family(body, "akash_tenant_credit_purchased_usd_total")) {
    if (labels.rfind(acc + ",", 0) == 0) got_purchased[labels] = v;
  }
  EXPECT_EQ(got_purchased.size(), purchased.size()) << a;
  for (const auto& [type, cents] : purchased) {
    ExpectClose(SampleValue(body, "akash_tenant_credit_purchased_usd_total{" + acc + ",type=\"" +
                                      type + "\"}"),
                cents, a + " purchased " + type);
  }
  // Transactions by type and status: exactly the truth's pairs.
  std::map<std::string, double> want_counts;
  for (const auto& m : credit["transactions_by_type_status"].GetObject()) {
    const std::string key = m.name.GetString();
    const std::size_t slash = key.find('/');
    want_counts[acc + ",type=\"" + key.substr(0, slash) + "\",status=\"" + key.substr(slash + 1) +
                "\""] = static_cast<double>(m.value.GetInt64());
  }
  std::map<std::string, double> got_counts;
  for (const auto& [labels, v] : Family(body, "akash_tenant_credit_transactions")) {
    if (labels.rfind(acc + ",", 0) == 0) got_counts[labels] = v;
  }
  EXPECT_EQ(got_counts, want_counts) << a;
  EXPECT_FALSE(want_counts.empty());

  // Leases by provider and GPU model.
  std::map<std::string, long double> want_rate, want_akt, want_act;
  for (const auto& g : t["leases_by_provider_model"].GetArray()) {
    const std::string labels = acc + ",provider=\"" + g["provider"].GetString() +
                               "\",gpu_model=\"" + g["gpu_model"].GetString() + "\"";
    want_akt[labels] = Num(g["spent_uakt"]) / 1e6L;
    want_act[labels] = Num(g["spent_uact"]) / 1e6L;
    if (g["active_leases"].GetInt64() > 0) {
      // The Console's 6 s block (no chain_leases here; the simulator's block time is 6 s too).
      want_rate[labels] = (Num(g["rate_uact_per_block"]) / 1e6L +
                           Num(g["rate_uakt_per_block"]) / 1e6L * akt_price) *
                          3600 / 6;
    }
  }
  EXPECT_FALSE(want_act.empty());
  EXPECT_FALSE(want_rate.empty()) << a << " has no active lease: the rate goes untested";
  const auto check = [&](const std::string& name, const std::map<std::string, long double>& want) {
    std::map<std::string, double> got;
    for (const auto& [labels, v] : Family(body, name)) {
      if (labels.rfind(acc + ",", 0) == 0) got[labels] = v;
    }
    EXPECT_EQ(got.size(), want.size()) << a << " " << name;
    for (const auto& [labels, v] : want) {
      const auto it = got.find(labels);
      ExpectClose(it == got.end() ? std::nullopt : std::optional<double>(it->second), v,
                  name + "{" + labels + "}");
    }
  };
  check("akash_tenant_lease_rate_usd_per_hour", want_rate);
  check("akash_tenant_lease_spent_akt_total", want_akt);
  check("akash_tenant_lease_spent_act_total", want_act);
}

TEST(TenantIntegration, TwoTenantsMatchTheSimulatorAndABadKeyOnlyStopsBilling) {
  TempDir dir;
  // Stripe shape "mixed": tenant 2 answers in the 2025 cursor shape, tenants 0 and 1 in the
  // current one.
  Sim sim = StartSim(dir, {"--seed=5", "--providers=3", "--tenants=3", "--leases=240",
                           "--start-time=now", "--time-scale=0"});
  auto world = Json(sim.base_url + "/_sim/world");
  ASSERT_EQ(world["tenants"].Size(), 3u);
  std::vector<std::string> address, key;
  for (const auto& t : world["tenants"].GetArray()) {
    address.emplace_back(t["address"].GetString());
    key.emplace_back(t["console_api_key"].GetString());
  }
  ASSERT_EQ(std::string(world["tenants"][2]["stripe_shape"].GetString()), "cursor");
  const std::string k0 = dir.Write("t0.key", key[0] + "\n");
  const std::string k2 = dir.Write("t2.key", key[2] + "\n");
  const std::string bad = dir.Write("bad.key", "ac.sk.production." + std::string(64, '0') + "\n");
  for (const std::string& f : {k0, k2, bad}) chmod(f.c_str(), 0400);
  const std::string config =
      "tenants:\n"
      "  - address: " +
      address[0] + "\n    console_api_key_file: " + k0 +
      "\n"
      "  - console_api_key_file: " +
      k2 +
      "\n"  // key only: target tenants[1]
      "  - address: " +
      address[1] + "\n    console_api_key_file: " + bad +
      "\n"
      "endpoints:\n  console_api: " +
      sim.base_url + "\n  provider_console_api: " + sim.base_url +
      "\nsources:\n"
      "  tenant_usage: {interval: 1h}\n"
      "  tenant_billing: {interval: 1h}\n"
      "  market: {interval: 1h}\n";
  auto ex = StartExporter(dir, config);
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Http("GET", ex.base_url + "/metrics").body;
        return Up(body, "market", "") == 1.0 && Up(body, "tenant_usage", address[0]) == 1.0 &&
               Up(body, "tenant_usage", "tenants[1]") == 1.0 &&
               Up(body, "tenant_usage", address[1]) == 1.0 &&
               Up(body, "tenant_billing", address[0]) == 1.0 &&
               Up(body, "tenant_billing", "tenants[1]") == 1.0 &&
               Up(body, "tenant_billing", address[1]) == 0.0 &&
               // up is 0 before the first poll too: wait for the bad key's answer itself.
               SampleValue(body,
                           "akash_exporter_source_errors_total{source=\"tenant_billing\","
                           "target=\"" +
                               address[1] + "\",reason=\"auth\"}")
                       .value_or(0) >= 1.0;
      },
      60s))
      << body << ex.process->Stderr();

  const double akt_price = Json(sim.base_url + "/v1/market-data/akt")["price"].GetDouble();
  for (int i : {0, 2}) {
    const auto truth = Json(sim.base_url + "/_sim/truth/tenant/" + address[i]);
    ExpectUsage(body, truth);
    ExpectBilling(body, truth, akt_price);
  }
  EXPECT_EQ(
      std::string(
          Json(sim.base_url + "/_sim/truth/tenant/" + address[2])["stripe_shape"].GetString()),
      "cursor");

  // The bad key: billing is down with reason auth and exports nothing; usage works by address.
  EXPECT_GE(SampleValue(body,
                        "akash_exporter_source_errors_total{source=\"tenant_billing\","
                        "target=\"" +
                            address[1] + "\",reason=\"auth\"}")
                .value_or(0),
            1.0);
  EXPECT_EQ(body.find("akash_tenant_balance_act{account=\"" + address[1]), std::string::npos);
  ExpectUsage(body, Json(sim.base_url + "/_sim/truth/tenant/" + address[1]));

  // The key never leaves the process.
  for (const std::string& k : key) EXPECT_EQ(body.find(k), std::string::npos);
  EXPECT_EQ(ex.process->Stderr().find(key[0]), std::string::npos);
  EXPECT_EQ(ex.process->Stdout().find(key[2]), std::string::npos);
}

std::int64_t Requests(const std::string& sim, const std::string& route) {
  auto stats = Json(sim + "/_sim/stats");
  const auto& r = stats["requests"];
  return r.HasMember(route.c_str()) ? r[route.c_str()].GetInt64() : 0;
}

// With --storage.path, a restart costs the last days of usage only: no walk, no deployment
// details, no address resolution; and the values are still the simulator's.
TEST(TenantIntegration, ARestartWithStorageReadsOnlyTheLastDays) {
  TempDir dir;
  Sim sim = StartSim(dir, {"--seed=8", "--providers=2", "--tenants=2", "--leases=160",
                           "--start-time=now", "--time-scale=0"});
  auto world = Json(sim.base_url + "/_sim/world");
  std::vector<std::string> address, key;
  for (const auto& t : world["tenants"].GetArray()) {
    address.emplace_back(t["address"].GetString());
    key.emplace_back(t["console_api_key"].GetString());
  }
  const std::string k0 = dir.Write("t0.key", key[0] + "\n");
  const std::string k1 = dir.Write("t1.key", key[1] + "\n");
  for (const std::string& f : {k0, k1}) chmod(f.c_str(), 0400);
  const std::string config =
      "tenants:\n"
      "  - address: " +
      address[0] + "\n    console_api_key_file: " + k0 +
      "\n"
      "  - console_api_key_file: " +
      k1 +
      "\n"
      "endpoints:\n  console_api: " +
      sim.base_url + "\n  provider_console_api: " + sim.base_url +
      "\nsources:\n  tenant_usage: {interval: 1h}\n  tenant_billing: {interval: 1h}\n"
      "  market: {interval: 1h}\n";
  const std::vector<std::string> args = {"--storage.path=" + dir.path() + "/state"};
  const auto all_up = [&](const std::string& base, std::string* body) {
    *body = Http("GET", base + "/metrics").body;
    return Up(*body, "market", "") == 1.0 && Up(*body, "tenant_usage", address[0]) == 1.0 &&
           Up(*body, "tenant_usage", "tenants[1]") == 1.0 &&
           Up(*body, "tenant_billing", address[0]) == 1.0 &&
           Up(*body, "tenant_billing", "tenants[1]") == 1.0;
  };
  std::string body;
  {
    auto ex = StartExporter(dir, config, args);
    ASSERT_TRUE(Eventually([&] { return all_up(ex.base_url, &body); }, 60s))
        << body << ex.process->Stderr();
    ex.process->Signal(SIGTERM);
    ASSERT_TRUE(ex.process->Wait(5s).has_value());
  }
  // The first start walked back (400 days of history: at least two windows per tenant) and
  // fetched deployment details.
  EXPECT_GE(Requests(sim.base_url, "usage_history"), 4);
  EXPECT_GT(Requests(sim.base_url, "deployment"), 0);
  EXPECT_EQ(Requests(sim.base_url, "user_me"), 2);  // each source of the key-only tenant

  Http("DELETE", sim.base_url + "/_sim/stats");
  auto ex = StartExporter(dir, config, args);
  ASSERT_TRUE(Eventually([&] { return all_up(ex.base_url, &body); }, 60s))
      << body << ex.process->Stderr();
  EXPECT_EQ(Requests(sim.base_url, "usage_history"), 2);  // one per tenant: yesterday and today
  EXPECT_EQ(Requests(sim.base_url, "user_me"), 0);
  EXPECT_EQ(Requests(sim.base_url, "wallets"), 0);
  // Only deployments with an open lease whose model was cached: none are fetched again.
  EXPECT_EQ(Requests(sim.base_url, "deployment"), 0);
  const double akt_price = Json(sim.base_url + "/v1/market-data/akt")["price"].GetDouble();
  for (const std::string& a : address) {
    const auto truth = Json(sim.base_url + "/_sim/truth/tenant/" + a);
    ExpectUsage(body, truth);
    ExpectBilling(body, truth, akt_price);
  }
}
}  // namespace
}  // namespace akash::itest
