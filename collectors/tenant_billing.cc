#include "collectors/tenant_billing.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "collectors/json.h"

namespace akash::collectors {
namespace {

constexpr const char* kGpuModelsBlob = "gpu_models";
constexpr const char* kClosedLeasesBlob = "closed_leases";
constexpr int kBlobVersion = 1;
// Upper bound on pages of one list, so a server that never says "no more" cannot loop forever.
constexpr int kMaxPages = 10000;
constexpr const char* kKnownTypes[] = {"payment_intent", "coupon_claim", "manual_credit"};

std::string Help(std::string_view what) {
  return std::string(what) + "; refreshed every tenant_billing interval.";
}

core::Error ParseError(std::string_view route, const std::string& what) {
  return core::MakeError(core::ErrorReason::kParse, "GET " + std::string(route) + ": " + what);
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

// An optional string member ("" when absent or null).
std::string OptionalString(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

core::Result<std::int64_t> OptionalInt(const JsonObject& o, const char* name) {
  const auto it = o.value().FindMember(name);
  if (it == o.value().MemberEnd() || it->value.IsNull()) return std::int64_t{0};
  return o.Int(name);
}

core::Result<const rapidjson::Value*> ArrayMember(const JsonObject& o, const char* name,
                                                  const std::string& path) {
  const auto it = o.value().FindMember(name);
  if (it == o.value().MemberEnd() || !it->value.IsArray()) {
    return ParseError(o.route(), "field " + path + ": expected an array");
  }
  return &it->value;
}

// --- cache blobs ---

using GpuModels = std::map<std::int64_t, std::map<std::int64_t, std::string>>;

struct ClosedLease {
  std::string provider;
  std::string model;
  LeaseDenom denom = LeaseDenom::kAct;
  core::Decimal spent;  // micro-denom
};
using ClosedLeases = std::map<std::string, ClosedLease>;

std::string EncodeGpuModels(const GpuModels& models) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("v");
  w.Int(kBlobVersion);
  w.Key("d");
  w.StartObject();
  for (const auto& [dseq, groups] : models) {
    w.Key(std::to_string(dseq).c_str());
    w.StartObject();
    for (const auto& [gseq, model] : groups) {
      w.Key(std::to_string(gseq).c_str());
      w.String(model.c_str());
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return b.GetString();
}

std::optional<std::int64_t> ToInt(std::string_view s) {
  const auto d = core::Decimal::Parse(s);
  if (!d || d->IsNegative() || d->raw() % core::Decimal::FromInt(1).raw() != 0) return std::nullopt;
  return static_cast<std::int64_t>(d->raw() / core::Decimal::FromInt(1).raw());
}

GpuModels DecodeGpuModels(const std::optional<std::string>& blob) {
  GpuModels out;
  if (!blob) return out;
  rapidjson::Document d;
  if (!ParseVersionedBlob(*blob, kBlobVersion, d)) return out;
  const auto deployments = std::as_const(d).FindMember("d");
  if (deployments == std::as_const(d).MemberEnd() || !deployments->value.IsObject()) {
    return out;
  }
  for (const auto& dep : deployments->value.GetObject()) {
    const auto dseq = ToInt(dep.name.GetString());
    if (!dseq || !dep.value.IsObject()) return {};
    auto& groups = out[*dseq];
    for (const auto& g : dep.value.GetObject()) {
      const auto gseq = ToInt(g.name.GetString());
      if (!gseq || !g.value.IsString()) return {};
      groups[*gseq] = g.value.GetString();
    }
  }
  return out;
}

std::string EncodeClosedLeases(const std::string& account, const ClosedLeases& leases) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("v");
  w.Int(kBlobVersion);
  w.Key("account");
  w.String(account.c_str());
  w.Key("l");
  w.StartObject();
  for (const auto& [key, l] : leases) {
    w.Key(key.c_str());
    w.StartArray();
    w.String(l.provider.c_str());
    w.String(l.model.c_str());
    w.String(l.denom == LeaseDenom::kAkt ? "akt" : "act");
    w.String(l.spent.ToString().c_str());
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return b.GetString();
}

ClosedLeases DecodeClosedLeases(const std::optional<std::string>& blob,
                                const std::string& account) {
  ClosedLeases out;
  if (!blob) return out;
  rapidjson::Document d;
  if (!ParseVersionedBlob(*blob, kBlobVersion, d)) return out;
  const auto acc = std::as_const(d).FindMember("account");
  const auto leases = std::as_const(d).FindMember("l");
  if (acc == std::as_const(d).MemberEnd() || !acc->value.IsString() || account != acc->value.GetString() ||
      leases == std::as_const(d).MemberEnd() || !leases->value.IsObject()) {
    return out;
  }
  for (const auto& l : leases->value.GetObject()) {
    const auto& a = l.value;
    if (!a.IsArray() || a.Size() != 4 || !a[0].IsString() || !a[1].IsString() || !a[2].IsString() ||
        !a[3].IsString()) {
      return {};
    }
    const std::string denom = a[2].GetString();
    const auto spent = core::Decimal::Parse(a[3].GetString());
    if ((denom != "akt" && denom != "act") || !spent) return {};
    out[l.name.GetString()] =
        ClosedLease{a[0].GetString(), a[1].GetString(),
                    denom == "akt" ? LeaseDenom::kAkt : LeaseDenom::kAct, *spent};
  }
  return out;
}

}  // namespace

std::string TenantLease::Key() const {
  return std::to_string(dseq) + "/" + std::to_string(gseq) + "/" + std::to_string(oseq) + "/" +
         provider;
}

core::Result<TransactionsPage> ParseTransactionsPage(std::string_view body,
                                                     std::string_view route) {
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(body, route));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject data, root.Object("data"));
  AKASH_COLL_ASSIGN_OR_RETURN(const rapidjson::Value* list,
                              ArrayMember(data, "transactions", "data.transactions"));
  TransactionsPage page;
  const rapidjson::Value& d = data.value();
  // The Aug-2025 shape pages by cursor and has no totalCount.
  page.cursor_shape = d.HasMember("nextPage") || !d.HasMember("totalCount");
  const auto more = std::as_const(d).FindMember("hasMore");
  if (more == std::as_const(d).MemberEnd() || !more->value.IsBool()) {
    return ParseError(route, "field data.hasMore: expected a boolean");
  }
  page.has_more = more->value.GetBool();
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject t,
                                JsonObject::From((*list)[i], std::string(route),
                                                 "data.transactions[" + std::to_string(i) + "]"));
    CreditTransaction x;
    AKASH_COLL_ASSIGN_OR_RETURN(x.id, t.String("id"));
    x.type = OptionalString(t.value(), "type");
    if (x.type.empty()) x.type = "payment_intent";  // the cursor shape lists card payments only
    AKASH_COLL_ASSIGN_OR_RETURN(x.status, t.String("status"));
    AKASH_COLL_ASSIGN_OR_RETURN(x.amount_cents, t.Int("amount"));
    AKASH_COLL_ASSIGN_OR_RETURN(x.refunded_cents, OptionalInt(t, "amountRefunded"));
    AKASH_COLL_ASSIGN_OR_RETURN(x.bonus_cents, OptionalInt(t, "bonusAmount"));
    AKASH_COLL_ASSIGN_OR_RETURN(x.created, t.Int("created"));
    page.transactions.push_back(std::move(x));
  }
  if (page.cursor_shape && page.has_more) {
    std::string next = OptionalString(d, "nextPage");
    if (next.empty() && !page.transactions.empty()) next = page.transactions.back().id;
    if (!next.empty()) page.next = next;
  }
  return page;
}

core::Result<Balances> ParseBalances(std::string_view body, std::string_view route) {
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(body, route));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject data, root.Object("data"));
  Balances b;
  AKASH_COLL_ASSIGN_OR_RETURN(b.balance_uact, data.Decimal("balance"));
  AKASH_COLL_ASSIGN_OR_RETURN(b.escrow_uact, data.Decimal("deployments"));
  return b;
}

core::Result<DeploymentsPage> ParseDeploymentsPage(std::string_view body, std::string_view route) {
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(body, route));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject data, root.Object("data"));
  AKASH_COLL_ASSIGN_OR_RETURN(const rapidjson::Value* list,
                              ArrayMember(data, "deployments", "data.deployments"));
  DeploymentsPage page;
  page.deployments = list->Size();
  const auto pagination = data.value().FindMember("pagination");
  if (pagination != data.value().MemberEnd() && pagination->value.IsObject()) {
    const auto more = pagination->value.FindMember("hasMore");
    page.has_more =
        more != pagination->value.MemberEnd() && more->value.IsBool() && more->value.GetBool();
  }
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const std::string dpath = "data.deployments[" + std::to_string(i) + "]";
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject dep,
                                JsonObject::From((*list)[i], std::string(route), dpath));
    AKASH_COLL_ASSIGN_OR_RETURN(const rapidjson::Value* leases,
                                ArrayMember(dep, "leases", dpath + ".leases"));
    for (rapidjson::SizeType j = 0; j < leases->Size(); ++j) {
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject l,
                                  JsonObject::From((*leases)[j], std::string(route),
                                                   dpath + ".leases[" + std::to_string(j) + "]"));
      TenantLease lease;
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject id, l.Object("id"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.owner, id.String("owner"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.provider, id.String("provider"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.dseq, id.Int("dseq"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.gseq, id.Int("gseq"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.oseq, id.Int("oseq"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.state, l.String("state"));
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject price, l.Object("price"));
      AKASH_COLL_ASSIGN_OR_RETURN(std::string denom, price.String("denom"));
      lease.denom = denom == "uakt" ? LeaseDenom::kAkt : LeaseDenom::kAct;
      AKASH_COLL_ASSIGN_OR_RETURN(lease.price, price.Decimal("amount"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.created_at, l.Int("created_at"));
      AKASH_COLL_ASSIGN_OR_RETURN(lease.closed_on, OptionalInt(l, "closed_on"));
      page.leases.push_back(std::move(lease));
    }
  }
  return page;
}

std::string GpuModelLabel(const std::vector<std::string>& attribute_keys) {
  std::set<std::string> models;
  bool wildcard = false;
  for (const std::string& key : attribute_keys) {
    // vendor/<v>/model/<m>[/ram/<r>[/interface/<i>]]
    if (key.rfind("vendor/", 0) != 0) continue;
    const std::size_t model_at = key.find("/model/");
    if (model_at == std::string::npos) {
      wildcard = true;  // a vendor without a model accepts any model
      continue;
    }
    const std::size_t begin = model_at + 7;
    const std::size_t end = key.find('/', begin);
    const std::string model = key.substr(begin, end == std::string::npos ? end : end - begin);
    if (model.empty() || model == "*") {
      wildcard = true;
    } else {
      models.insert(model);
    }
  }
  if (wildcard || models.size() > 1) return "any";
  if (models.empty()) return "none";
  return *models.begin();
}

core::Result<std::map<std::int64_t, std::string>> ParseDeploymentGpuModels(std::string_view body,
                                                                           std::string_view route) {
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(body, route));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject other, root.Object("other"));
  AKASH_COLL_ASSIGN_OR_RETURN(const rapidjson::Value* groups,
                              ArrayMember(other, "groups", "other.groups"));
  std::map<std::int64_t, std::string> out;
  for (rapidjson::SizeType i = 0; i < groups->Size(); ++i) {
    const std::string gpath = "other.groups[" + std::to_string(i) + "]";
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject group,
                                JsonObject::From((*groups)[i], std::string(route), gpath));
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject id, group.Object("id"));
    AKASH_COLL_ASSIGN_OR_RETURN(std::int64_t gseq, id.Int("gseq"));
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject spec, group.Object("group_spec"));
    AKASH_COLL_ASSIGN_OR_RETURN(const rapidjson::Value* resources,
                                ArrayMember(spec, "resources", gpath + ".group_spec.resources"));
    std::vector<std::string> keys;
    for (const auto& r : resources->GetArray()) {
      if (!r.IsObject()) continue;
      const auto resource = r.FindMember("resource");
      if (resource == r.MemberEnd() || !resource->value.IsObject()) continue;
      const auto gpu = resource->value.FindMember("gpu");
      if (gpu == resource->value.MemberEnd() || !gpu->value.IsObject()) continue;
      const auto attributes = gpu->value.FindMember("attributes");
      if (attributes == gpu->value.MemberEnd() || !attributes->value.IsArray()) continue;
      for (const auto& a : attributes->value.GetArray()) {
        if (!a.IsObject()) continue;
        const std::string key = OptionalString(a, "key");
        const std::string value = OptionalString(a, "value");
        if (!key.empty() && value != "false") keys.push_back(key);
      }
    }
    out[gseq] = GpuModelLabel(keys);
  }
  return out;
}

core::Result<std::int64_t> ParseLatestHeight(std::string_view body, std::string_view route) {
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(body, route));
  if (!doc.IsArray() || doc.Empty()) return ParseError(route, "expected a non-empty block list");
  std::int64_t best = 0;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject block, JsonObject::From(doc[i], std::string(route),
                                                                   "[" + std::to_string(i) + "]"));
    AKASH_COLL_ASSIGN_OR_RETURN(std::int64_t height, block.Int("height"));
    best = std::max(best, height);
  }
  return best;
}

TenantBillingSource::TenantBillingSource(TenantOptions options)
    : name_(core::kSourceTenantBilling),
      options_(std::move(options)),
      account_(options_),
      memory_state_(core::kSourceTenantBilling, options_.target) {}

core::Result<std::vector<CreditTransaction>> TenantBillingSource::FetchTransactions(
    core::Fetcher& fetcher) {
  std::vector<CreditTransaction> all;
  std::set<std::string> cursors;
  std::int64_t offset = 0;
  std::optional<std::string> cursor;
  for (int page_no = 0;; ++page_no) {
    if (page_no >= kMaxPages) {
      return core::MakeError(core::ErrorReason::kParse,
                             "GET /v1/stripe/transactions: too many pages");
    }
    std::string path = "/v1/stripe/transactions?limit=" + std::to_string(kTransactionsPageLimit);
    if (cursor) {
      path += "&startingAfter=" + PercentEncode(*cursor);
    } else if (offset > 0) {
      path += "&offset=" + std::to_string(offset);
    }
    const core::Request request =
        ConsoleRequest(options_.console_api, path, &options_.console_api_key);
    auto response = fetcher.Get(request);
    if (!response.ok()) return std::move(response).error();
    if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
    const std::string route = core::UrlForLog(request.url);
    AKASH_COLL_ASSIGN_OR_RETURN(TransactionsPage page,
                                ParseTransactionsPage(response->body, route));
    const std::size_t got = page.transactions.size();
    for (auto& t : page.transactions) all.push_back(std::move(t));
    if (!page.has_more || got == 0) break;
    if (page.cursor_shape) {
      if (!page.next || !cursors.insert(*page.next).second) {
        return ParseError(route, "the transactions cursor repeats or is missing");
      }
      cursor = page.next;
    } else {
      offset += static_cast<std::int64_t>(got);
    }
  }
  return all;
}

core::Result<std::vector<TenantLease>> TenantBillingSource::FetchLeases(core::Fetcher& fetcher) {
  std::vector<TenantLease> all;
  std::int64_t skip = 0;
  for (int page_no = 0;; ++page_no) {
    if (page_no >= kMaxPages) {
      return core::MakeError(core::ErrorReason::kParse, "GET /v1/deployments: too many pages");
    }
    const core::Request request =
        ConsoleRequest(options_.console_api,
                       "/v1/deployments?skip=" + std::to_string(skip) +
                           "&limit=" + std::to_string(kDeploymentsPageLimit),
                       &options_.console_api_key);
    auto response = fetcher.Get(request);
    if (!response.ok()) return std::move(response).error();
    if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
    AKASH_COLL_ASSIGN_OR_RETURN(DeploymentsPage page,
                                ParseDeploymentsPage(response->body, core::UrlForLog(request.url)));
    for (auto& l : page.leases) all.push_back(std::move(l));
    if (!page.has_more || page.deployments == 0) break;
    skip += static_cast<std::int64_t>(page.deployments);
  }
  return all;
}

core::Result<PollOutput> TenantBillingSource::Poll(core::Fetcher& fetcher, const PollContext& ctx) {
  core::SourceState* state = ctx.state != nullptr ? ctx.state : &memory_state_;
  AKASH_COLL_ASSIGN_OR_RETURN(std::string account, account_.Resolve(fetcher, state));

  // Balances of the key's own wallet.
  const core::Request balances_request =
      ConsoleRequest(options_.console_api, "/v1/balances", &options_.console_api_key);
  auto balances_response = fetcher.Get(balances_request);
  if (!balances_response.ok()) return std::move(balances_response).error();
  if (!IsSuccess(balances_response->status)) {
    return UpstreamHttpError(balances_request, *balances_response);
  }
  AKASH_COLL_ASSIGN_OR_RETURN(
      Balances balances,
      ParseBalances(balances_response->body, core::UrlForLog(balances_request.url)));

  AKASH_COLL_ASSIGN_OR_RETURN(std::vector<CreditTransaction> transactions,
                              FetchTransactions(fetcher));
  AKASH_COLL_ASSIGN_OR_RETURN(std::vector<TenantLease> leases, FetchLeases(fetcher));

  // --- leases: GPU models, spend, run-rate ---
  const std::optional<std::string> models_blob = state->Get(kGpuModelsBlob);
  const std::optional<std::string> closed_blob = state->Get(kClosedLeasesBlob);
  GpuModels models = DecodeGpuModels(models_blob);
  ClosedLeases closed = DecodeClosedLeases(closed_blob, account);

  std::optional<std::int64_t> head;
  std::set<std::int64_t> open_dseqs;
  for (const TenantLease& l : leases) {
    if (l.closed_on > 0 && closed.contains(l.Key())) continue;
    if (l.closed_on <= 0) open_dseqs.insert(l.dseq);
    if (!models.contains(l.dseq)) {
      const core::Request request =
          ConsoleRequest(options_.console_api,
                         "/v1/deployment/" + l.owner + "/" + std::to_string(l.dseq), nullptr);
      auto response = fetcher.Get(request);
      if (!response.ok()) return std::move(response).error();
      if (response->status == 404) {
        // A deployment the Console no longer knows: its leases get no GPU model.
        models[l.dseq] = {};
      } else if (!IsSuccess(response->status)) {
        return UpstreamHttpError(request, *response);
      } else {
        AKASH_COLL_ASSIGN_OR_RETURN(
            models[l.dseq], ParseDeploymentGpuModels(response->body, core::UrlForLog(request.url)));
      }
    }
    if (l.closed_on <= 0 && !head) {
      const core::Request request =
          ConsoleRequest(options_.console_api, "/v1/blocks?limit=1", nullptr);
      auto response = fetcher.Get(request);
      if (!response.ok()) return std::move(response).error();
      if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
      AKASH_COLL_ASSIGN_OR_RETURN(head,
                                  ParseLatestHeight(response->body, core::UrlForLog(request.url)));
    }
  }
  const auto model_of = [&](const TenantLease& l) -> std::string {
    const auto dep = models.find(l.dseq);
    if (dep == models.end()) return "none";
    const auto group = dep->second.find(l.gseq);
    return group == dep->second.end() ? "none" : group->second;
  };

  struct Group {
    core::Decimal spent_akt, spent_act;  // micro
    core::Decimal rate_akt, rate_act;    // micro per block, active leases
    bool active = false;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  for (const TenantLease& l : leases) {
    if (l.closed_on > 0 && !closed.contains(l.Key())) {
      const std::int64_t blocks = std::max<std::int64_t>(0, l.closed_on - l.created_at);
      closed[l.Key()] = ClosedLease{l.provider, model_of(l), l.denom, l.price.MulInt(blocks)};
    }
    if (l.closed_on > 0) continue;
    Group& g = groups[{l.provider, model_of(l)}];
    const std::int64_t blocks = std::max<std::int64_t>(0, head.value_or(0) - l.created_at);
    (l.denom == LeaseDenom::kAkt ? g.spent_akt : g.spent_act) += l.price.MulInt(blocks);
    if (l.state == "active") {
      g.active = true;
      (l.denom == LeaseDenom::kAkt ? g.rate_akt : g.rate_act) += l.price;
    }
  }
  for (const auto& [key, c] : closed) {
    Group& g = groups[{c.provider, c.model}];
    (c.denom == LeaseDenom::kAkt ? g.spent_akt : g.spent_act) += c.spent;
  }
  // GPU models are kept only for deployments that still have an open lease: closed leases carry
  // their model in the closed-lease cache.
  std::erase_if(models, [&](const auto& entry) { return !open_dseqs.contains(entry.first); });
  const std::string models_text = EncodeGpuModels(models);
  if (models_blob != models_text) state->Put(kGpuModelsBlob, models_text);
  const std::string closed_text = EncodeClosedLeases(account, closed);
  if (closed_blob != closed_text) state->Put(kClosedLeasesBlob, closed_text);

  // --- credit transactions ---
  std::map<std::string, std::int64_t> purchased;
  for (const char* type : kKnownTypes) purchased[type] = 0;
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  std::int64_t refunded = 0, bonus = 0, last_purchase = 0;
  for (const CreditTransaction& t : transactions) {
    ++counts[{t.type, t.status}];
    const bool succeeded = t.status == "succeeded";
    if (succeeded || t.status == "refunded") purchased[t.type] += t.amount_cents;
    if (succeeded) bonus += t.bonus_cents;
    refunded += t.refunded_cents;
    if (succeeded && t.type == "payment_intent") last_purchase = std::max(last_purchase, t.created);
  }
  const auto dollars = [](std::int64_t cents) {
    return core::Decimal::FromInt(cents).ShiftDown(2).ToDouble();
  };

  const double block_seconds =
      (ctx.facts != nullptr ? ctx.facts->BlockIntervalSeconds() : std::nullopt)
          .value_or(kDefaultBlockSeconds);
  const std::optional<double> akt_price =
      ctx.facts != nullptr ? ctx.facts->AktPriceUsd() : std::nullopt;

  const Labels labels = {{"account", account}};
  PollOutput out;
  auto& f = out.families;
  f.push_back(GaugeFamily("akash_tenant_balance_act",
                          Help("Spendable balance (remaining spend grant) in ACT, from the Console "
                               "API balances (data.balance / 1e6)"),
                          labels, FromMicro(balances.balance_uact).ToDouble()));
  f.push_back(GaugeFamily("akash_tenant_escrow_act",
                          Help("ACT held in escrow by active deployments, from the Console API "
                               "balances (data.deployments / 1e6)"),
                          labels, FromMicro(balances.escrow_uact).ToDouble()));

  FamilyBuilder purchased_family(
      "akash_tenant_credit_purchased_usd_total",
      Help("Gross amount of succeeded or refunded credit transactions in USD, by type, from the "
           "Console API Stripe transactions (amount cents / 100)"),
      prometheus::MetricType::Counter);
  for (const auto& [type, cents] : purchased) {
    purchased_family.Add({{"account", account}, {"type", type}}, dollars(cents));
  }
  f.push_back(std::move(purchased_family).Build());
  f.push_back(CounterFamily("akash_tenant_credit_refunded_usd_total",
                            Help("Credit refunded in USD (full and partial refunds), from the "
                                 "Console API Stripe transactions (amountRefunded cents / 100)"),
                            labels, dollars(refunded)));
  f.push_back(CounterFamily("akash_tenant_credit_bonus_usd_total",
                            Help("Bonus credit of succeeded transactions in USD, from the Console "
                                 "API Stripe transactions (bonusAmount cents / 100)"),
                            labels, dollars(bonus)));
  FamilyBuilder counts_family("akash_tenant_credit_transactions",
                              Help("Credit transactions by type and current status, from the "
                                   "Console API Stripe transactions"),
                              prometheus::MetricType::Gauge);
  for (const auto& [key, n] : counts) {
    counts_family.Add({{"account", account}, {"type", key.first}, {"status", key.second}},
                      static_cast<double>(n));
  }
  f.push_back(std::move(counts_family).Build());
  f.push_back(GaugeFamily(
      "akash_tenant_last_credit_purchase_timestamp_seconds",
      Help("Time of the newest succeeded credit purchase (payment_intent), from the Console API "
           "Stripe transactions (created); 0 when there is none"),
      labels, static_cast<double>(last_purchase)));

  FamilyBuilder rate("akash_tenant_lease_rate_usd_per_hour",
                     Help("Cost run-rate of active leases in USD per hour by provider and GPU "
                          "model, from the Console API deployments (price per block x 3600 / "
                          "block interval; AKT at the market price)"),
                     prometheus::MetricType::Gauge);
  FamilyBuilder spent_akt("akash_tenant_lease_spent_akt_total",
                          Help("AKT spent on leases by provider and GPU model, from the Console "
                               "API deployments (price per block x blocks over every lease)"),
                          prometheus::MetricType::Counter);
  FamilyBuilder spent_act("akash_tenant_lease_spent_act_total",
                          Help("ACT (including legacy USDC) spent on leases by provider and GPU "
                               "model, from the Console API deployments (price per block x "
                               "blocks over every lease)"),
                          prometheus::MetricType::Counter);
  for (const auto& [key, g] : groups) {
    const Labels series = {
        {"account", account}, {"provider", key.first}, {"gpu_model", key.second}};
    spent_akt.Add(series, FromMicro(g.spent_akt).ToDouble());
    spent_act.Add(series, FromMicro(g.spent_act).ToDouble());
    if (!g.active) continue;
    if (!g.rate_akt.IsZero() && !akt_price) continue;
    const double per_block =
        FromMicro(g.rate_act).ToDouble() +
        (g.rate_akt.IsZero() ? 0.0 : FromMicro(g.rate_akt).ToDouble() * *akt_price);
    rate.Add(series, per_block * 3600.0 / block_seconds);
  }
  f.push_back(std::move(rate).Build());
  f.push_back(std::move(spent_akt).Build());
  f.push_back(std::move(spent_act).Build());
  return out;
}

}  // namespace akash::collectors
