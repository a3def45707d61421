#include "collectors/tenant_usage.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "collectors/json.h"

namespace akash::collectors {
namespace {

constexpr const char* kUsageBlob = "usage";
constexpr int kUsageBlobVersion = 1;

std::string Help(std::string_view what) {
  return std::string(what) + "; refreshed every tenant_usage interval.";
}

bool IsZero(const UsageRow& row) {
  return row.akt.IsZero() && row.act.IsZero() && row.usd.IsZero() && row.active_leases == 0;
}

}  // namespace

core::Result<std::vector<UsageRow>> ParseUsageHistory(std::string_view body,
                                                      std::string_view route) {
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document doc, ParseJson(body, route));
  if (!doc.IsArray()) {
    return core::MakeError(core::ErrorReason::kParse,
                           "GET " + std::string(route) + ": expected a JSON array of days");
  }
  std::vector<UsageRow> rows;
  rows.reserve(doc.Size());
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    // Appended, not "[" + to_string(i) + "]": GCC 12 -O3 reports a false -Wrestrict on that.
    std::string where = "[";
    where += std::to_string(i);
    where += ']';
    AKASH_COLL_ASSIGN_OR_RETURN(JsonObject row, JsonObject::From(doc[i], std::string(route), where));
    UsageRow r;
    AKASH_COLL_ASSIGN_OR_RETURN(std::string date, row.String("date"));
    // "YYYY-MM-DD"; an ISO timestamp would name the same day in its first ten characters.
    const auto day = core::Date::Parse(std::string_view(date).substr(0, 10));
    if (!day) {
      return core::MakeError(
          core::ErrorReason::kParse,
          "GET " + std::string(route) + ": field [" + std::to_string(i) + "].date: not a date");
    }
    r.date = *day;
    AKASH_COLL_ASSIGN_OR_RETURN(r.active_leases, row.Int("activeDeployments"));
    AKASH_COLL_ASSIGN_OR_RETURN(r.akt, row.Decimal("dailyAktSpent"));
    AKASH_COLL_ASSIGN_OR_RETURN(auto act, row.OptionalDecimal("dailyActSpent"));
    if (act) {
      r.act = *act;
    } else {
      AKASH_COLL_ASSIGN_OR_RETURN(r.act, row.Decimal("dailyUsdcSpent"));
    }
    AKASH_COLL_ASSIGN_OR_RETURN(r.usd, row.Decimal("dailyUsdSpent"));
    rows.push_back(r);
  }
  return rows;
}

std::string EncodeUsageSums(const std::string& account, const UsageSums& sums) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("v");
  w.Int(kUsageBlobVersion);
  w.Key("account");
  w.String(account.c_str());
  w.Key("through");
  w.String(sums.through.ToString().c_str());
  // Decimal strings keep the sums exact.
  w.Key("akt");
  w.String(sums.akt.ToString().c_str());
  w.Key("act");
  w.String(sums.act.ToString().c_str());
  w.Key("usd");
  w.String(sums.usd.ToString().c_str());
  w.EndObject();
  return b.GetString();
}

std::optional<UsageSums> DecodeUsageSums(std::string_view blob, const std::string& account) {
  rapidjson::Document d;
  if (!ParseVersionedBlob(blob, kUsageBlobVersion, d)) return std::nullopt;
  const auto str = [&](const char* name) -> std::optional<std::string> {
    const auto it = std::as_const(d).FindMember(name);
    if (it == std::as_const(d).MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  if (str("account") != account) return std::nullopt;
  const auto through = str("through");
  const auto akt = str("akt");
  const auto act = str("act");
  const auto usd = str("usd");
  if (!through || !akt || !act || !usd) return std::nullopt;
  UsageSums sums;
  const auto day = core::Date::Parse(*through);
  const auto a = core::Decimal::Parse(*akt);
  const auto c = core::Decimal::Parse(*act);
  const auto u = core::Decimal::Parse(*usd);
  if (!day || !a || !c || !u) return std::nullopt;
  sums.through = *day;
  sums.akt = *a;
  sums.act = *c;
  sums.usd = *u;
  return sums;
}

TenantUsageSource::TenantUsageSource(TenantOptions options)
    : name_(core::kSourceTenantUsage), options_(std::move(options)), account_(options_) {}

core::Result<std::vector<UsageRow>> TenantUsageSource::Fetch(core::Fetcher& fetcher,
                                                             const std::string& account,
                                                             core::Date start, core::Date end) {
  // Public route: never send the key (a bad key would turn it into a 401).
  const core::Request request =
      ConsoleRequest(options_.console_api,
                     "/v1/usage/history?address=" + account + "&startDate=" + start.ToString() +
                         "&endDate=" + end.ToString(),
                     nullptr);
  auto response = fetcher.Get(request);
  if (!response.ok()) return std::move(response).error();
  if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
  auto rows = ParseUsageHistory(response->body, core::UrlForLog(request.url));
  if (!rows.ok()) return rows;
  // Only the days asked for count (a row outside the range would be counted twice).
  std::erase_if(*rows, [&](const UsageRow& r) { return r.date < start || r.date > end; });
  return rows;
}

core::Result<PollOutput> TenantUsageSource::Poll(core::Fetcher& fetcher, const PollContext& ctx) {
  AKASH_COLL_ASSIGN_OR_RETURN(std::string account, account_.Resolve(fetcher, ctx.state));
  const core::Date today = core::Date::FromTime(ctx.now);
  const core::Date complete_through = today.AddDays(-2);

  std::optional<UsageSums> cached;
  if (ctx.state != nullptr) {
    if (auto blob = ctx.state->Get(kUsageBlob)) cached = DecodeUsageSums(*blob, account);
  } else if (cache_account_ == account) {
    cached = cache_;
  }
  // A cache ahead of the clock (the clock went back) cannot be trusted to split days.
  if (cached && cached->through > complete_through) cached.reset();

  UsageSums complete;
  complete.through = complete_through;
  core::Decimal live_akt, live_act, live_usd;
  std::int64_t active_today = 0;
  const auto add = [&](const UsageRow& row) {
    if (row.date <= complete_through) {
      complete.akt += row.akt;
      complete.act += row.act;
      complete.usd += row.usd;
    } else {
      live_akt += row.akt;
      live_act += row.act;
      live_usd += row.usd;
    }
    if (row.date == today) active_today = row.active_leases;
  };

  if (!cached) {
    // The walk back: windows [end-365, end] until one has no spend at all.
    core::Date end = today;
    while (true) {
      const core::Date start = std::max(end.AddDays(-(kWindowDays - 1)), FloorDay());
      AKASH_COLL_ASSIGN_OR_RETURN(std::vector<UsageRow> rows, Fetch(fetcher, account, start, end));
      bool any = false;
      for (const UsageRow& row : rows) {
        any = any || !IsZero(row);
        add(row);
      }
      if (!any || start <= FloorDay()) break;
      end = start.AddDays(-1);
    }
  } else {
    complete.akt = cached->akt;
    complete.act = cached->act;
    complete.usd = cached->usd;
    // Forward from the first day the cache does not hold, in windows of at most 366 days.
    for (core::Date start = cached->through.AddDays(1); start <= today;) {
      const core::Date end = std::min(start.AddDays(kWindowDays - 1), today);
      AKASH_COLL_ASSIGN_OR_RETURN(std::vector<UsageRow> rows, Fetch(fetcher, account, start, end));
      for (const UsageRow& row : rows) add(row);
      start = end.AddDays(1);
    }
  }

  if (ctx.state != nullptr) {
    if (!cached || !(*cached == complete)) {
      ctx.state->Put(kUsageBlob, EncodeUsageSums(account, complete));
    }
  } else {
    cache_ = complete;
    cache_account_ = account;
  }

  const Labels labels = {{"account", account}};
  PollOutput out;
  auto& f = out.families;
  f.push_back(CounterFamily(
      "akash_tenant_spent_akt_total",
      Help("Lifetime accrued spend in AKT incl. today's partial day, from the Console API usage "
           "history (sum of dailyAktSpent since the first spend; past days cached)"),
      labels, (complete.akt + live_akt).ToDouble()));
  f.push_back(CounterFamily(
      "akash_tenant_spent_act_total",
      Help("Lifetime accrued spend in ACT including legacy USDC incl. today's partial day, from "
           "the Console API usage history (sum of dailyActSpent, else dailyUsdcSpent; past days "
           "cached)"),
      labels, (complete.act + live_act).ToDouble()));
  f.push_back(CounterFamily(
      "akash_tenant_spent_usd_total",
      Help("Lifetime accrued spend valued in USD incl. today's partial day, from the Console API "
           "usage history (sum of dailyUsdSpent; past days cached)"),
      labels, (complete.usd + live_usd).ToDouble()));
  f.push_back(GaugeFamily("akash_tenant_active_leases",
                          Help("Leases running today, from the Console API usage history "
                               "(activeDeployments of today's row, which counts leases)"),
                          labels, static_cast<double>(active_today)));
  return out;
}

}  // namespace akash::collectors
