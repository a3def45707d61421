// Truth endpoints (/_sim/...): what the exporter should report, computed by deliberately plain
// loops that share no code with the route handlers' accrual walk: day-major iteration over the
// world's full lease list, filtered by owner or provider here rather than through the indexes.

#include <algorithm>
#include <map>

#include "sim/bech32.h"
#include "sim/handlers.h"

namespace akash::sim {
namespace {

struct Totals {
  Int128 uakt = 0, uusdc = 0, uact = 0, usd_nano = 0;
};

// Σ over days, then over leases, of price × blocks of the lease inside [day start, day end)
// clipped to [lo_h, hi_h).
Totals DayMajorSum(const World& w, const std::vector<const Lease*>& leases, std::int64_t lo_h,
                   std::int64_t hi_h) {
  Totals t;
  if (hi_h <= lo_h) return t;
  for (core::Date d = w.DayOfHeight(lo_h); w.DayStartHeight(d) < hi_h; d = d.AddDays(1)) {
    std::int64_t day_lo = std::max(w.DayStartHeight(d), lo_h);
    std::int64_t day_hi = std::min(w.DayStartHeight(d.AddDays(1)), hi_h);
    const Int128 price = w.AktPriceMicro(d);
    for (const Lease* l : leases) {
      std::int64_t from = std::max(l->created, day_lo);
      std::int64_t to = std::min(l->end, day_hi);
      if (to <= from) continue;
      Int128 amount = static_cast<Int128>(l->price_milli) * (to - from);
      if (l->denom == Denom::kUakt) {
        t.uakt += amount;
        t.usd_nano += amount * price;
      } else {
        (l->denom == Denom::kUact ? t.uact : t.uusdc) += amount;
        t.usd_nano += amount * 1'000'000;
      }
    }
  }
  return t;
}

std::vector<const Lease*> LeasesOfProvider(const World& w, int p) {
  std::vector<const Lease*> out;
  for (const Lease& l : w.leases()) {
    if (static_cast<int>(l.provider) == p) out.push_back(&l);
  }
  return out;
}

std::string Dec(Int128 milli) { return MilliToDecimal(milli).ToString(); }
std::string Usd(Int128 nano) { return NanoToDecimal(nano).ToString(); }
std::string Cents(std::int64_t cents) {
  return core::Decimal::Raw(static_cast<Int128>(cents) * 10'000'000'000'000'000LL).ToString();
}

Response BadTruth(const std::string& msg) {
  return JsonResponse(400, "{\"error\":\"" + msg + "\"}");
}

}  // namespace

Response HandleTruthWorld(const Ctx& c, double time_scale) {
  const World& w = c.world;
  rapidjson::StringBuffer b;
  JsonWriter j(b);
  j.StartObject();
  WriteKey(j, "seed");
  j.Uint64(w.config().seed);
  WriteKey(j, "now");
  WriteStr(j, FormatIsoMillis(c.now_ms));
  WriteKey(j, "now_unix_ms");
  j.Int64(c.now_ms);
  WriteKey(j, "start_time");
  WriteStr(j, FormatIsoMillis(w.config().start_ms));
  WriteKey(j, "time_scale");
  j.Double(time_scale);
  WriteKey(j, "height");
  j.Int64(c.chain_h);
  WriteKey(j, "indexed_height");
  j.Int64(c.indexed_h);
  WriteKey(j, "indexed_time");
  WriteStr(j, FormatIsoMillis(w.TimeOfHeight(c.indexed_h)));
  WriteKey(j, "indexer_lag_seconds");
  j.Double(static_cast<double>(c.opts.indexer_lag_ms) / 1000.0);
  WriteKey(j, "block_time_seconds");
  j.Double(static_cast<double>(w.block_ms()) / 1000.0);
  WriteKey(j, "block_time_ms");
  j.Int64(w.block_ms());
  WriteKey(j, "genesis_height");
  j.Int64(w.genesis_height());
  WriteKey(j, "genesis_time");
  WriteStr(j, FormatRfc3339(w.genesis_ms()));
  WriteKey(j, "bme_height");
  j.Int64(w.bme_height());
  WriteKey(j, "node_version");
  WriteStr(j, c.opts.NodeVersion());
  WriteKey(j, "legacy_chain");
  j.Bool(c.opts.legacy_chain);
  WriteKey(j, "lease_count");
  j.Uint64(w.leases().size());
  WriteKey(j, "bid_count");
  j.Uint64(w.bids().size());
  WriteKey(j, "deployment_count");
  j.Uint64(w.deployments().size());
  WriteKey(j, "orphan_earnings_api_key");
  WriteStr(j, w.orphan_earnings_key());
  WriteKey(j, "orphan_address");
  WriteStr(j, w.orphan_address());
  WriteKey(j, "providers");
  j.StartArray();
  for (const Provider& p : w.providers()) {
    j.StartObject();
    WriteKey(j, "address");
    WriteStr(j, p.address);
    WriteKey(j, "name");
    WriteStr(j, p.name);
    WriteKey(j, "earnings_api_key");
    WriteStr(j, p.earnings_api_key);
    WriteKey(j, "host_uri");
    WriteStr(j, p.host_uri);
    WriteKey(j, "created_height");
    j.Int64(p.created_height);
    WriteKey(j, "lease_count");
    j.Uint64(p.leases.size());
    j.EndObject();
  }
  j.EndArray();
  WriteKey(j, "tenants");
  j.StartArray();
  for (const Tenant& t : w.tenants()) {
    j.StartObject();
    WriteKey(j, "address");
    WriteStr(j, t.address);
    WriteKey(j, "console_api_key");
    WriteStr(j, t.console_api_key);
    WriteKey(j, "user_id");
    WriteStr(j, t.user_id);
    WriteKey(j, "wallet_id");
    j.Int64(t.wallet_id);
    WriteKey(j, "stripe_shape");
    WriteStr(j, t.cursor_stripe ? "cursor" : "offset");
    WriteKey(j, "lease_count");
    j.Uint64(t.leases.size());
    WriteKey(j, "deployment_count");
    j.Uint64(t.deployments.size());
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleTruthProviderStatus(const Ctx& c) {
  const World& w = c.world;
  int p = w.ProviderIndex(c.segments.at(0));
  if (p < 0) return JsonResponse(404, "{\"error\":\"not a provider of this world\"}");
  const Provider& prov = w.providers()[static_cast<std::size_t>(p)];
  // Resources of every lease open at the indexed block, from the world's full lease list.
  const std::int64_t h = c.indexed_h;
  std::int64_t active[5] = {0, 0, 0, 0, 0};  // cpu, gpu, memory, ephemeral, persistent
  for (const Lease& l : w.leases()) {
    if (static_cast<int>(l.provider) != p || l.created > h || l.end <= h) continue;
    active[0] += l.cpu;
    active[1] += l.gpus;
    active[2] += l.memory;
    active[3] += l.ephemeral;
    active[4] += l.persistent;
  }
  const std::int64_t pending[5] = {prov.pending_cpu, prov.pending_gpu, prov.pending_memory,
                                   prov.pending_ephemeral, prov.pending_persistent};
  const std::int64_t capacity[5] = {prov.capacity_cpu, prov.capacity_gpu, prov.capacity_memory,
                                    prov.capacity_ephemeral, prov.capacity_persistent};
  const char* const kinds[5] = {"cpu_milli", "gpu", "memory_bytes", "ephemeral_bytes",
                                "persistent_bytes"};
  rapidjson::StringBuffer b;
  JsonWriter j(b);
  j.StartObject();
  WriteKey(j, "address");
  WriteStr(j, prov.address);
  WriteKey(j, "height");
  j.Int64(h);
  // The name label the exporter shows: the host of hostUri, online or not.
  const std::size_t host_from = prov.host_uri.find("//") + 2;
  WriteKey(j, "name");
  WriteStr(j, prov.host_uri.substr(host_from, prov.host_uri.rfind(':') - host_from));
  WriteKey(j, "host_uri");
  WriteStr(j, prov.host_uri);
  WriteKey(j, "akash_version");
  WriteStr(j, prov.akash_version);
  WriteKey(j, "online");
  j.Bool(prov.online);
  WriteKey(j, "uptime");
  j.StartObject();
  const std::pair<const char*, std::int64_t> windows[] = {{"1d", 1}, {"7d", 7}, {"30d", 30}};
  const std::int64_t failed[3] = {prov.failed_checks_1d, prov.failed_checks_7d,
                                  prov.failed_checks_30d};
  for (int i = 0; i < 3; ++i) {
    const std::int64_t checks = windows[i].second * 144;  // one check every 10 minutes
    WriteKey(j, windows[i].first);
    if (failed[i] >= checks) {
      j.Null();  // the Console turns a ratio of 0 into null
    } else {
      j.Double(static_cast<double>(checks - failed[i]) / static_cast<double>(checks));
    }
  }
  j.EndObject();
  WriteKey(j, "capacity");
  j.StartObject();
  for (int i = 0; i < 5; ++i) {
    WriteKey(j, kinds[i]);
    j.StartObject();
    WriteKey(j, "active");
    j.Int64(active[i]);
    WriteKey(j, "pending");
    j.Int64(pending[i]);
    WriteKey(j, "available");
    j.Int64(std::max<std::int64_t>(0, capacity[i] - active[i] - pending[i]));
    j.EndObject();
  }
  j.EndObject();
  WriteKey(j, "gpu_models");
  j.StartArray();
  for (int m : prov.gpu_models) {
    const GpuModel& g = w.gpu_models()[static_cast<std::size_t>(m)];
    j.StartObject();
    WriteKey(j, "vendor");
    WriteStr(j, g.vendor);
    WriteKey(j, "model");
    WriteStr(j, g.model);
    WriteKey(j, "ram");
    WriteStr(j, g.ram);
    WriteKey(j, "interface");
    WriteStr(j, g.interface);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleTruthProvider(const Ctx& c) {
  const World& w = c.world;
  int p = w.ProviderIndex(c.segments.at(0));
  if (p < 0) return JsonResponse(404, "{\"error\":\"not a provider of this world\"}");
  const Provider& prov = w.providers()[static_cast<std::size_t>(p)];
  std::vector<const Lease*> leases = LeasesOfProvider(w, p);
  const std::int64_t h = c.indexed_h;
  const std::int64_t day_ago = w.FirstHeightAtOrAfter(w.TimeOfHeight(h) - kDayMs);
  Totals total = DayMajorSum(w, leases, prov.created_height, h);
  Totals before = DayMajorSum(w, leases, prov.created_height, day_ago);
  std::int64_t active = 0, total_count = 0, daily_count = 0, cpu = 0, gpu = 0, mem = 0, eph = 0,
               pers = 0;
  for (const Lease* l : leases) {
    if (l->created > h) continue;
    ++total_count;
    if (l->created > day_ago) ++daily_count;
    if (l->end > h) {
      ++active;
      cpu += l->cpu;
      gpu += l->gpus;
      mem += l->memory;
      eph += l->ephemeral;
      pers += l->persistent;
    }
  }
  // Chain view at the latest block.
  const std::int64_t ch = c.chain_h;
  std::map<std::string, std::int64_t> states = {
      {"active", 0}, {"insufficient_funds", 0}, {"closed", 0}, {"reclaiming", 0}};
  Int128 rate_akt = 0, rate_act = 0, unw_akt = 0, unw_act = 0, uns_akt = 0, uns_act = 0, wd_akt = 0,
         wd_act = 0;
  std::int64_t overdrawn = 0;
  std::map<std::string, std::int64_t> gpus_by_model;
  std::map<std::string, Int128> gpu_blocks_by_model;
  for (const Lease* l : leases) {
    if (l->created > ch) continue;
    ++states[std::string(LeaseStateName(l->state))];
    bool akt = l->denom == Denom::kUakt;
    PaymentView pv = PaymentAt(*l, ch);
    if (pv.state != PaymentState::kClosed) (akt ? unw_akt : unw_act) += pv.balance_milli;
    (akt ? uns_akt : uns_act) += pv.unsettled_milli;
    (akt ? wd_akt : wd_act) += pv.withdrawn_micro * 1000;
    if (pv.state == PaymentState::kOverdrawn) ++overdrawn;
    std::string model;
    if (l->gpus > 0) {
      const GpuModel& g = w.gpu_models()[static_cast<std::size_t>(l->gpu_model)];
      model = g.vendor + "/" + g.model;
      gpu_blocks_by_model[model] +=
          static_cast<Int128>(l->gpus) * (std::min(l->end, ch) - l->created);
    }
    if (l->state == LeaseState::kActive) {
      (akt ? rate_akt : rate_act) += l->price_milli;
      if (!model.empty()) gpus_by_model[model] += l->gpus;
    }
  }
  rapidjson::StringBuffer b;
  JsonWriter j(b);
  j.StartObject();
  WriteKey(j, "address");
  WriteStr(j, prov.address);
  WriteKey(j, "height");
  j.Int64(h);
  WriteKey(j, "time");
  WriteStr(j, FormatIsoMillis(w.TimeOfHeight(h)));
  WriteKey(j, "total_uakt");
  WriteStr(j, Dec(total.uakt));
  WriteKey(j, "total_uusdc");
  WriteStr(j, Dec(total.uusdc));
  WriteKey(j, "total_uact");
  WriteStr(j, Dec(total.uact));
  WriteKey(j, "total_uact_plus_uusdc");
  WriteStr(j, Dec(total.uact + total.uusdc));
  WriteKey(j, "total_uusd");
  WriteStr(j, Usd(total.usd_nano));
  WriteKey(j, "daily_uakt");
  WriteStr(j, Dec(total.uakt - before.uakt));
  WriteKey(j, "daily_uact_plus_uusdc");
  WriteStr(j, Dec(total.uact + total.uusdc - before.uact - before.uusdc));
  WriteKey(j, "daily_uusd");
  WriteStr(j, Usd(total.usd_nano - before.usd_nano));
  WriteKey(j, "active_lease_count");
  j.Int64(active);
  WriteKey(j, "total_lease_count");
  j.Int64(total_count);
  WriteKey(j, "daily_lease_count");
  j.Int64(daily_count);
  WriteKey(j, "active_cpu");
  j.Int64(cpu);
  WriteKey(j, "active_gpu");
  j.Int64(gpu);
  WriteKey(j, "active_memory");
  j.Int64(mem);
  WriteKey(j, "active_ephemeral_storage");
  j.Int64(eph);
  WriteKey(j, "active_persistent_storage");
  j.Int64(pers);
  WriteKey(j, "chain");
  j.StartObject();
  WriteKey(j, "height");
  j.Int64(ch);
  WriteKey(j, "leases");
  j.StartObject();
  for (const auto& [k, v] : states) {
    WriteKey(j, k);
    j.Int64(v);
  }
  j.EndObject();
  WriteKey(j, "rate_uakt_per_block");
  WriteStr(j, Dec(rate_akt));
  WriteKey(j, "rate_uact_per_block");
  WriteStr(j, Dec(rate_act));
  WriteKey(j, "unwithdrawn_uakt");
  WriteStr(j, Dec(unw_akt));
  WriteKey(j, "unwithdrawn_uact");
  WriteStr(j, Dec(unw_act));
  WriteKey(j, "unsettled_uakt");
  WriteStr(j, Dec(uns_akt));
  WriteKey(j, "unsettled_uact");
  WriteStr(j, Dec(uns_act));
  WriteKey(j, "withdrawn_uakt");
  WriteStr(j, Dec(wd_akt));
  WriteKey(j, "withdrawn_uact");
  WriteStr(j, Dec(wd_act));
  WriteKey(j, "overdrawn_leases");
  j.Int64(overdrawn);
  WriteKey(j, "active_gpus_by_model");
  j.StartObject();
  for (const auto& [k, v] : gpus_by_model) {
    WriteKey(j, k);
    j.Int64(v);
  }
  j.EndObject();
  WriteKey(j, "gpu_blocks_by_model");
  j.StartObject();
  for (const auto& [k, v] : gpu_blocks_by_model) {
    WriteKey(j, k);
    WriteStr(j, Int128ToString(v));
  }
  j.EndObject();
  j.EndObject();
  j.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleTruthEarnings(const Ctx& c) {
  const World& w = c.world;
  int p = w.ProviderIndex(c.segments.at(0));
  if (p < 0) return JsonResponse(404, "{\"error\":\"not a provider of this world\"}");
  auto from_s = c.query.Get("from"), to_s = c.query.Get("to");
  if (!from_s || !to_s) return BadTruth("from and to (YYYY-MM-DD) are required");
  auto from = core::Date::Parse(*from_s), to = core::Date::Parse(*to_s);
  if (!from || !to) return BadTruth("from and to must be YYYY-MM-DD");
  if (*from > *to) return BadTruth("from must not be after to");
  std::vector<const Lease*> leases = LeasesOfProvider(w, p);
  // One day at a time, so the window is exactly the union of its days.
  Totals t;
  for (core::Date d = *from; d < *to; d = d.AddDays(1)) {
    Totals day = DayMajorSum(w, leases, w.DayStartHeight(d), w.DayStartHeight(d.AddDays(1)));
    t.uakt += day.uakt;
    t.uusdc += day.uusdc;
    t.uact += day.uact;
    t.usd_nano += day.usd_nano;
  }
  const std::int64_t to_h = w.DayStartHeight(*to);
  rapidjson::StringBuffer b;
  JsonWriter j(b);
  j.StartObject();
  WriteKey(j, "address");
  WriteStr(j, c.segments.at(0));
  WriteKey(j, "from");
  WriteStr(j, from->ToString());
  WriteKey(j, "to");
  WriteStr(j, to->ToString());
  WriteKey(j, "from_height");
  j.Int64(w.DayStartHeight(*from));
  WriteKey(j, "to_height");
  j.Int64(to_h);
  WriteKey(j, "indexed");
  j.Bool(to_h <= c.indexed_h);
  WriteKey(j, "uakt");
  WriteStr(j, Dec(t.uakt));
  WriteKey(j, "uusdc");
  WriteStr(j, Dec(t.uusdc));
  WriteKey(j, "uact");
  WriteStr(j, Dec(t.uact));
  WriteKey(j, "uact_plus_uusdc");
  WriteStr(j, Dec(t.uact + t.uusdc));
  WriteKey(j, "uusd");
  WriteStr(j, Usd(t.usd_nano));
  j.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleTruthTenant(const Ctx& c) {
  const World& w = c.world;
  int ti = w.TenantIndex(c.segments.at(0));
  if (ti < 0) return JsonResponse(404, "{\"error\":\"not a tenant of this world\"}");
  const Tenant& t = w.tenants()[static_cast<std::size_t>(ti)];
  std::vector<const Lease*> leases;
  for (const Lease& l : w.leases()) {
    if (static_cast<int>(l.tenant) == ti) leases.push_back(&l);
  }
  const std::int64_t h = c.indexed_h;
  const core::Date today = core::Date::FromDays(c.now_ms / kDayMs);
  core::Date first = today;
  for (const Lease* l : leases) first = std::min(first, w.DayOfHeight(l->created));
  // Lifetime spend as the usage route rounds it: Σ of each day's 2-dp values.
  std::int64_t akt = 0, act = 0, usd = 0, active_today = 0;
  for (core::Date d = first; d <= today; d = d.AddDays(1)) {
    std::int64_t lo = w.DayStartHeight(d), hi = std::min(w.DayStartHeight(d.AddDays(1)), h);
    if (hi <= lo) continue;
    Totals day = DayMajorSum(w, leases, lo, hi);
    akt += RoundToCents(day.uakt);
    act += RoundToCents(day.uact + day.uusdc);
    Int128 q = day.usd_nano / 10'000'000'000'000LL, r = day.usd_nano % 10'000'000'000'000LL;
    usd += static_cast<std::int64_t>(q + (2 * r >= 10'000'000'000'000LL ? 1 : 0));
    if (d == today) {
      for (const Lease* l : leases) {
        if (std::min(l->end, hi) > std::max(l->created, lo)) ++active_today;
      }
    }
  }
  std::int64_t escrow = 0;
  for (const Deployment& d : w.deployments()) {
    if (static_cast<int>(d.tenant) == ti) escrow += d.escrow_funds_micro;
  }
  // Credit figures as the tenant's transactions route shows them.
  std::map<std::string, std::int64_t> purchased;
  std::map<std::string, std::int64_t> counts;
  std::int64_t refunded = 0, bonus = 0, last_purchase = 0;
  for (const StripeTxn& x : t.txns) {
    std::string status = x.status;
    std::int64_t amount_refunded = x.refunded_cents;
    if (t.cursor_stripe) {
      if (x.type != "payment_intent") continue;
      status = x.status == "refunded"                             ? "succeeded"
               : (x.status == "canceled" || x.status == "failed") ? "failed"
               : x.status == "succeeded"                          ? "succeeded"
                                                                  : "pending";
      amount_refunded = 0;
    }
    ++counts[x.type + "/" + status];
    if (status == "succeeded" || status == "refunded") purchased[x.type] += x.amount_cents;
    if (status == "succeeded") bonus += x.bonus_cents;
    refunded += amount_refunded;
    if (x.type == "payment_intent" && status == "succeeded")
      last_purchase = std::max(last_purchase, x.created);
  }
  // Per (provider, GPU model of the deployment group) at the latest block: what the exporter's
  // tenant lease rate and lease spend series should add up to.
  struct Group {
    std::int64_t active = 0;
    Int128 rate_uakt = 0, rate_act = 0, spent_uakt = 0, spent_act = 0;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  for (const Lease* l : leases) {
    if (l->created > c.chain_h) continue;
    std::string model = "none";
    if (l->gpus > 0) {
      model = w.deployments()[l->deployment].gpu_wildcard
                  ? "any"
                  : w.gpu_models()[static_cast<std::size_t>(l->gpu_model)].model;
    }
    Group& g = groups[{w.providers()[l->provider].address, model}];
    bool akt = l->denom == Denom::kUakt;
    // Closed leases: their whole life. Open ones: up to the indexed head, the newest block the
    // Console's /v1/blocks names (the Console has no chain-head route).
    std::int64_t stop = l->IsOpen() ? h : std::min(l->end, c.chain_h);
    Int128 spent =
        static_cast<Int128>(l->price_milli) * std::max<std::int64_t>(0, stop - l->created);
    (akt ? g.spent_uakt : g.spent_act) += spent;
    if (l->state == LeaseState::kActive) {
      ++g.active;
      (akt ? g.rate_uakt : g.rate_act) += l->price_milli;
    }
  }
  rapidjson::StringBuffer b;
  JsonWriter j(b);
  j.StartObject();
  WriteKey(j, "address");
  WriteStr(j, t.address);
  WriteKey(j, "chain_height");
  j.Int64(c.chain_h);
  WriteKey(j, "spent_height");
  j.Int64(h);
  WriteKey(j, "leases_by_provider_model");
  j.StartArray();
  for (const auto& [key, g] : groups) {
    j.StartObject();
    WriteKey(j, "provider");
    WriteStr(j, key.first);
    WriteKey(j, "gpu_model");
    WriteStr(j, key.second);
    WriteKey(j, "active_leases");
    j.Int64(g.active);
    WriteKey(j, "rate_uakt_per_block");
    WriteStr(j, Dec(g.rate_uakt));
    WriteKey(j, "rate_uact_per_block");
    WriteStr(j, Dec(g.rate_act));
    WriteKey(j, "spent_uakt");
    WriteStr(j, Dec(g.spent_uakt));
    WriteKey(j, "spent_uact");
    WriteStr(j, Dec(g.spent_act));
    j.EndObject();
  }
  j.EndArray();
  WriteKey(j, "indexed_height");
  j.Int64(h);
  WriteKey(j, "today");
  WriteStr(j, today.ToString());
  WriteKey(j, "first_spend_day");
  WriteStr(j, first.ToString());
  WriteKey(j, "active_leases_today");
  j.Int64(active_today);
  WriteKey(j, "lifetime_akt");
  WriteStr(j, Cents(akt));
  WriteKey(j, "lifetime_act");
  WriteStr(j, Cents(act));
  WriteKey(j, "lifetime_usd");
  WriteStr(j, Cents(usd));
  WriteKey(j, "balance_uact");
  j.Int64(t.grant_balance);
  WriteKey(j, "escrow_uact");
  j.Int64(escrow);
  WriteKey(j, "stripe_shape");
  WriteStr(j, t.cursor_stripe ? "cursor" : "offset");
  WriteKey(j, "credit");
  j.StartObject();
  WriteKey(j, "purchased_cents_by_type");
  j.StartObject();
  for (const auto& [k, v] : purchased) {
    WriteKey(j, k);
    j.Int64(v);
  }
  j.EndObject();
  WriteKey(j, "refunded_cents");
  j.Int64(refunded);
  WriteKey(j, "bonus_cents");
  j.Int64(bonus);
  WriteKey(j, "last_purchase_unix");
  j.Int64(last_purchase);
  WriteKey(j, "transactions_by_type_status");
  j.StartObject();
  for (const auto& [k, v] : counts) {
    WriteKey(j, k);
    j.Int64(v);
  }
  j.EndObject();
  j.EndObject();
  j.EndObject();
  return JsonResponse(200, b.GetString());
}

}  // namespace akash::sim
