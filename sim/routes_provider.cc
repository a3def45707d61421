// Provider-side routes: the Provider Console Earnings API and the Console's provider routes.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/handlers.h"

namespace akash::sim {
namespace {

double ToD(Int128 milli) { return MilliToDecimal(milli).ToDouble(); }
double UsdD(Int128 nano) { return NanoToDecimal(nano).ToDouble(); }

struct Snapshot {
  std::int64_t height = 0;
  Accrual total;
  Accrual daily;
  std::int64_t active = 0, total_leases = 0, daily_leases = 0;
  std::int64_t cpu = 0, gpu = 0, memory = 0, ephemeral = 0, persistent = 0;
};

Snapshot TakeSnapshot(const World& w, int p, std::int64_t h) {
  Snapshot s;
  s.height = h;
  const Provider& prov = w.providers()[static_cast<std::size_t>(p)];
  std::int64_t day_ago = w.FirstHeightAtOrAfter(w.TimeOfHeight(h) - kDayMs);
  s.total = w.ProviderAccrual(p, prov.created_height, h);
  s.daily = s.total - w.ProviderAccrual(p, prov.created_height, day_ago);
  for (std::uint32_t li : prov.leases) {
    const Lease& l = w.leases()[li];
    if (l.created > h) continue;
    ++s.total_leases;
    if (l.created > day_ago) ++s.daily_leases;
    if (h < l.end) {
      ++s.active;
      s.cpu += l.cpu;
      s.gpu += l.gpus;
      s.memory += l.memory;
      s.ephemeral += l.ephemeral;
      s.persistent += l.persistent;
    }
  }
  return s;
}

void WriteSnapshot(JsonWriter& w, const World& world, const Snapshot& s, bool act_fields) {
  w.StartObject();
  WriteKey(w, "date");
  WriteStr(w, FormatIsoMillis(world.TimeOfHeight(s.height)));
  WriteKey(w, "height");
  w.Int64(s.height);
  WriteKey(w, "activeLeaseCount");
  w.Int64(s.active);
  WriteKey(w, "totalLeaseCount");
  w.Int64(s.total_leases);
  WriteKey(w, "dailyLeaseCount");
  w.Int64(s.daily_leases);
  WriteKey(w, "totalUAktEarned");
  WriteJs(w, ToD(s.total.uakt));
  WriteKey(w, "dailyUAktEarned");
  WriteJs(w, ToD(s.daily.uakt));
  WriteKey(w, "totalUUsdcEarned");
  WriteJs(w, ToD(s.total.uusdc + s.total.uact));
  WriteKey(w, "dailyUUsdcEarned");
  WriteJs(w, ToD(s.daily.uusdc + s.daily.uact));
  if (act_fields) {
    WriteKey(w, "totalUActEarned");
    WriteJs(w, ToD(s.total.uusdc + s.total.uact));
    WriteKey(w, "dailyUActEarned");
    WriteJs(w, ToD(s.daily.uusdc + s.daily.uact));
  }
  WriteKey(w, "totalUUsdEarned");
  WriteJs(w, UsdD(s.total.usd_nano));
  WriteKey(w, "dailyUUsdEarned");
  WriteJs(w, UsdD(s.daily.usd_nano));
  WriteKey(w, "activeCPU");
  w.Int64(s.cpu);
  WriteKey(w, "activeGPU");
  w.Int64(s.gpu);
  // Postgres sums of BIGINT columns reach JSON as strings, and the Console builds
  // activeStorage with `+` on those two strings: a concatenation, not a sum.
  const std::string ephemeral = std::to_string(s.ephemeral);
  const std::string persistent = std::to_string(s.persistent);
  WriteKey(w, "activeMemory");
  WriteStr(w, std::to_string(s.memory));
  WriteKey(w, "activeEphemeralStorage");
  WriteStr(w, ephemeral);
  WriteKey(w, "activePersistentStorage");
  WriteStr(w, persistent);
  WriteKey(w, "activeStorage");
  WriteStr(w, ephemeral + persistent);
  w.EndObject();
}

}  // namespace

Response HandleProviderConsoleEarnings(const Ctx& c) {
  // FastAPI resolves the API-key dependency before validating the query.
  auto key = c.req.Header("x-api-key");
  if (!key || key->empty()) {
    return FastApiError(401, "API Key Required", "X-API-Key header is required", "");
  }
  int p = c.world.ProviderByEarningsKey(*key);
  bool orphan = p < 0 && *key == c.world.orphan_earnings_key();
  if (p < 0 && !orphan) {
    return FastApiError(401, "Invalid API Key",
                        "The provided API key is invalid, expired, or inactive", "");
  }
  // 422: pydantic's list of problems, one per bad parameter.
  struct Param {
    const char* name;
    std::optional<std::string> value;
    std::optional<core::Date> date;
  };
  Param params[2] = {{"from_date", c.query.Get("from_date"), std::nullopt},
                     {"to_date", c.query.Get("to_date"), std::nullopt}};
  rapidjson::StringBuffer eb;
  JsonWriter ew(eb);
  ew.StartObject();
  WriteKey(ew, "detail");
  ew.StartArray();
  bool invalid = false;
  for (Param& prm : params) {
    if (prm.value) prm.date = core::Date::Parse(*prm.value);
    if (prm.date) continue;
    invalid = true;
    ew.StartObject();
    if (!prm.value) {
      WriteKey(ew, "type");
      WriteStr(ew, "missing");
      WriteKey(ew, "loc");
      ew.StartArray();
      WriteStr(ew, "query");
      WriteStr(ew, prm.name);
      ew.EndArray();
      WriteKey(ew, "msg");
      WriteStr(ew, "Field required");
      WriteKey(ew, "input");
      ew.Null();
    } else {
      WriteKey(ew, "type");
      WriteStr(ew, "date_from_datetime_parsing");
      WriteKey(ew, "loc");
      ew.StartArray();
      WriteStr(ew, "query");
      WriteStr(ew, prm.name);
      ew.EndArray();
      WriteKey(ew, "msg");
      WriteStr(ew, prm.value->size() < 10
                       ? "Input should be a valid date or datetime, input is too short"
                       : "Input should be a valid date or datetime, invalid character in year");
      WriteKey(ew, "input");
      WriteStr(ew, *prm.value);
      WriteKey(ew, "ctx");
      ew.StartObject();
      WriteKey(ew, "error");
      WriteStr(ew, prm.value->size() < 10 ? "input is too short" : "invalid character in year");
      ew.EndObject();
    }
    ew.EndObject();
  }
  ew.EndArray();
  ew.EndObject();
  if (invalid) return JsonResponse(422, eb.GetString());

  core::Date from = *params[0].date, to = *params[1].date;
  if (from > to) {
    return FastApiError(400, "Invalid Date Range", "From date must be before or equal to to date",
                        "EARNINGS_002");
  }
  if (to.days() - from.days() > 365) {
    return FastApiError(400, "Date Range Too Large", "Date range cannot exceed 365 days",
                        "EARNINGS_003");
  }
  const std::string& wallet =
      orphan ? c.world.orphan_address() : c.world.providers()[static_cast<std::size_t>(p)].address;
  std::int64_t from_h = c.world.DayStartHeight(from);
  std::int64_t to_h = c.world.DayStartHeight(to);
  if (orphan || from_h > c.indexed_h || to_h > c.indexed_h) {
    return FastApiError(
        404, "Provider Earnings Not Found",
        "No earnings data found for wallet " + wallet + " in the specified date range",
        "EARNINGS_004");
  }
  Accrual a = c.world.ProviderAccrual(p, from_h, to_h);
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "earnings");
  w.StartObject();
  // Python floats: 0.0, 1e-05, 1.5e+16 (pydantic drops the upstream's totalUActEarned).
  WriteKey(w, "totalUAktEarned");
  WriteRaw(w, PyFloat(ToD(a.uakt)));
  WriteKey(w, "totalUUsdcEarned");
  WriteRaw(w, PyFloat(ToD(a.uusdc + a.uact)));
  WriteKey(w, "totalUUsdEarned");
  WriteRaw(w, PyFloat(UsdD(a.usd_nano)));
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleProviderEarnings(const Ctx& c) {
  const std::string& owner = c.segments.at(0);
  std::vector<ZodIssue> issues;
  std::optional<core::Date> dates[2];
  const char* names[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto v = c.query.Get(names[i]);
    if (!v) {
      issues.push_back({"invalid_type", "Required", {names[i]}});
    } else if (!(dates[i] = core::Date::Parse(*v))) {
      issues.push_back({"invalid_string",
                        "Invalid date, must be in the following format: YYYY-MM-DD",
                        {names[i]}});
    }
  }
  if (!issues.empty()) return ConsoleValidation(issues);
  int p = c.world.ProviderIndex(owner);
  if (p < 0) return ConsoleNotFound("Provider not found");
  std::int64_t from_h = c.world.DayStartHeight(*dates[0]);
  std::int64_t to_h = c.world.DayStartHeight(*dates[1]);
  if (from_h > c.indexed_h) return ConsoleNotFound("From block not found");
  if (to_h > c.indexed_h) return ConsoleNotFound("To block not found");
  Accrual a = c.world.ProviderAccrual(p, from_h, to_h);  // empty when from >= to
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "earnings");
  w.StartObject();
  WriteKey(w, "totalUAktEarned");
  WriteJs(w, ToD(a.uakt));
  WriteKey(w, "totalUUsdcEarned");
  WriteJs(w, ToD(a.uusdc + a.uact));
  if (!c.opts.console_without_act) {
    WriteKey(w, "totalUActEarned");
    WriteJs(w, ToD(a.uusdc + a.uact));
  }
  WriteKey(w, "totalUUsdEarned");
  WriteJs(w, UsdD(a.usd_nano));
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleProviderDashboard(const Ctx& c) {
  int p = c.world.ProviderIndex(c.segments.at(0));
  if (p < 0) return ConsoleNotFound("Provider not found");
  std::int64_t h = c.indexed_h;
  std::int64_t prev_h = c.world.FirstHeightAtOrAfter(c.world.TimeOfHeight(h) - kDayMs);
  Snapshot cur = TakeSnapshot(c.world, p, h);
  Snapshot prev = TakeSnapshot(c.world, p, prev_h);
  rapidjson::StringBuffer b;
  b.Reserve(2048);
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "current");
  WriteSnapshot(w, c.world, cur, !c.opts.console_without_act);
  WriteKey(w, "previous");
  WriteSnapshot(w, c.world, prev, !c.opts.console_without_act);
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleProvider(const Ctx& c) {
  int pi = c.world.ProviderIndex(c.segments.at(0));
  if (pi < 0) return TextResponse(404, "Provider not found.");
  const Provider& p = c.world.providers()[static_cast<std::size_t>(pi)];
  // The Console's stats come from the provider's own status check; the simulator takes that
  // check at the indexed block, so `active` equals the dashboard's active* figures.
  const std::int64_t h = c.indexed_h;
  std::int64_t cpu = 0, gpu = 0, mem = 0, eph = 0, pers = 0, lease_count = 0,
               active_deployments = 0;
  std::int64_t last_dseq = -1;
  for (std::uint32_t li : p.leases) {
    const Lease& l = c.world.leases()[li];
    if (l.created > h) continue;
    ++lease_count;
    if (h < l.end) {
      cpu += l.cpu;
      gpu += l.gpus;
      mem += l.memory;
      eph += l.ephemeral;
      pers += l.persistent;
      if (l.dseq != last_dseq) ++active_deployments;
      last_dseq = l.dseq;
    }
  }
  rapidjson::StringBuffer b;
  b.Reserve(4096);
  JsonWriter w(b);
  auto kv = [&](std::string_view k, std::string_view v) {
    WriteKey(w, k);
    WriteStr(w, v);
  };
  // available is free capacity, as the Console computes it (allocatable − allocated, at least 0);
  // pending reservations are not allocated on the nodes yet but are not free either.
  auto stat = [&](std::string_view k, std::int64_t active, std::int64_t pending, std::int64_t cap) {
    WriteKey(w, k);
    w.StartObject();
    WriteKey(w, "active");
    w.Int64(active);
    WriteKey(w, "available");
    w.Int64(std::max<std::int64_t>(0, cap - active - pending));
    WriteKey(w, "pending");
    w.Int64(pending);
    w.EndObject();
  };
  // The Console sends `uptimeNd || null`: a ratio of 0 arrives as null.
  auto uptime = [&](std::string_view k, std::int64_t failed, std::int64_t days) {
    const std::int64_t checks = days * kDayMs / kUptimeCheckMs;
    WriteKey(w, k);
    if (failed >= checks) {
      w.Null();
    } else {
      WriteJs(w, static_cast<double>(checks - failed) / static_cast<double>(checks));
    }
  };
  // The Console's name is the host of hostUri while the provider is online, null otherwise.
  std::string host = p.host_uri.substr(p.host_uri.find("://") + 3);
  host = host.substr(0, host.find_first_of(":/"));
  // Checks run on 10-minute marks; an offline provider failed its last failed_checks_1d checks.
  const std::int64_t last_check_ms = c.now_ms - c.now_ms % kUptimeCheckMs;
  const std::int64_t last_online_ms =
      p.online ? last_check_ms : last_check_ms - p.failed_checks_1d * kUptimeCheckMs;
  w.StartObject();
  kv("owner", p.address);
  WriteKey(w, "name");
  if (p.online) {
    WriteStr(w, host);
  } else {
    w.Null();
  }
  kv("hostUri", p.host_uri);
  WriteKey(w, "createdHeight");
  w.Int64(p.created_height);
  kv("email", p.email);
  kv("website", p.website);
  kv("lastCheckDate", FormatIsoMillis(last_check_ms));
  WriteKey(w, "deploymentCount");
  w.Int64(active_deployments);
  WriteKey(w, "leaseCount");
  w.Int64(lease_count);
  kv("cosmosSdkVersion", "v0.53.3");
  kv("akashVersion", p.akash_version);
  kv("ipRegion", "California");
  kv("ipRegionCode", "CA");
  kv("ipCountry", "United States");
  kv("ipCountryCode", "US");
  WriteKey(w, "ipLat");
  WriteStr(w, "37.3394");
  WriteKey(w, "ipLon");
  WriteStr(w, "-121.895");
  uptime("uptime1d", p.failed_checks_1d, 1);
  uptime("uptime7d", p.failed_checks_7d, 7);
  uptime("uptime30d", p.failed_checks_30d, 30);
  WriteKey(w, "isValidVersion");
  w.Bool(true);
  WriteKey(w, "isOnline");
  w.Bool(p.online);
  kv("lastOnlineDate", FormatIsoMillis(last_online_ms));
  WriteKey(w, "isAudited");
  w.Bool(true);
  WriteKey(w, "stats");
  w.StartObject();
  stat("cpu", cpu, p.pending_cpu, p.capacity_cpu);
  stat("gpu", gpu, p.pending_gpu, p.capacity_gpu);
  stat("memory", mem, p.pending_memory, p.capacity_memory);
  WriteKey(w, "storage");
  w.StartObject();
  stat("ephemeral", eph, p.pending_ephemeral, p.capacity_ephemeral);
  stat("persistent", pers, p.pending_persistent, p.capacity_persistent);
  w.EndObject();
  w.EndObject();
  WriteKey(w, "gpuModels");
  w.StartArray();
  for (int m : p.gpu_models) {
    const GpuModel& g = c.world.gpu_models()[static_cast<std::size_t>(m)];
    w.StartObject();
    kv("vendor", g.vendor);
    kv("model", g.model);
    kv("ram", g.ram);
    kv("interface", g.interface);
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "attributes");
  w.StartArray();
  auto attr = [&](std::string_view k, std::string_view v) {
    w.StartObject();
    kv("key", k);
    kv("value", v);
    WriteKey(w, "auditedBy");
    w.StartArray();
    WriteStr(w, "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63");
    w.EndArray();
    w.EndObject();
  };
  attr("region", p.region);
  attr("host", "akash");
  attr("tier", "community");
  for (int m : p.gpu_models) {
    const GpuModel& g = c.world.gpu_models()[static_cast<std::size_t>(m)];
    attr("capabilities/gpu/vendor/" + g.vendor + "/model/" + g.model, "true");
  }
  w.EndArray();
  kv("host", "akash");
  kv("organization", p.name + " Inc.");
  kv("statusPage", p.website + "/status");
  kv("locationRegion", p.region);
  kv("country", "US");
  kv("city", "San Jose");
  kv("timezone", "utc-8");
  kv("locationType", "datacenter");
  kv("hostingProvider", "sim");
  kv("hardwareCpu", "amd");
  kv("hardwareCpuArch", "x86-64");
  kv("hardwareGpuVendor", "nvidia");
  WriteKey(w, "hardwareGpuModels");
  w.StartArray();
  for (int m : p.gpu_models) WriteStr(w, c.world.gpu_models()[static_cast<std::size_t>(m)].model);
  w.EndArray();
  WriteKey(w, "hardwareDisk");
  w.StartArray();
  WriteStr(w, "nvme");
  w.EndArray();
  WriteKey(w, "featPersistentStorage");
  w.Bool(p.capacity_persistent > 0);
  WriteKey(w, "featPersistentStorageType");
  w.StartArray();
  WriteStr(w, "beta3");
  w.EndArray();
  kv("hardwareMemory", "ddr5");
  kv("networkProvider", "sim-transit");
  WriteKey(w, "networkSpeedDown");
  w.Int(10000);
  WriteKey(w, "networkSpeedUp");
  w.Int(10000);
  kv("tier", "community");
  WriteKey(w, "featEndpointCustomDomain");
  w.Bool(true);
  WriteKey(w, "workloadSupportChia");
  w.Bool(false);
  WriteKey(w, "workloadSupportChiaCapabilities");
  w.StartArray();
  w.EndArray();
  WriteKey(w, "featEndpointIp");
  w.Bool(true);
  WriteKey(w, "uptime");
  w.StartArray();
  // The last day of checks, newest first. Failures are the newest ones (offline provider) or
  // spread over the day (degraded one); either way the array agrees with uptime1d.
  const std::int64_t day_checks = kDayMs / kUptimeCheckMs;
  for (std::int64_t i = 0; i < day_checks; ++i) {
    const bool failed = p.online ? (p.failed_checks_1d > 0 && i % (day_checks / 3) == 7 &&
                                    i / (day_checks / 3) < p.failed_checks_1d)
                                 : i < p.failed_checks_1d;
    w.StartObject();
    char id[40];
    std::snprintf(id, sizeof id, "00000000-%04x-4000-8000-%012llx",
                  static_cast<unsigned>(pi) & 0xffffu,
                  static_cast<unsigned long long>((last_check_ms - i * kUptimeCheckMs) / 1000));
    kv("id", id);
    WriteKey(w, "isOnline");
    w.Bool(!failed);
    kv("checkDate", FormatIsoMillis(last_check_ms - i * kUptimeCheckMs));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  Response r = JsonResponse(200, b.GetString());
  r.headers.emplace_back("Cache-Control", "public, max-age=60, stale-while-revalidate=120");
  return r;
}

Response HandleMarket(const Ctx& c) {
  core::Date today = core::Date::FromDays(c.now_ms / kDayMs);
  double price = static_cast<double>(c.world.AktPriceMicro(today)) / 1e6;
  double prev = static_cast<double>(c.world.AktPriceMicro(today.AddDays(-1))) / 1e6;
  double change =
      static_cast<double>(c.world.AktPriceMicro(today) - c.world.AktPriceMicro(today.AddDays(-1))) /
      1e6;
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "price");
  WriteJs(w, price);
  // The route serves the on-chain oracle's median price: it has no volume, market cap or rank.
  WriteKey(w, "volume");
  w.Int(0);
  WriteKey(w, "marketCap");
  w.Int(0);
  WriteKey(w, "marketCapRank");
  w.Int(0);
  WriteKey(w, "priceChange24h");
  WriteJs(w, change);
  WriteKey(w, "priceChangePercentage24");
  WriteJs(w, std::round(change / prev * 1e7) / 1e5);
  w.EndObject();
  Response r = JsonResponse(200, b.GetString());
  r.headers.emplace_back("Cache-Control", "public, max-age=300, stale-while-revalidate=600");
  return r;
}

}  // namespace akash::sim
