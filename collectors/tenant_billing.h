#pragma once
// tenant_billing: credit purchases, balance and escrow, and lease cost by provider and GPU model
// of one tenant, from Console routes that need the tenant's Console API key (upstream-apis.md
// 2.2; metrics.md "Tenant metrics"):
//   GET /v1/balances                      akash_tenant_balance_act, akash_tenant_escrow_act
//                                         (micro-uact / 1e6; `deployments` may be fractional);
//   GET /v1/stripe/transactions           akash_tenant_credit_purchased_usd_total{type},
//                                         _credit_refunded_usd_total, _credit_bonus_usd_total,
//                                         akash_tenant_credit_transactions{type,status},
//                                         akash_tenant_last_credit_purchase_timestamp_seconds;
//   GET /v1/deployments                   akash_tenant_lease_rate_usd_per_hour{provider,gpu_model},
//   GET /v1/deployment/{owner}/{dseq}     akash_tenant_lease_spent_{akt,act}_total{provider,
//   GET /v1/blocks?limit=1                gpu_model}.
// Every series also carries {account}.
//
// Transactions: all pages, all statuses. The current shape pages with limit/offset and
// `hasMore`; the shape shipped in Aug 2025 pages with `startingAfter`/`nextPage` (charge ids),
// lists card payments only (no `type`: payment_intent) and nests the card under
// `paymentMethod.card`. Amounts are cents. Purchased = gross `amount` of succeeded or refunded
// rows; refunded = Σ amountRefunded (a full refund is status `refunded`, a partial one stays
// `succeeded`); bonus = Σ bonusAmount of succeeded rows; the last purchase is the newest
// succeeded payment_intent (0 when there is none). The three documented types are always
// exported (0 when nothing is behind them); type/status pairs only while they have rows.
//
// Leases: the price is a per-block micro-denom DecCoin; `uakt` counts as AKT, `uact` and legacy
// USDC (`uusdc`, the ibc denom) as ACT. Spend = price × (closed_on − created_at) for a closed
// lease, price × (head − created_at) for an open one, where head is the Console's latest
// indexed block (/v1/blocks; the Console has no chain-head route). The run-rate counts state
// `active` only: price × 3600 / block interval (SharedFacts from chain_leases, else the
// Console's 6 s), AKT valued at SharedFacts' AKT price; a provider/model pair with an active
// AKT lease and no known AKT price is left out of the rate rather than undervalued.
// GPU model of a lease = the model of its deployment group (gseq): one concrete
// `vendor/<v>/model/<m>` attribute gives m, several models or a wildcard give `any`, no GPU
// attribute gives `none`.
//
// Caches (SourceState blobs, versioned JSON; unparseable = absent; a member store when
// PollContext::state is null): "gpu_models" (dseq → gseq → model, kept while the deployment
// has an open lease), "closed_leases" (every closed lease's provider, model, denom and spend:
// closed leases never change, so their deployment is never fetched again, and a closed lease
// that drops out of /v1/deployments still counts), "account" (see tenant_account.h).
//
// Thread-safety: Poll is never concurrent for one Source.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/source.h"
#include "collectors/tenant_account.h"
#include "exporter/core/decimal.h"
#include "exporter/core/result.h"
#include "exporter/core/state.h"

namespace akash::collectors {

struct CreditTransaction {
  std::string type;    // payment_intent | coupon_claim | manual_credit
  std::string status;  // created, pending, requires_action, succeeded, failed, refunded, canceled
  std::int64_t amount_cents = 0;
  std::int64_t refunded_cents = 0;
  std::int64_t bonus_cents = 0;
  std::int64_t created = 0;  // unix seconds
  std::string id;
};

struct TransactionsPage {
  std::vector<CreditTransaction> transactions;
  bool has_more = false;
  bool cursor_shape = false;        // the Aug-2025 shape
  std::optional<std::string> next;  // cursor shape: the id to pass as startingAfter
};
core::Result<TransactionsPage> ParseTransactionsPage(std::string_view body, std::string_view route);

struct Balances {
  core::Decimal balance_uact;
  core::Decimal escrow_uact;
};
core::Result<Balances> ParseBalances(std::string_view body, std::string_view route);

enum class LeaseDenom { kAkt, kAct };

struct TenantLease {
  std::string owner;
  std::string provider;
  std::int64_t dseq = 0;
  std::int64_t gseq = 0;
  std::int64_t oseq = 0;
  std::string state;
  LeaseDenom denom = LeaseDenom::kAct;
  core::Decimal price;  // micro-denom per block
  std::int64_t created_at = 0;
  std::int64_t closed_on = 0;  // 0 while open
  std::string Key() const;     // "dseq/gseq/oseq/provider"
};

struct DeploymentsPage {
  std::vector<TenantLease> leases;
  std::size_t deployments = 0;  // deployments on this page
  bool has_more = false;
};
core::Result<DeploymentsPage> ParseDeploymentsPage(std::string_view body, std::string_view route);

// gseq → GPU model label of /v1/deployment/{owner}/{dseq}'s groups.
core::Result<std::map<std::int64_t, std::string>> ParseDeploymentGpuModels(std::string_view body,
                                                                           std::string_view route);
// The label for one group's GPU attribute keys.
std::string GpuModelLabel(const std::vector<std::string>& attribute_keys);

// Height of the newest block of /v1/blocks.
core::Result<std::int64_t> ParseLatestHeight(std::string_view body, std::string_view route);

class TenantBillingSource final : public Source {
 public:
  static constexpr int kTransactionsPageLimit = 100;
  static constexpr int kDeploymentsPageLimit = 100;
  static constexpr double kDefaultBlockSeconds = 6.0;

  explicit TenantBillingSource(TenantOptions options);

  const std::string& name() const override { return name_; }
  const std::string& target() const override { return options_.target; }
  core::Result<PollOutput> Poll(core::Fetcher& fetcher, const PollContext& ctx) override;

 private:
  core::Result<std::vector<CreditTransaction>> FetchTransactions(core::Fetcher& fetcher);
  core::Result<std::vector<TenantLease>> FetchLeases(core::Fetcher& fetcher);

  std::string name_;
  TenantOptions options_;
  TenantAccount account_;
  core::SourceState memory_state_;  // used when PollContext::state is null
};

}  // namespace akash::collectors
