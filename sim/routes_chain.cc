// Chain REST (Cosmos LCD / grpc-gateway) routes.

#include <algorithm>
#include <charconv>
#include <cstring>

#include "sim/handlers.h"

namespace akash::sim {

PaymentView PaymentAt(const Lease& l, std::int64_t height) {
  PaymentView v;
  std::int64_t blocks = std::max<std::int64_t>(0, std::min(l.end, height) - l.created);
  Int128 accrued = static_cast<Int128>(l.price_milli) * blocks;
  switch (l.state) {
    case LeaseState::kActive:
    case LeaseState::kReclaiming: {
      // Providers withdraw every 1200 blocks (~2 h); in between the accrual sits in balance.
      std::int64_t settled = blocks / 1200 * 1200;
      v.state = PaymentState::kOpen;
      v.withdrawn_micro = static_cast<Int128>(l.price_milli) * settled / 1000;
      v.balance_milli = accrued - v.withdrawn_micro * 1000;
      break;
    }
    case LeaseState::kClosed:
      v.state = PaymentState::kClosed;
      v.withdrawn_micro = accrued / 1000;
      break;
    case LeaseState::kInsufficientFunds:
      v.state = PaymentState::kOverdrawn;
      v.unsettled_milli = static_cast<Int128>(l.price_milli) * l.overdrawn_blocks;
      v.withdrawn_micro = (accrued - v.unsettled_milli) / 1000;
      break;
  }
  return v;
}

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(const std::vector<std::uint8_t>& in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t n = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  if (i + 1 == in.size()) {
    std::uint32_t n = in[i] << 16;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    std::uint32_t n = (in[i] << 16) | (in[i + 1] << 8);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> Unbase64(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < s.size(); i += 4) {
    std::uint32_t n = 0;
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char ch = s[i + static_cast<std::size_t>(k)];
      int v;
      if (ch == '=') {
        v = 0;
        ++pad;
      } else {
        const char* p = std::strchr(kB64, ch);
        if (!p || ch == '\0' || pad) return std::nullopt;
        v = static_cast<int>(p - kB64);
      }
      n = (n << 6) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(n));
  }
  return out;
}

std::uint16_t FilterHash(std::string_view canonical) {
  std::uint32_t h = 2166136261u;
  for (char c : canonical) h = (h ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return static_cast<std::uint16_t>(h ^ (h >> 16));
}

// Opaque key: a prefix that base64-encodes to "++++////", the filter hash, the position, and
// a check byte; 13 bytes, so the text also ends in "==". Clients that forget to URL-encode
// it send spaces instead of '+' and get 400.
std::string EncodeKey(std::uint16_t filter_hash, std::uint32_t pos) {
  std::vector<std::uint8_t> b = {0xFB,
                                 0xEF,
                                 0xBE,
                                 0xFF,
                                 0xFF,
                                 0xFF,
                                 static_cast<std::uint8_t>(filter_hash >> 8),
                                 static_cast<std::uint8_t>(filter_hash),
                                 static_cast<std::uint8_t>(pos >> 24),
                                 static_cast<std::uint8_t>(pos >> 16),
                                 static_cast<std::uint8_t>(pos >> 8),
                                 static_cast<std::uint8_t>(pos)};
  std::uint8_t check = 0x5A;
  for (auto x : b) check ^= x;
  b.push_back(check);
  return Base64(b);
}

std::optional<std::uint32_t> DecodeKey(std::string_view key, std::uint16_t filter_hash) {
  auto b = Unbase64(key);
  if (!b || b->size() != 13 || (*b)[0] != 0xFB || (*b)[5] != 0xFF) return std::nullopt;
  std::uint8_t check = 0x5A;
  for (std::size_t i = 0; i < 12; ++i) check ^= (*b)[i];
  if (check != (*b)[12]) return std::nullopt;
  if ((((*b)[6] << 8) | (*b)[7]) != filter_hash) return std::nullopt;
  return (static_cast<std::uint32_t>((*b)[8]) << 24) | (static_cast<std::uint32_t>((*b)[9]) << 16) |
         (static_cast<std::uint32_t>((*b)[10]) << 8) | (*b)[11];
}

struct ListFilters {
  std::string provider, owner, state;
  std::optional<std::uint64_t> dseq, gseq, oseq, bseq;
  std::string key;
  std::uint64_t offset = 0, limit = 100;
  bool reverse = false;
  bool has_key = false;
};

std::optional<Response> ParseFilters(const Ctx& c, const std::vector<std::string_view>& states,
                                     ListFilters* f) {
  auto num = [&](const char* name, std::optional<std::uint64_t>* out,
                 bool u32) -> std::optional<Response> {
    auto v = c.query.Get(name);
    if (!v || v->empty()) return std::nullopt;
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || (u32 && n > 0xffffffffULL)) {
      return ChainError(400, 3,
                        std::string("type mismatch, parameter: ") + name +
                            ", error: strconv.ParseUint: parsing \"" + *v + "\": invalid syntax");
    }
    *out = n;
    return std::nullopt;
  };
  f->provider = c.query.Get("filters.provider").value_or("");
  f->owner = c.query.Get("filters.owner").value_or("");
  f->state = c.query.Get("filters.state").value_or("");
  if (auto e = num("filters.dseq", &f->dseq, false)) return e;
  if (auto e = num("filters.gseq", &f->gseq, true)) return e;
  if (auto e = num("filters.oseq", &f->oseq, true)) return e;
  if (auto e = num("filters.bseq", &f->bseq, true)) return e;
  std::optional<std::uint64_t> offset, limit;
  if (auto e = num("pagination.offset", &offset, false)) return e;
  if (auto e = num("pagination.limit", &limit, false)) return e;
  f->offset = offset.value_or(0);
  f->limit = limit.value_or(0) == 0 ? 100 : *limit;
  auto rev = c.query.Get("pagination.reverse").value_or("false");
  if (rev != "true" && rev != "false" && rev != "1" && rev != "0") {
    return ChainError(
        400, 3,
        "type mismatch, parameter: pagination.reverse, error: strconv.ParseBool: parsing \"" + rev +
            "\": invalid syntax");
  }
  f->reverse = rev == "true" || rev == "1";
  if (!f->state.empty() && std::find(states.begin(), states.end(), f->state) == states.end()) {
    return ChainError(400, 3, "invalid request parameters. invalid state value: " + f->state);
  }
  if (auto k = c.query.Get("pagination.key"); k && !k->empty()) {
    f->key = *k;
    f->has_key = true;
  }
  if (f->offset > 0 && f->state.empty() && !f->has_key) {
    return ChainError(
        400, 3, "invalid request parameters. if offset is set, filter.state must be provided");
  }
  return std::nullopt;
}

std::string Canonical(const ListFilters& f) {
  auto o = [](const std::optional<std::uint64_t>& v) {
    return v ? std::to_string(*v) : std::string("-");
  };
  return f.provider + "|" + f.owner + "|" + f.state + "|" + o(f.dseq) + "|" + o(f.gseq) + "|" +
         o(f.oseq) + "|" + o(f.bseq) + "|" + (f.reverse ? "r" : "f");
}

// Generic page walk over a candidate list: `match(i)` says whether candidate i is selected.
// Scans at most max(4 × limit, 1000) candidates per page, so heavily filtered pages come back
// short with a non-null next_key, as the real chain's post-filtering does.
template <typename Match, typename Emit>
std::optional<Response> WalkPage(const Ctx& c, const ListFilters& f, std::size_t n, Match match,
                                 Emit emit, std::string* next_key, std::uint64_t* count) {
  const std::uint16_t hash = FilterHash(Canonical(f));
  std::size_t pos = 0;
  if (f.has_key) {
    auto p = DecodeKey(f.key, hash);
    if (!p) return ChainError(400, 3, "invalid request parameters. invalid pagination key");
    pos = *p;
  }
  auto at = [&](std::size_t i) { return f.reverse ? n - 1 - i : i; };
  std::uint64_t skip = f.has_key ? 0 : f.offset;
  const std::size_t budget = std::max<std::size_t>(static_cast<std::size_t>(f.limit) * 4, 1000);
  std::size_t scanned = 0;
  *count = 0;
  while (pos < n && *count < f.limit && scanned < budget) {
    std::size_t i = at(pos);
    ++pos;
    ++scanned;
    if (!match(i)) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    emit(i);
    ++*count;
  }
  // Look ahead for a further match so the last page says null.
  std::size_t ahead = pos;
  std::size_t ahead_budget = budget;
  while (ahead < n && ahead_budget > 0 && !match(at(ahead))) {
    ++ahead;
    --ahead_budget;
  }
  next_key->clear();
  if (ahead < n) *next_key = EncodeKey(hash, static_cast<std::uint32_t>(ahead));
  if (c.pagination_loop && f.has_key) *next_key = f.key;
  return std::nullopt;
}

void Coin(JsonWriter& w, std::string_view key, std::string_view denom, const std::string& amount) {
  WriteKey(w, key);
  w.StartObject();
  WriteKey(w, "denom");
  WriteStr(w, denom);
  WriteKey(w, "amount");
  WriteStr(w, amount);
  w.EndObject();
}

void WritePagination(JsonWriter& w, const std::string& next_key, std::uint64_t count) {
  WriteKey(w, "pagination");
  w.StartObject();
  WriteKey(w, "next_key");
  if (next_key.empty())
    w.Null();
  else
    WriteStr(w, next_key);
  WriteKey(w, "total");
  WriteStr(w, std::to_string(count));
  w.EndObject();
}

const std::vector<std::uint32_t>* Candidates(const Ctx& c, const ListFilters& f, bool bids,
                                             const std::vector<std::uint32_t>& empty,
                                             std::vector<std::uint32_t>* scratch) {
  // The chain keys leases and bids by owner/dseq/gseq/oseq/provider/bseq, so an owner + dseq
  // filter is a prefix scan over one deployment, not a walk over the provider's history.
  if (!f.owner.empty() && f.dseq) {
    int d = c.world.DeploymentIndex(f.owner, static_cast<std::int64_t>(*f.dseq));
    if (d < 0) return &empty;
    const Deployment& dep = c.world.deployments()[static_cast<std::size_t>(d)];
    if (!bids) return &dep.leases;
    scratch->clear();
    const auto& all = c.world.bids();
    for (std::uint32_t li : dep.leases) {
      auto it = std::lower_bound(all.begin(), all.end(), li,
                                 [](const Bid& b, std::uint32_t lease) { return b.lease < lease; });
      for (; it != all.end() && it->lease == li; ++it) {
        scratch->push_back(static_cast<std::uint32_t>(it - all.begin()));
      }
    }
    return scratch;
  }
  if (!f.provider.empty()) {
    int p = c.world.ProviderIndex(f.provider);
    if (p < 0) return &empty;
    const Provider& pr = c.world.providers()[static_cast<std::size_t>(p)];
    return bids ? &pr.bids : &pr.leases;
  }
  if (!f.owner.empty() && !bids) {
    int t = c.world.TenantIndex(f.owner);
    if (t < 0) return &empty;
    return &c.world.tenants()[static_cast<std::size_t>(t)].leases;
  }
  return nullptr;  // every item
}

}  // namespace

void WriteOrderId(JsonWriter& w, const std::string& owner, const Lease& l,
                  const std::string& provider, std::optional<unsigned> bseq) {
  w.StartObject();
  WriteKey(w, "owner");
  WriteStr(w, owner);
  WriteKey(w, "dseq");
  WriteStr(w, std::to_string(l.dseq));
  WriteKey(w, "gseq");
  w.Uint(l.gseq);
  WriteKey(w, "oseq");
  w.Uint(l.oseq);
  WriteKey(w, "provider");
  WriteStr(w, provider);
  if (bseq) {
    WriteKey(w, "bseq");
    w.Uint(*bseq);
  }
  w.EndObject();
}

Response HandleLeases(const Ctx& c, bool legacy) {
  static const std::vector<std::string_view> kStates = {"active", "insufficient_funds", "closed",
                                                        "reclaiming"};
  ListFilters f;
  if (auto e = ParseFilters(c, kStates, &f)) return *e;
  const World& world = c.world;
  static const std::vector<std::uint32_t> kEmpty;
  std::vector<std::uint32_t> scratch;
  const std::vector<std::uint32_t>* cand = Candidates(c, f, false, kEmpty, &scratch);
  const std::size_t n = cand ? cand->size() : world.leases().size();
  auto lease_of = [&](std::size_t i) -> const Lease& {
    return world.leases()[cand ? (*cand)[i] : i];
  };
  auto shown_state = [&](const Lease& l) {
    // The pre-Mainnet-14 chain had no reclaiming state.
    return (legacy && l.state == LeaseState::kReclaiming) ? LeaseState::kActive : l.state;
  };
  auto match = [&](std::size_t i) {
    const Lease& l = lease_of(i);
    if (l.created > c.chain_h) return false;
    if (!f.owner.empty() && world.tenants()[l.tenant].address != f.owner) return false;
    if (!f.provider.empty() && world.providers()[l.provider].address != f.provider) return false;
    if (f.dseq && static_cast<std::uint64_t>(l.dseq) != *f.dseq) return false;
    if (f.gseq && l.gseq != *f.gseq) return false;
    if (f.oseq && l.oseq != *f.oseq) return false;
    if (f.bseq && !legacy && l.bseq != *f.bseq) return false;
    if (!f.state.empty() && LeaseStateName(shown_state(l)) != f.state) return false;
    return true;
  };
  rapidjson::StringBuffer b;
  b.Reserve(static_cast<std::size_t>(std::min<std::uint64_t>(f.limit, 5000)) * 1100 + 256);
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "leases");
  w.StartArray();
  auto emit = [&](std::size_t i) {
    const Lease& l = lease_of(i);
    const std::string& owner = world.tenants()[l.tenant].address;
    const std::string& provider = world.providers()[l.provider].address;
    const std::string dseq = std::to_string(l.dseq);
    const std::string_view denom = ChainDenom(l.denom);
    const std::string price = FormatDec18(l.price_milli);
    PaymentView pv = PaymentAt(l, c.chain_h);
    w.StartObject();
    WriteKey(w, "lease");
    w.StartObject();
    WriteKey(w, legacy ? "lease_id" : "id");
    WriteOrderId(w, owner, l, provider, legacy ? std::nullopt : std::optional<unsigned>(l.bseq));
    WriteKey(w, "state");
    WriteStr(w, LeaseStateName(shown_state(l)));
    Coin(w, "price", denom, price);
    WriteKey(w, "created_at");
    WriteStr(w, std::to_string(l.created));
    WriteKey(w, "closed_on");
    WriteStr(w, l.IsOpen() ? "0" : std::to_string(l.end));
    if (!legacy) {
      WriteKey(w, "reason");
      WriteStr(w, kLeaseReasons[l.reason]);
      if (l.state == LeaseState::kReclaiming) {
        std::int64_t started = std::max(l.created, c.chain_h - 300);
        WriteKey(w, "reclamation");
        w.StartObject();
        WriteKey(w, "window");
        WriteStr(w, "3600s");
        WriteKey(w, "started_at");
        WriteStr(w, std::to_string(started));
        WriteKey(w, "deadline");
        WriteStr(w, std::to_string(world.TimeOfHeight(started) / 1000 + 3600));
        WriteKey(w, "reason");
        WriteStr(w, "provider_decommission");
        w.EndObject();
      }
    }
    w.EndObject();
    WriteKey(w, "escrow_payment");
    w.StartObject();
    std::string payment_xid =
        std::to_string(l.gseq) + "/" + std::to_string(l.oseq) + "/" + provider;
    if (legacy) {
      WriteKey(w, "account_id");
      w.StartObject();
      WriteKey(w, "scope");
      WriteStr(w, "deployment");
      WriteKey(w, "xid");
      WriteStr(w, owner + "/" + dseq);
      w.EndObject();
      WriteKey(w, "payment_id");
      WriteStr(w, payment_xid);
      WriteKey(w, "owner");
      WriteStr(w, provider);
      WriteKey(w, "state");
      WriteStr(w, PaymentStateName(pv.state));
      Coin(w, "rate", denom, price);
      Coin(w, "balance", denom, FormatDec18(pv.balance_milli));
      Coin(w, "withdrawn", denom, Int128ToString(pv.withdrawn_micro));
    } else {
      WriteKey(w, "id");
      w.StartObject();
      WriteKey(w, "aid");
      w.StartObject();
      WriteKey(w, "scope");
      WriteStr(w, "deployment");
      WriteKey(w, "xid");
      WriteStr(w, owner + "/" + dseq);
      w.EndObject();
      WriteKey(w, "xid");
      WriteStr(w, payment_xid);
      w.EndObject();
      WriteKey(w, "state");
      w.StartObject();
      WriteKey(w, "owner");
      WriteStr(w, provider);
      WriteKey(w, "state");
      WriteStr(w, PaymentStateName(pv.state));
      Coin(w, "rate", denom, price);
      Coin(w, "balance", denom, FormatDec18(pv.balance_milli));
      Coin(w, "unsettled", denom, FormatDec18(pv.unsettled_milli));
      Coin(w, "withdrawn", denom, Int128ToString(pv.withdrawn_micro));
      w.EndObject();
    }
    w.EndObject();
    w.EndObject();
  };
  std::string next_key;
  std::uint64_t count = 0;
  if (auto e = WalkPage(c, f, n, match, emit, &next_key, &count)) return *e;
  w.EndArray();
  WritePagination(w, next_key, count);
  w.EndObject();
  return JsonResponse(200, std::string(b.GetString(), b.GetSize()));
}

Response HandleBids(const Ctx& c, bool legacy) {
  static const std::vector<std::string_view> kStates = {"open", "active", "lost", "closed"};
  ListFilters f;
  if (auto e = ParseFilters(c, kStates, &f)) return *e;
  const World& world = c.world;
  static const std::vector<std::uint32_t> kEmpty;
  std::vector<std::uint32_t> scratch;
  const std::vector<std::uint32_t>* cand = Candidates(c, f, true, kEmpty, &scratch);
  const std::size_t n = cand ? cand->size() : world.bids().size();
  auto bid_of = [&](std::size_t i) -> const Bid& { return world.bids()[cand ? (*cand)[i] : i]; };
  auto match = [&](std::size_t i) {
    const Bid& bd = bid_of(i);
    const Lease& l = world.leases()[bd.lease];
    if (l.created > c.chain_h) return false;
    if (!f.owner.empty() && world.tenants()[l.tenant].address != f.owner) return false;
    if (!f.provider.empty() && world.providers()[bd.provider].address != f.provider) return false;
    if (f.dseq && static_cast<std::uint64_t>(l.dseq) != *f.dseq) return false;
    if (f.gseq && l.gseq != *f.gseq) return false;
    if (f.oseq && l.oseq != *f.oseq) return false;
    if (f.bseq && bd.bseq != *f.bseq) return false;
    if (!f.state.empty() && BidStateName(bd.state) != f.state) return false;
    return true;
  };
  rapidjson::StringBuffer b;
  b.Reserve(static_cast<std::size_t>(std::min<std::uint64_t>(f.limit, 5000)) * 1200 + 256);
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "bids");
  w.StartArray();
  auto emit = [&](std::size_t i) {
    const Bid& bd = bid_of(i);
    const Lease& l = world.leases()[bd.lease];
    const std::string& owner = world.tenants()[l.tenant].address;
    const std::string& provider = world.providers()[bd.provider].address;
    w.StartObject();
    WriteKey(w, "bid");
    w.StartObject();
    WriteKey(w, legacy ? "bid_id" : "id");
    WriteOrderId(w, owner, l, provider, legacy ? std::nullopt : std::optional<unsigned>(bd.bseq));
    WriteKey(w, "state");
    WriteStr(w, BidStateName(bd.state));
    Coin(w, "price", ChainDenom(l.denom), FormatDec18(bd.price_milli));
    WriteKey(w, "created_at");
    WriteStr(w, std::to_string(l.created - 2));
    WriteKey(w, "resources_offer");
    w.StartArray();
    w.StartObject();
    WriteKey(w, "resources");
    WriteResourceUnits(w, l, GpuBidAttributeKey(world, l), /*storage_class=*/"");
    WriteKey(w, "count");
    w.Int(1);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    WriteKey(w, "escrow_account");
    w.StartObject();
    WriteKey(w, "id");
    w.StartObject();
    WriteKey(w, "scope");
    WriteStr(w, "bid");
    WriteKey(w, "xid");
    WriteStr(w, owner + "/" + std::to_string(l.dseq) + "/" + std::to_string(l.gseq) + "/" +
                    std::to_string(l.oseq) + "/" + provider + "/" + std::to_string(bd.bseq));
    w.EndObject();
    WriteKey(w, "state");
    w.StartObject();
    WriteKey(w, "owner");
    WriteStr(w, provider);
    WriteKey(w, "state");
    WriteStr(w, bd.state == BidState::kActive || bd.state == BidState::kOpen ? "open" : "closed");
    WriteKey(w, "transferred");
    w.StartArray();
    w.EndArray();
    WriteKey(w, "settled_at");
    WriteStr(w, std::to_string(l.created - 2));
    WriteKey(w, "funds");
    w.StartArray();
    w.StartObject();
    WriteKey(w, "denom");
    WriteStr(w, "uakt");
    WriteKey(w, "amount");
    WriteStr(w, "500000.000000000000000000");
    w.EndObject();
    w.EndArray();
    WriteKey(w, "deposits");
    w.StartArray();
    w.EndArray();
    w.EndObject();
    w.EndObject();
    w.EndObject();
  };
  std::string next_key;
  std::uint64_t count = 0;
  if (auto e = WalkPage(c, f, n, match, emit, &next_key, &count)) return *e;
  w.EndArray();
  WritePagination(w, next_key, count);
  w.EndObject();
  return JsonResponse(200, std::string(b.GetString(), b.GetSize()));
}

namespace {

std::string HashB64(std::int64_t height, std::uint64_t salt) {
  std::vector<std::uint8_t> bytes(32);
  std::uint64_t s = static_cast<std::uint64_t>(height) * 0x9e3779b97f4a7c15ULL ^ salt;
  for (auto& x : bytes) {
    s ^= s >> 31;
    s *= 0xbf58476d1ce4e5b9ULL;
    s ^= s >> 29;
    x = static_cast<std::uint8_t>(s);
  }
  return Base64(bytes);
}

void WriteBlockId(JsonWriter& w, std::int64_t h) {
  w.StartObject();
  WriteKey(w, "hash");
  WriteStr(w, HashB64(h, 1));
  WriteKey(w, "part_set_header");
  w.StartObject();
  WriteKey(w, "total");
  w.Int(1);
  WriteKey(w, "hash");
  WriteStr(w, HashB64(h, 2));
  w.EndObject();
  w.EndObject();
}

void WriteBlock(JsonWriter& w, const World& world, std::int64_t h, bool sdk) {
  w.StartObject();
  WriteKey(w, "header");
  w.StartObject();
  WriteKey(w, "version");
  w.StartObject();
  WriteKey(w, "block");
  WriteStr(w, "11");
  WriteKey(w, "app");
  WriteStr(w, "0");
  w.EndObject();
  WriteKey(w, "chain_id");
  WriteStr(w, "akashnet-2");
  WriteKey(w, "height");
  WriteStr(w, std::to_string(h));
  WriteKey(w, "time");
  WriteStr(w, FormatRfc3339(world.TimeOfHeight(h)));
  WriteKey(w, "last_block_id");
  WriteBlockId(w, h - 1);
  for (const char* k : {"last_commit_hash", "data_hash", "validators_hash", "next_validators_hash",
                        "consensus_hash", "app_hash", "last_results_hash", "evidence_hash"}) {
    WriteKey(w, k);
    WriteStr(w, HashB64(h, static_cast<std::uint64_t>(k[0]) * 131 + k[1]));
  }
  WriteKey(w, "proposer_address");
  WriteStr(w,
           sdk ? "akashvalcons1sim0proposer0000000000000000000" : "3q2+7wAAAAAAAAAAAAAAAAAAAAA=");
  w.EndObject();
  WriteKey(w, "data");
  w.StartObject();
  WriteKey(w, "txs");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  WriteKey(w, "evidence");
  w.StartObject();
  WriteKey(w, "evidence");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  WriteKey(w, "last_commit");
  w.StartObject();
  WriteKey(w, "height");
  WriteStr(w, std::to_string(h - 1));
  WriteKey(w, "round");
  w.Int(0);
  WriteKey(w, "block_id");
  WriteBlockId(w, h - 1);
  WriteKey(w, "signatures");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

}  // namespace

Response HandleBlock(const Ctx& c, std::optional<std::int64_t> height) {
  std::int64_t h = height.value_or(c.chain_h);
  if (h <= 0)
    return ChainError(400, 3, "height must be greater than 0, but got " + std::to_string(h));
  if (h > c.chain_h) {
    return ChainError(400, 3,
                      "requested block height " + std::to_string(h) +
                          " is greater than the latest height " + std::to_string(c.chain_h));
  }
  if (h < c.world.genesis_height()) {
    return ChainError(400, 3,
                      "height " + std::to_string(h) + " is not available, lowest height is " +
                          std::to_string(c.world.genesis_height()));
  }
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "block_id");
  WriteBlockId(w, h);
  WriteKey(w, "block");
  WriteBlock(w, c.world, h, false);
  WriteKey(w, "sdk_block");
  WriteBlock(w, c.world, h, true);
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleChainProvider(const Ctx& c) {
  const std::string& owner = c.segments.at(0);
  int pi = c.world.ProviderIndex(owner);
  if (pi < 0) return ChainError(404, 5, "invalid provider: " + owner + ": provider not found");
  const Provider& p = c.world.providers()[static_cast<std::size_t>(pi)];
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  auto attr = [&](std::string_view k, std::string_view v) {
    w.StartObject();
    WriteKey(w, "key");
    WriteStr(w, k);
    WriteKey(w, "value");
    WriteStr(w, v);
    w.EndObject();
  };
  w.StartObject();
  WriteKey(w, "provider");
  w.StartObject();
  WriteKey(w, "owner");
  WriteStr(w, p.address);
  WriteKey(w, "host_uri");
  WriteStr(w, p.host_uri);
  WriteKey(w, "attributes");
  w.StartArray();
  attr("region", p.region);
  attr("host", "akash");
  attr("organization", p.name);
  attr("capabilities/storage/1/class", "beta3");
  attr("capabilities/storage/1/persistent", "true");
  for (int m : p.gpu_models) {
    const GpuModel& g = c.world.gpu_models()[static_cast<std::size_t>(m)];
    attr("capabilities/gpu/vendor/" + g.vendor + "/model/" + g.model, "true");
    attr("capabilities/gpu/vendor/" + g.vendor + "/model/" + g.model + "/ram/" + g.ram, "true");
    attr("capabilities/gpu/vendor/" + g.vendor + "/model/" + g.model + "/ram/" + g.ram +
             "/interface/" + g.interface,
         "true");
  }
  w.EndArray();
  WriteKey(w, "info");
  w.StartObject();
  WriteKey(w, "email");
  WriteStr(w, p.email);
  WriteKey(w, "website");
  WriteStr(w, p.website);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleTakeParams(const Ctx&) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "params");
  w.StartObject();
  WriteKey(w, "denom_take_rates");
  w.StartArray();
  w.StartObject();
  WriteKey(w, "denom");
  WriteStr(w, "uakt");
  WriteKey(w, "rate");
  w.Int(2);
  w.EndObject();
  w.EndArray();
  WriteKey(w, "default_take_rate");
  w.Int(20);
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleDiscovery(const Ctx& c) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "info");
  w.StartObject();
  WriteKey(w, "chain_id");
  WriteStr(w, "akashnet-2");
  WriteKey(w, "node_version");
  WriteStr(w, c.opts.NodeVersion());
  WriteKey(w, "min_client_version");
  WriteStr(w, "v1.0.0");
  WriteKey(w, "apis");
  w.StartObject();
  WriteKey(w, "market");
  WriteStr(w, "v1beta5");
  WriteKey(w, "escrow");
  WriteStr(w, "v1");
  WriteKey(w, "deployment");
  WriteStr(w, "v1beta4");
  WriteKey(w, "provider");
  WriteStr(w, "v1beta4");
  if (c.opts.NodeMajor() < 2) {
    WriteKey(w, "take");
    WriteStr(w, "v1");
  } else {
    WriteKey(w, "bme");
    WriteStr(w, "v1");
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

}  // namespace akash::sim
