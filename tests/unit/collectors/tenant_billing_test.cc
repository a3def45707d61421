#include "collectors/tenant_billing.h"

#include <gtest/gtest.h>

#include <string>

#include "exporter/core/state.h"
#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using testing::At;
using testing::FakeFetcher;
using testing::FindFamily;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kConsole = "https://console.test";
constexpr const char* kAccount = "akash1owner00000000000000000000000000000000";
constexpr const char* kResolved = "akash1resolved0000000000000000000000000000";
constexpr const char* kP1 = "akash1provider1000000000000000000000000000";
constexpr const char* kP2 = "akash1provider2000000000000000000000000000";
const std::string kKey = "ac.sk.production." + std::string(64, 'f');

std::string Url(const std::string& path) { return std::string(kConsole) + path; }

TenantOptions Options(std::string address) {
  TenantOptions o;
  o.console_api = kConsole;
  o.address = address;
  o.target = address.empty() ? "tenants[1]" : address;
  o.console_api_key = core::Secret(kKey);
  return o;
}

// A Console with the offset-shaped transactions, two pages of deployments and their details.
void InstallConsole(FakeFetcher& f) {
  f.Set(Url("/v1/balances"), Respond(200, Fixture("tenant/balances_fractional.json")));
  f.Set(Url("/v1/stripe/transactions?limit=100"),
        Respond(200, Fixture("tenant/transactions_offset_p1.json")));
  f.Set(Url("/v1/stripe/transactions?limit=100&offset=3"),
        Respond(200, Fixture("tenant/transactions_offset_p2.json")));
  f.Set(Url("/v1/stripe/transactions?limit=100&offset=6"),
        Respond(200, Fixture("tenant/transactions_offset_p3.json")));
  f.Set(Url("/v1/deployments?skip=0&limit=100"),
        Respond(200, Fixture("tenant/deployments_p1.json")));
  f.Set(Url("/v1/deployments?skip=2&limit=100"),
        Respond(200, Fixture("tenant/deployments_p2.json")));
  for (const char* dseq : {"101", "102", "103"}) {
    f.Set(Url(std::string("/v1/deployment/") + kAccount + "/" + dseq),
          Respond(200, Fixture(std::string("tenant/deployment_") + dseq + ".json")));
  }
  f.Set(Url("/v1/blocks?limit=1"), Respond(200, Fixture("tenant/blocks.json")));
}

int Count(const FakeFetcher& f, const std::string& needle) {
  int n = 0;
  for (const auto& c : f.calls()) n += c.url.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

Labels Lease(const char* provider, const char* model) {
  return {{"account", kAccount}, {"provider", provider}, {"gpu_model", model}};
}

TEST(TenantBillingParse, GpuModelLabels) {
  EXPECT_EQ(GpuModelLabel({}), "none");
  EXPECT_EQ(GpuModelLabel({"vendor/nvidia/model/h100"}), "h100");
  EXPECT_EQ(GpuModelLabel({"vendor/nvidia/model/h100/ram/80Gi/interface/sxm"}), "h100");
  EXPECT_EQ(GpuModelLabel({"vendor/nvidia/model/h100", "vendor/nvidia/model/h100/ram/80Gi"}),
            "h100");
  EXPECT_EQ(GpuModelLabel({"vendor/nvidia/model/h100", "vendor/nvidia/model/a100"}), "any");
  EXPECT_EQ(GpuModelLabel({"vendor/nvidia/model/*"}), "any");
  EXPECT_EQ(GpuModelLabel({"vendor/nvidia"}), "any");
}

TEST(TenantBillingParse, BalancesMayBeFractional) {
  auto b = ParseBalances(Fixture("tenant/balances_fractional.json"), "r");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->balance_uact.ToString(), "5000000");
  EXPECT_EQ(b->escrow_uact.ToString(), "1000000.5");
  EXPECT_FALSE(ParseBalances(R"({"data":{"balance":1}})", "r").ok());
}

TEST(TenantBillingParse, CursorShape) {
  auto page = ParseTransactionsPage(Fixture("tenant/transactions_cursor_p1.json"), "r");
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_TRUE(page->cursor_shape);
  EXPECT_TRUE(page->has_more);
  EXPECT_EQ(page->next, "ch_3PqA2");
  ASSERT_EQ(page->transactions.size(), 2u);
  EXPECT_EQ(page->transactions[0].type, "payment_intent");
  EXPECT_EQ(page->transactions[0].bonus_cents, 500);
  EXPECT_EQ(page->transactions[1].bonus_cents, 0);
  EXPECT_EQ(page->transactions[1].refunded_cents, 0);
}

TEST(TenantBillingParse, OffsetShapeAndBadRows) {
  auto page = ParseTransactionsPage(Fixture("tenant/transactions_offset_p2.json"), "r");
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_FALSE(page->cursor_shape);
  EXPECT_EQ(page->transactions[2].amount_cents, 2500);  // numeric strings
  EXPECT_EQ(page->transactions[2].created, 1751000000);
  auto bad = ParseTransactionsPage(
      R"({"data":{"transactions":[{"id":"x","type":"payment_intent","status":"succeeded"}],)"
      R"("totalCount":1,"hasMore":false}})",
      "r");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, core::ErrorReason::kParse);
}

TEST(TenantBilling, CreditBalancesAndLeasesFromEveryShape) {
  FakeFetcher fetcher;
  InstallConsole(fetcher);
  core::SharedFacts facts;
  facts.SetAktPriceUsd(2.0);
  TenantBillingSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), &facts});
  ASSERT_TRUE(out.ok()) << out.error().message;
  const Labels account = {{"account", kAccount}};
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_balance_act", account), 5.0);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_escrow_act", account), 1.0000005);

  // Succeeded 50 + 100 and refunded 20 (gross); coupon 10; manual credit only "created".
  const auto purchased = [&](const char* type) {
    return Value(*out, "akash_tenant_credit_purchased_usd_total",
                 {{"account", kAccount}, {"type", type}});
  };
  EXPECT_DOUBLE_EQ(*purchased("payment_intent"), 170.0);
  EXPECT_DOUBLE_EQ(*purchased("coupon_claim"), 10.0);
  EXPECT_DOUBLE_EQ(*purchased("manual_credit"), 0.0);
  // Full refund 20 + partial refund 25.
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_credit_refunded_usd_total", account), 45.0);
  // Bonus of succeeded rows only (not the refunded or pending ones).
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_credit_bonus_usd_total", account), 2.5);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_last_credit_purchase_timestamp_seconds", account),
                   1755000000.0);
  const auto count = [&](const char* type, const char* status) {
    return Value(*out, "akash_tenant_credit_transactions",
                 {{"account", kAccount}, {"type", type}, {"status", status}});
  };
  EXPECT_EQ(*count("payment_intent", "succeeded"), 2);
  EXPECT_EQ(*count("payment_intent", "refunded"), 1);
  EXPECT_EQ(*count("payment_intent", "failed"), 1);
  EXPECT_EQ(*count("payment_intent", "canceled"), 1);
  EXPECT_EQ(*count("payment_intent", "requires_action"), 1);
  EXPECT_EQ(*count("payment_intent", "pending"), 1);
  EXPECT_EQ(*count("coupon_claim", "succeeded"), 1);
  EXPECT_EQ(*count("manual_credit", "created"), 1);
  EXPECT_EQ(FindFamily(*out, "akash_tenant_credit_transactions")->metric.size(), 8u);

  // Leases at head 1000, 6 s blocks, AKT at $2.
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_spent_act_total", Lease(kP1, "h100")),
                   100.5 * 600 / 1e6);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_spent_akt_total", Lease(kP1, "h100")), 0);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_spent_akt_total", Lease(kP2, "none")),
                   10.0 * 400 / 1e6);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_spent_act_total", Lease(kP1, "any")),
                   3.0 * 200 / 1e6);
  // Legacy USDC (closed, insufficient funds) and an open reclaiming lease, several models → any.
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_spent_act_total", Lease(kP2, "any")),
                   (1.5 * 300 + 7.0 * 100) / 1e6);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_rate_usd_per_hour", Lease(kP1, "h100")),
                   100.5 / 1e6 * 3600 / 6);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_rate_usd_per_hour", Lease(kP2, "none")),
                   10.0 / 1e6 * 2.0 * 3600 / 6);
  // No active lease behind these pairs: no rate series.
  EXPECT_FALSE(Value(*out, "akash_tenant_lease_rate_usd_per_hour", Lease(kP1, "any")));
  EXPECT_FALSE(Value(*out, "akash_tenant_lease_rate_usd_per_hour", Lease(kP2, "any")));

  // Every keyed route got the key; the public deployment and blocks routes did not.
  for (const auto& call : fetcher.calls()) {
    const bool keyed = call.url.find("/v1/deployment/") == std::string::npos &&
                       call.url.find("/v1/blocks") == std::string::npos;
    EXPECT_EQ(call.secret_headers.count("x-api-key"), keyed ? 1u : 0u) << call.url;
  }
  EXPECT_EQ(Count(fetcher, "/v1/deployment/"), 3);
  EXPECT_EQ(Count(fetcher, "/v1/stripe/transactions"), 3);
  EXPECT_EQ(Count(fetcher, "/v1/deployments?"), 2);
}

TEST(TenantBilling, GpuModelsAndClosedLeasesAreCached) {
  FakeFetcher fetcher;
  InstallConsole(fetcher);
  core::SharedFacts facts;
  facts.SetAktPriceUsd(2.0);
  core::SourceState state("tenant_billing", kAccount);
  auto first = TenantBillingSource(Options(kAccount))
                   .Poll(fetcher, PollContext{At(2026, 8, 20, 10), &facts, &state});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(Count(fetcher, "/v1/deployment/"), 3);

  // After a restart, with deployment 102 gone from the list: nothing is fetched again and its
  // closed lease still counts.
  fetcher.ClearCalls();
  fetcher.Set(Url("/v1/deployments?skip=0&limit=100"),
              Respond(200, Fixture("tenant/deployments_p2.json")));
  auto second = TenantBillingSource(Options(kAccount))
                    .Poll(fetcher, PollContext{At(2026, 8, 20, 11), &facts, &state});
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(Count(fetcher, "/v1/deployment/"), 0);
  EXPECT_DOUBLE_EQ(*Value(*second, "akash_tenant_lease_spent_act_total", Lease(kP1, "any")),
                   3.0 * 200 / 1e6);
  EXPECT_DOUBLE_EQ(*Value(*second, "akash_tenant_lease_spent_act_total", Lease(kP2, "any")),
                   (1.5 * 300 + 7.0 * 100) / 1e6);

  // An unparseable cache is absent: the deployments are fetched again.
  state.Put("gpu_models", "garbage");
  state.Put("closed_leases", R"({"v":1,"account":"x","l":{}})");
  fetcher.ClearCalls();
  InstallConsole(fetcher);
  auto third = TenantBillingSource(Options(kAccount))
                   .Poll(fetcher, PollContext{At(2026, 8, 20, 12), &facts, &state});
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_EQ(Count(fetcher, "/v1/deployment/"), 3);
}

TEST(TenantBilling, BlockIntervalAndAktPriceComeFromSharedFacts) {
  FakeFetcher fetcher;
  InstallConsole(fetcher);
  core::SharedFacts facts;  // no AKT price yet
  facts.SetBlockIntervalSeconds(5.0);
  TenantBillingSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), &facts});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_lease_rate_usd_per_hour", Lease(kP1, "h100")),
                   100.5 / 1e6 * 3600 / 5);
  // An active AKT lease cannot be valued without a price: left out rather than shown as $0.
  EXPECT_FALSE(Value(*out, "akash_tenant_lease_rate_usd_per_hour", Lease(kP2, "none")));
}

TEST(TenantBilling, CursorShapedTransactions) {
  FakeFetcher fetcher;
  InstallConsole(fetcher);
  fetcher.Set(Url("/v1/stripe/transactions?limit=100"),
              Respond(200, Fixture("tenant/transactions_cursor_p1.json")));
  fetcher.Set(Url("/v1/stripe/transactions?limit=100&startingAfter=ch_3PqA2"),
              Respond(200, Fixture("tenant/transactions_cursor_p2.json")));
  TenantBillingSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  const Labels account = {{"account", kAccount}};
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_credit_purchased_usd_total",
                          {{"account", kAccount}, {"type", "payment_intent"}}),
                   60.0);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_credit_bonus_usd_total", account), 5.0);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_credit_refunded_usd_total", account), 0.0);
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_last_credit_purchase_timestamp_seconds", account),
                   1756500000.0);
  EXPECT_EQ(*Value(*out, "akash_tenant_credit_transactions",
                   {{"account", kAccount}, {"type", "payment_intent"}, {"status", "succeeded"}}),
            2);
  EXPECT_EQ(Count(fetcher, "/v1/stripe/transactions"), 2);
}

TEST(TenantBilling, RepeatingCursorIsAParseError) {
  FakeFetcher fetcher;
  InstallConsole(fetcher);
  const std::string loop =
      R"({"data":{"transactions":[{"id":"ch_1","amount":1,"currency":"usd","status":"succeeded",)"
      R"("created":1}],"hasMore":true,"nextPage":"ch_1"}})";
  fetcher.Set(Url("/v1/stripe/transactions?limit=100"), Respond(200, loop));
  fetcher.Set(Url("/v1/stripe/transactions?limit=100&startingAfter=ch_1"), Respond(200, loop));
  TenantBillingSource source(Options(kAccount));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, core::ErrorReason::kParse);
}

TEST(TenantBilling, KeyOnlyTenantResolvesItsAccount) {
  FakeFetcher fetcher;
  InstallConsole(fetcher);
  fetcher.Set(Url("/v1/user/me"), Respond(200, Fixture("tenant/user_me.json")));
  fetcher.Set(Url("/v1/wallets?userId=0b6c1f5e-8c2a-4d7e-9f3b-1a2b3c4d5e6f"),
              Respond(200, Fixture("tenant/wallets.json")));
  TenantBillingSource source(Options(""));
  auto out = source.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_DOUBLE_EQ(*Value(*out, "akash_tenant_balance_act", {{"account", kResolved}}), 5.0);
  EXPECT_EQ(source.target(), "tenants[1]");
  fetcher.ClearCalls();
  ASSERT_TRUE(source.Poll(fetcher, PollContext{At(2026, 8, 20, 11), nullptr}).ok());
  EXPECT_EQ(Count(fetcher, "/v1/user/me"), 0);
}

TEST(TenantBilling, BadKeyIsAuth) {
  for (const char* body : {R"({"error":"Unauthorized","message":"Invalid API key"})",
                           R"({"error":"UnauthorizedError","message":"Invalid API key",)"
                           R"("code":"unauthorized","type":"client_error"})"}) {
    FakeFetcher fetcher;
    fetcher.SetHandler([&](const core::Request&) -> std::optional<core::Result<core::Response>> {
      return Respond(401, body);
    });
    TenantBillingSource configured(Options(kAccount));
    auto out = configured.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, core::ErrorReason::kAuth);
    EXPECT_EQ(out.error().message.find(kKey), std::string::npos);
    TenantBillingSource key_only(Options(""));
    out = key_only.Poll(fetcher, PollContext{At(2026, 8, 20, 10), nullptr});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, core::ErrorReason::kAuth);
  }
}

}  // namespace
}  // namespace akash::collectors
