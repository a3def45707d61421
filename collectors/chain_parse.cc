#include "collectors/chain_parse.h"

#include <charconv>
#include <optional>
#include <utility>

#include "collectors/common.h"
#include "collectors/json.h"
#include "exporter/core/date.h"

namespace akash::collectors::chain {
namespace {

using core::ErrorReason;
using core::MakeError;

core::Error ParseError(std::string_view route, const std::string& what) {
  return MakeError(ErrorReason::kParse, "GET " + std::string(route) + ": " + what);
}

// An element of an array member, as a JsonObject with an indexed path for messages.
core::Result<JsonObject> Element(const JsonObject& parent, const rapidjson::Value& v,
                                 const std::string& path) {
  return JsonObject::From(v, parent.route(), path);
}

// The member `name` as an array; nullptr when absent or null (callers decide if that is ok).
const rapidjson::Value* ArrayMember(const JsonObject& o, const char* name) {
  const auto it = o.value().FindMember(name);
  if (it == o.value().MemberEnd() || it->value.IsNull()) return nullptr;
  return it->value.IsArray() ? &it->value : nullptr;
}

bool HasMember(const JsonObject& o, const char* name) {
  const auto it = o.value().FindMember(name);
  return it != o.value().MemberEnd() && !it->value.IsNull();
}

core::Result<std::uint32_t> U32(const JsonObject& o, const char* name) {
  AKASH_COLL_ASSIGN_OR_RETURN(std::int64_t v, o.Int(name));
  if (v < 0 || v > 0xffffffffLL) {
    return ParseError(o.route(), std::string("field ") + name + ": out of range");
  }
  return static_cast<std::uint32_t>(v);
}

// The digits of a dseq/height string, validated (the chain sends uint64 as JSON strings).
core::Result<std::string> Digits(const JsonObject& o, const char* name) {
  AKASH_COLL_ASSIGN_OR_RETURN(std::string s, o.String(name));
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos) {
    return ParseError(o.route(), std::string("field ") + name + ": not an unsigned integer");
  }
  return s;
}

core::Result<LeaseId> ParseId(const JsonObject& id, bool with_bseq) {
  LeaseId out;
  AKASH_COLL_ASSIGN_OR_RETURN(out.owner, id.String("owner"));
  AKASH_COLL_ASSIGN_OR_RETURN(out.dseq, Digits(id, "dseq"));
  AKASH_COLL_ASSIGN_OR_RETURN(out.gseq, U32(id, "gseq"));
  AKASH_COLL_ASSIGN_OR_RETURN(out.oseq, U32(id, "oseq"));
  AKASH_COLL_ASSIGN_OR_RETURN(out.provider, id.String("provider"));
  // bseq is omitted by the JSON encoder when it is 0 (proto3 default) on some nodes.
  if (with_bseq && HasMember(id, "bseq")) {
    AKASH_COLL_ASSIGN_OR_RETURN(out.bseq, U32(id, "bseq"));
  }
  return out;
}

struct Coin {
  std::string denom;
  core::Decimal amount;
};

core::Result<Coin> ParseCoin(const JsonObject& parent, const char* name) {
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject o, parent.Object(name));
  Coin c;
  AKASH_COLL_ASSIGN_OR_RETURN(c.denom, o.String("denom"));
  AKASH_COLL_ASSIGN_OR_RETURN(c.amount, o.Decimal("amount"));
  return c;
}

std::optional<LeaseState> LeaseStateFrom(std::string_view s) {
  if (s == "active") return LeaseState::kActive;
  if (s == "insufficient_funds") return LeaseState::kInsufficientFunds;
  if (s == "closed") return LeaseState::kClosed;
  if (s == "reclaiming") return LeaseState::kReclaiming;
  return std::nullopt;
}

std::optional<PaymentState> PaymentStateFrom(std::string_view s) {
  if (s == "open") return PaymentState::kOpen;
  if (s == "closed") return PaymentState::kClosed;
  if (s == "overdrawn") return PaymentState::kOverdrawn;
  return std::nullopt;
}

core::Result<std::int64_t> Height(const JsonObject& o, const char* name) {
  AKASH_COLL_ASSIGN_OR_RETURN(std::string s, Digits(o, name));
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return ParseError(o.route(), std::string("field ") + name + ": out of range");
  }
  return v;
}

// Escrow payment fields shared by both shapes, read from the object holding
// state/rate/balance/withdrawn (v1: escrow_payment.state; v1beta3: escrow_payment itself).
core::Status ParsePayment(const JsonObject& p, bool has_unsettled, LeaseRecord* r) {
  AKASH_COLL_ASSIGN_OR_RETURN(std::string state, p.String("state"));
  const auto ps = PaymentStateFrom(state);
  if (!ps) return ParseError(p.route(), "unknown escrow payment state");
  r->payment_state = *ps;
  AKASH_COLL_ASSIGN_OR_RETURN(Coin balance, ParseCoin(p, "balance"));
  AKASH_COLL_ASSIGN_OR_RETURN(Coin withdrawn, ParseCoin(p, "withdrawn"));
  r->balance = balance.amount;
  r->withdrawn = withdrawn.amount;
  if (has_unsettled && HasMember(p, "unsettled")) {
    AKASH_COLL_ASSIGN_OR_RETURN(Coin unsettled, ParseCoin(p, "unsettled"));
    r->unsettled = unsettled.amount;
  }
  return core::Ok{};
}

core::Result<LeaseRecord> ParseLeaseEntry(const JsonObject& entry, ApiShape shape) {
  LeaseRecord r;
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject lease, entry.Object("lease"));
  const bool v5 = shape == ApiShape::kV1beta5;
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject id, lease.Object(v5 ? "id" : "lease_id"));
  AKASH_COLL_ASSIGN_OR_RETURN(r.id, ParseId(id, v5));
  AKASH_COLL_ASSIGN_OR_RETURN(std::string state, lease.String("state"));
  const auto ls = LeaseStateFrom(state);
  if (!ls) return ParseError(lease.route(), "unknown lease state");
  r.state = *ls;
  AKASH_COLL_ASSIGN_OR_RETURN(Coin price, ParseCoin(lease, "price"));
  r.denom = std::move(price.denom);
  r.unit = UnitOf(r.denom);
  r.price = price.amount;
  AKASH_COLL_ASSIGN_OR_RETURN(r.created_at, Height(lease, "created_at"));
  if (HasMember(lease, "closed_on")) {
    AKASH_COLL_ASSIGN_OR_RETURN(r.closed_on, Height(lease, "closed_on"));
  }
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject payment, entry.Object("escrow_payment"));
  if (v5) {
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject ps, payment.Object("state"));
    auto st = ParsePayment(ps, true, &r);
    if (!st.ok()) return std::move(st).error();
  } else {
    auto st = ParsePayment(payment, false, &r);
    if (!st.ok()) return std::move(st).error();
  }
  return r;
}

core::Result<Page> ParsePagination(const JsonObject& root) {
  Page page;
  const auto it = root.value().FindMember("pagination");
  if (it == root.value().MemberEnd() || it->value.IsNull()) return page;
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject p, root.Object("pagination"));
  const auto k = p.value().FindMember("next_key");
  if (k == p.value().MemberEnd() || k->value.IsNull()) return page;
  if (!k->value.IsString())
    return ParseError(root.route(), "field pagination.next_key: not a string");
  page.next_key.assign(k->value.GetString(), k->value.GetStringLength());
  return page;
}

// "vendor/<v>/model/<m>[/...]" → {v, m}; nullopt for any other key.
std::optional<std::pair<std::string, std::string>> GpuModelOf(std::string_view key) {
  constexpr std::string_view kVendor = "vendor/";
  if (key.substr(0, kVendor.size()) != kVendor) return std::nullopt;
  key.remove_prefix(kVendor.size());
  const auto slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string vendor(key.substr(0, slash));
  key.remove_prefix(slash + 1);
  constexpr std::string_view kModel = "model/";
  if (key.substr(0, kModel.size()) != kModel) return std::nullopt;
  key.remove_prefix(kModel.size());
  const std::string model(key.substr(0, key.find('/')));
  if (model.empty()) return std::nullopt;
  return std::make_pair(std::move(vendor), model);
}

core::Result<GpuOffers> ParseOffers(const JsonObject& bid) {
  GpuOffers offers;
  const rapidjson::Value* list = ArrayMember(bid, "resources_offer");
  if (list == nullptr) return offers;
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject offer, Element(bid, (*list)[i], "resources_offer"));
    std::int64_t count = 1;
    if (HasMember(offer, "count")) {
      AKASH_COLL_ASSIGN_OR_RETURN(count, offer.Int("count"));
    }
    if (!HasMember(offer, "resources")) continue;
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject res, offer.Object("resources"));
    if (!HasMember(res, "gpu")) continue;
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject gpu, res.Object("gpu"));
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject units, gpu.Object("units"));
    AKASH_COLL_ASSIGN_OR_RETURN(std::int64_t n, units.Int("val"));
    if (n <= 0 || count <= 0) continue;
    std::optional<std::pair<std::string, std::string>> model;
    if (const rapidjson::Value* attrs = ArrayMember(gpu, "attributes")) {
      for (rapidjson::SizeType a = 0; a < attrs->Size() && !model; ++a) {
        AKASH_COLL_ASSIGN_OR_RETURN(JsonObject attr, Element(gpu, (*attrs)[a], "attributes"));
        AKASH_COLL_ASSIGN_OR_RETURN(std::string key, attr.String("key"));
        model = GpuModelOf(key);
      }
    }
    // A GPU without a model attribute still counts, under an explicit "unknown".
    if (!model) model = std::make_pair(std::string("unknown"), std::string("unknown"));
    bool merged = false;
    for (GpuOffer& o : offers) {
      if (o.vendor == model->first && o.model == model->second) {
        o.gpus += n * count;
        merged = true;
      }
    }
    if (!merged) offers.push_back({model->first, model->second, n * count});
  }
  return offers;
}

int Digit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }

}  // namespace

Unit UnitOf(std::string_view denom) {
  if (denom == "uakt") return Unit::kAkt;
  if (denom == "uact" || denom == kUsdcIbcDenom) return Unit::kAct;
  return Unit::kOther;
}

std::string_view ToString(LeaseState state) {
  switch (state) {
    case LeaseState::kActive:
      return "active";
    case LeaseState::kInsufficientFunds:
      return "insufficient_funds";
    case LeaseState::kClosed:
      return "closed";
    case LeaseState::kReclaiming:
      return "reclaiming";
  }
  return "active";
}

std::string LeaseId::Key() const {
  return owner + "/" + dseq + "/" + std::to_string(gseq) + "/" + std::to_string(oseq) + "/" +
         provider + "/" + std::to_string(bseq);
}

core::Result<Page> ParseLeasesPage(std::string_view body, std::string_view route, ApiShape shape,
                                   std::vector<LeaseRecord>* out) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(*doc, std::string(route)));
  if (HasMember(root, "leases")) {
    const rapidjson::Value* list = ArrayMember(root, "leases");
    if (list == nullptr) return ParseError(route, "field leases: expected an array");
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject entry,
                                  Element(root, (*list)[i], "leases[" + std::to_string(i) + "]"));
      AKASH_COLL_ASSIGN_OR_RETURN(LeaseRecord r, ParseLeaseEntry(entry, shape));
      out->push_back(std::move(r));
    }
  }
  return ParsePagination(root);
}

core::Result<Page> ParseBidsPage(std::string_view body, std::string_view route, ApiShape shape,
                                 std::map<std::string, GpuOffers>* out,
                                 const std::map<std::string, bool>* keep) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(*doc, std::string(route)));
  if (HasMember(root, "bids")) {
    const rapidjson::Value* list = ArrayMember(root, "bids");
    if (list == nullptr) return ParseError(route, "field bids: expected an array");
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject entry,
                                  Element(root, (*list)[i], "bids[" + std::to_string(i) + "]"));
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject bid, entry.Object("bid"));
      const bool v5 = shape == ApiShape::kV1beta5;
      AKASH_COLL_ASSIGN_OR_RETURN(JsonObject id, bid.Object(v5 ? "id" : "bid_id"));
      AKASH_COLL_ASSIGN_OR_RETURN(LeaseId lid, ParseId(id, v5));
      std::string key = lid.Key();
      if (keep != nullptr && keep->find(key) == keep->end()) continue;
      AKASH_COLL_ASSIGN_OR_RETURN(GpuOffers offers, ParseOffers(bid));
      if (!offers.empty()) (*out)[std::move(key)] = std::move(offers);
    }
  }
  return ParsePagination(root);
}

std::optional<std::int64_t> ParseRfc3339Nanos(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
      t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      const int d = Digit(t[i]);
      if (d < 0) return std::nullopt;
      v = v * 10 + d;
    }
    return v;
  };
  const auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
             s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < t.size() && Digit(t[pos]) >= 0) {
      if (digits < 9) {
        frac_ns = frac_ns * 10 + Digit(t[pos]);
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) frac_ns *= 10;
  }
  std::int64_t offset_s = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == t.size() && (t[pos] == '+' || t[pos] == '-') && t[pos + 3] == ':') {
    const auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset_s = (*oh * 3600 + *om * 60) * (t[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  const core::Date date =
      core::Date::FromYmd(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  const std::int64_t secs = date.days() * 86400 + *h * 3600 + *mi * 60 + *s - offset_s;
  return secs * 1'000'000'000 + frac_ns;
}

core::Result<BlockHeader> ParseBlock(std::string_view body, std::string_view route) {
  auto doc = ParseJson(body, route);
  if (!doc.ok()) return std::move(doc).error();
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject root, JsonObject::From(*doc, std::string(route)));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject block, root.Object("block"));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject header, block.Object("header"));
  BlockHeader out;
  AKASH_COLL_ASSIGN_OR_RETURN(out.height, Height(header, "height"));
  AKASH_COLL_ASSIGN_OR_RETURN(std::string time, header.String("time"));
  const auto ns = ParseRfc3339Nanos(time);
  if (!ns) return ParseError(route, "field block.header.time: not an RFC 3339 timestamp");
  out.time_ns = *ns;
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace akash::collectors::chain
