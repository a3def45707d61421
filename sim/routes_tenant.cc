// Console tenant routes: Billing & Usage, wallets, deployments.

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "sim/bech32.h"
#include "sim/handlers.h"

namespace akash::sim {
namespace {

Int128 RoundDiv(Int128 x, Int128 d) {
  Int128 q = x / d, r = x % d;
  if (r < 0) r = -r;
  if (2 * r >= d) q += (x < 0) ? -1 : 1;
  return q;
}

std::optional<std::int64_t> ParseInt(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff]Z" to unix seconds.
std::optional<std::int64_t> ParseIsoZ(const std::string& s) {
  if (s.size() < 20 || s[10] != 'T' || s.back() != 'Z') return std::nullopt;
  auto d = core::Date::Parse(s.substr(0, 10));
  if (!d) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (std::sscanf(s.c_str() + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 || hh > 23 || mm > 59 ||
      ss > 59) {
    return std::nullopt;
  }
  return d->days() * 86400 + hh * 3600 + mm * 60 + ss;
}

struct UsageQuery {
  int tenant = -1;
  core::Date start, end;
};

// Validates the shared usage query; returns a 400 response on error.
std::optional<Response> ParseUsageQuery(const Ctx& c, UsageQuery* q) {
  std::vector<ZodIssue> issues;
  auto address = c.query.Get("address");
  if (!address) {
    issues.push_back({"invalid_type", "Required", {"address"}});
  } else if (!IsValidAkashAddress(*address)) {
    issues.push_back({"custom", "Invalid address", {"address"}});
  }
  std::optional<core::Date> start, end;
  auto parse = [&](const char* name, std::optional<core::Date>* out) {
    auto v = c.query.Get(name);
    if (!v) return;
    if (!(*out = core::Date::Parse(*v))) {
      issues.push_back({"invalid_string", "Invalid date", {name}});
    }
  };
  parse("startDate", &start);
  parse("endDate", &end);
  if (!issues.empty()) return ConsoleValidation(issues);
  q->end = end.value_or(core::Date::FromDays(c.now_ms / kDayMs));
  q->start = start.value_or(q->end.AddDays(-30));
  if (q->start > q->end || q->end.days() - q->start.days() > 366) {
    return ConsoleValidation(
        {{"custom", "Date range cannot exceed 366 days and startDate must be before endDate", {}}});
  }
  q->tenant = c.world.TenantIndex(*address);
  return std::nullopt;
}

// Per-day usage rows of [start, end]: lease-major walk over the tenant's leases.
std::vector<DayUsage> UsageRows(const Ctx& c, const UsageQuery& q) {
  std::vector<DayUsage> rows(static_cast<std::size_t>(q.end.days() - q.start.days() + 1));
  if (q.tenant < 0) return rows;
  const World& w = c.world;
  for (std::uint32_t li : w.tenants()[static_cast<std::size_t>(q.tenant)].leases) {
    const Lease& l = w.leases()[li];
    std::int64_t lo = l.created;
    std::int64_t hi = std::min(l.end, c.indexed_h);  // nothing past the indexer's head
    if (hi <= lo) continue;
    core::Date d0 = std::max(q.start, w.DayOfHeight(lo));
    core::Date d1 = std::min(q.end, w.DayOfHeight(hi - 1));
    for (core::Date d = d0; d <= d1; d = d.AddDays(1)) {
      Accrual a =
          w.LeaseAccrual(l, w.DayStartHeight(d), std::min(w.DayStartHeight(d.AddDays(1)), hi));
      if (a.uakt == 0 && a.uusdc == 0 && a.uact == 0) continue;
      DayUsage& row = rows[static_cast<std::size_t>(d.days() - q.start.days())];
      row.uakt_milli += a.uakt;
      row.act_milli += a.uusdc + a.uact;
      row.usd_nano += a.usd_nano;
      ++row.leases;
    }
  }
  if (c.opts.usage_future_quirk) {
    // Production joins days without a `day` row (not indexed yet) against every lease of the
    // owner with the lease's whole life as that day's blocks and an AKT price of 0.
    for (core::Date d = q.start; d <= q.end; d = d.AddDays(1)) {
      if (w.DayStartHeight(d) <= c.indexed_h) continue;
      DayUsage& row = rows[static_cast<std::size_t>(d.days() - q.start.days())];
      row = DayUsage{};
      for (std::uint32_t li : w.tenants()[static_cast<std::size_t>(q.tenant)].leases) {
        const Lease& l = w.leases()[li];
        // Open leases run to their predicted close: here, 30 days past the indexer's head.
        std::int64_t end = l.IsOpen() ? c.indexed_h + 30 * (86'400'000 / w.block_ms()) : l.end;
        Int128 amount = static_cast<Int128>(l.price_milli) * (end - l.created);
        if (l.denom == Denom::kUakt) {
          row.uakt_milli += amount;
        } else {
          row.act_milli += amount;
          row.usd_nano += amount * 1'000'000;
        }
        ++row.leases;
      }
    }
  }
  return rows;
}

}  // namespace

std::int64_t RoundToCents(Int128 units_1e9) {
  return static_cast<std::int64_t>(RoundDiv(units_1e9, 10'000'000));
}

Response HandleUsageHistory(const Ctx& c) {
  UsageQuery q;
  if (auto err = ParseUsageQuery(c, &q)) return *err;
  std::vector<DayUsage> rows = UsageRows(c, q);
  rapidjson::StringBuffer b;
  b.Reserve(rows.size() * 260);
  JsonWriter w(b);
  w.StartArray();
  std::int64_t tot_akt = 0, tot_act = 0, tot_usd = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const DayUsage& r = rows[i];
    std::int64_t akt = RoundToCents(r.uakt_milli);
    std::int64_t act = RoundToCents(r.act_milli);
    std::int64_t usd = static_cast<std::int64_t>(RoundDiv(r.usd_nano, 10'000'000'000'000LL));
    tot_akt += akt;
    tot_act += act;
    tot_usd += usd;
    w.StartObject();
    WriteKey(w, "date");
    WriteStr(w, q.start.AddDays(static_cast<std::int64_t>(i)).ToString());
    WriteKey(w, "activeDeployments");
    w.Int64(r.leases);
    WriteKey(w, "dailyAktSpent");
    WriteJs(w, static_cast<double>(akt) / 100.0);
    WriteKey(w, "totalAktSpent");
    WriteJs(w, static_cast<double>(tot_akt) / 100.0);
    WriteKey(w, "dailyUsdcSpent");
    WriteJs(w, static_cast<double>(act) / 100.0);
    WriteKey(w, "totalUsdcSpent");
    WriteJs(w, static_cast<double>(tot_act) / 100.0);
    if (!c.opts.console_without_act) {
      WriteKey(w, "dailyActSpent");
      WriteJs(w, static_cast<double>(act) / 100.0);
      WriteKey(w, "totalActSpent");
      WriteJs(w, static_cast<double>(tot_act) / 100.0);
    }
    WriteKey(w, "dailyUsdSpent");
    WriteJs(w, static_cast<double>(usd) / 100.0);
    WriteKey(w, "totalUsdSpent");
    WriteJs(w, static_cast<double>(tot_usd) / 100.0);
    w.EndObject();
  }
  w.EndArray();
  return JsonResponse(200, b.GetString());
}

Response HandleUsageStats(const Ctx& c) {
  UsageQuery q;
  if (auto err = ParseUsageQuery(c, &q)) return *err;
  std::vector<DayUsage> rows = UsageRows(c, q);
  std::int64_t total = 0;
  for (const DayUsage& r : rows)
    total += static_cast<std::int64_t>(RoundDiv(r.usd_nano, 10'000'000'000'000LL));
  std::int64_t avg = static_cast<std::int64_t>(RoundDiv(total, static_cast<Int128>(rows.size())));
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "totalSpent");
  WriteJs(w, static_cast<double>(total) / 100.0);
  WriteKey(w, "averageSpentPerDay");
  WriteJs(w, static_cast<double>(avg) / 100.0);
  // Production's count query can never match (see upstream-apis.md): always 0.
  WriteKey(w, "totalDeployments");
  w.Int(0);
  WriteKey(w, "averageDeploymentsPerDay");
  w.Int(0);
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleStripeTransactions(const Ctx& c) {
  const Tenant& t = c.world.tenants()[static_cast<std::size_t>(c.tenant)];
  std::vector<ZodIssue> issues;
  std::int64_t limit = 100, offset = 0;
  std::optional<std::int64_t> start_s, end_s;
  if (auto v = c.query.Get("limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || (*n > 100 && !t.cursor_stripe)) {
      issues.push_back({"too_big", "Number must be less than or equal to 100", {"limit"}});
    } else {
      limit = *n;
    }
  }
  if (auto v = c.query.Get("offset")) {
    auto n = ParseInt(*v);
    if (!n || *n < 0)
      issues.push_back({"too_small", "Number must be greater than or equal to 0", {"offset"}});
    else
      offset = *n;
  }
  for (const char* name : {"startDate", "endDate"}) {
    if (auto v = c.query.Get(name)) {
      auto s = ParseIsoZ(*v);
      if (!s)
        issues.push_back({"invalid_string", "Invalid datetime", {name}});
      else
        (std::string_view(name) == "startDate" ? start_s : end_s) = s;
    }
  }
  if (!issues.empty()) return ConsoleValidation(issues);
  auto in_range = [&](const StripeTxn& x) {
    return (!start_s || x.created >= *start_s) && (!end_s || x.created <= *end_s);
  };
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  auto str_or_null = [&](std::string_view k, const std::string& v) {
    WriteKey(w, k);
    if (v.empty())
      w.Null();
    else
      WriteStr(w, v);
  };
  w.StartObject();
  WriteKey(w, "data");
  w.StartObject();
  if (!t.cursor_stripe) {
    std::vector<const StripeTxn*> rows;
    for (const StripeTxn& x : t.txns) {
      if (in_range(x)) rows.push_back(&x);
    }
    WriteKey(w, "transactions");
    w.StartArray();
    for (std::size_t i = static_cast<std::size_t>(offset);
         i < rows.size() && i < static_cast<std::size_t>(offset + limit); ++i) {
      const StripeTxn& x = *rows[i];
      w.StartObject();
      WriteKey(w, "id");
      WriteStr(w, x.id);
      WriteKey(w, "type");
      WriteStr(w, x.type);
      WriteKey(w, "amount");
      w.Int64(x.amount_cents);
      WriteKey(w, "amountRefunded");
      w.Int64(x.refunded_cents);
      WriteKey(w, "bonusAmount");
      w.Int64(x.bonus_cents);
      WriteKey(w, "currency");
      WriteStr(w, "usd");
      WriteKey(w, "status");
      WriteStr(w, x.status);
      WriteKey(w, "created");
      w.Int64(x.created);
      str_or_null("cardBrand", x.card_brand);
      str_or_null("cardLast4", x.card_last4);
      str_or_null("stripeInvoiceId", x.invoice_id);
      bool receipt =
          x.type == "payment_intent" && (x.status == "succeeded" || x.status == "refunded");
      str_or_null("receiptUrl", receipt ? "https://pay.stripe.com/receipts/sim/" + x.id : "");
      WriteKey(w, "description");
      WriteStr(w, x.description);
      w.EndObject();
    }
    w.EndArray();
    WriteKey(w, "totalCount");
    w.Int64(static_cast<std::int64_t>(rows.size()));
    WriteKey(w, "hasMore");
    w.Bool(static_cast<std::size_t>(offset + limit) < rows.size());
  } else {
    // The Aug-2025 shape listed Stripe charges only (card payments), paged by charge id.
    std::vector<const StripeTxn*> rows;
    for (const StripeTxn& x : t.txns) {
      if (x.type == "payment_intent" && in_range(x)) rows.push_back(&x);
    }
    std::size_t begin = 0;
    if (auto after = c.query.Get("startingAfter")) {
      begin = rows.size();
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i]->charge_id == *after) begin = i + 1;
      }
    }
    std::size_t stop = std::min(rows.size(), begin + static_cast<std::size_t>(limit));
    WriteKey(w, "transactions");
    w.StartArray();
    for (std::size_t i = begin; i < stop; ++i) {
      const StripeTxn& x = *rows[i];
      std::string status = x.status == "refunded"                             ? "succeeded"
                           : (x.status == "canceled" || x.status == "failed") ? "failed"
                           : x.status == "succeeded"                          ? "succeeded"
                                                                              : "pending";
      w.StartObject();
      WriteKey(w, "id");
      WriteStr(w, x.charge_id);
      WriteKey(w, "amount");
      w.Int64(x.amount_cents);
      if (x.bonus_cents > 0) {
        WriteKey(w, "bonusAmount");
        w.Int64(x.bonus_cents);
      }
      WriteKey(w, "currency");
      WriteStr(w, "usd");
      WriteKey(w, "status");
      WriteStr(w, status);
      WriteKey(w, "created");
      w.Int64(x.created);
      WriteKey(w, "paymentMethod");
      w.StartObject();
      WriteKey(w, "type");
      WriteStr(w, "card");
      WriteKey(w, "card");
      w.StartObject();
      WriteKey(w, "brand");
      WriteStr(w, x.card_brand);
      WriteKey(w, "last4");
      WriteStr(w, x.card_last4);
      WriteKey(w, "exp_month");
      w.Int(12);
      WriteKey(w, "exp_year");
      w.Int(2029);
      WriteKey(w, "funding");
      WriteStr(w, "credit");
      WriteKey(w, "country");
      WriteStr(w, "US");
      WriteKey(w, "network");
      WriteStr(w, x.card_brand);
      WriteKey(w, "three_d_secure_usage");
      w.StartObject();
      WriteKey(w, "supported");
      w.Bool(true);
      w.EndObject();
      w.EndObject();
      w.EndObject();
      str_or_null("receiptUrl", status == "succeeded"
                                    ? "https://pay.stripe.com/receipts/sim/" + x.charge_id
                                    : "");
      WriteKey(w, "description");
      WriteStr(w, x.description);
      WriteKey(w, "metadata");
      w.StartObject();
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    bool more = stop < rows.size();
    WriteKey(w, "hasMore");
    w.Bool(more);
    str_or_null("nextPage", more && stop > begin ? rows[stop - 1]->charge_id : "");
    str_or_null("prevPage", begin > 0 && begin < rows.size() ? rows[begin]->charge_id : "");
  }
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

namespace {

std::string CsvCell(const std::string& v) {
  std::string cell = v;
  // csv-stringify quotes cells with commas, quotes or newlines; the service guards formulas.
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@'))
    cell = "'" + cell;
  if (cell.find_first_of(",\"\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char ch : cell) {
    if (ch == '"') out += '"';
    out.push_back(ch);
  }
  return out + "\"";
}

std::string Dollars(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

// en-CA locale form: "2021-12-31, 7:00:00 p.m.". Times are rendered in UTC whatever the zone
// (the simulator carries no time-zone database); the header still names the requested zone.
std::string EnCaTime(std::int64_t unix_s) {
  std::int64_t days = unix_s / 86400, rem = unix_s % 86400;
  int h = static_cast<int>(rem / 3600), m = static_cast<int>(rem / 60 % 60),
      sec = static_cast<int>(rem % 60);
  int h12 = h % 12 == 0 ? 12 : h % 12;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d:%02d:%02d %s",
                core::Date::FromDays(days).ToString().c_str(), h12, m, sec,
                h < 12 ? "a.m." : "p.m.");
  return buf;
}

bool KnownTimeZone(const std::string& tz) {
  if (tz == "UTC" || tz == "Etc/UTC") return true;
  if (tz.empty() || tz.find("..") != std::string::npos || tz[0] == '/') return false;
  std::error_code ec;
  return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + tz, ec);
}

}  // namespace

Response HandleStripeExport(const Ctx& c) {
  const Tenant& t = c.world.tenants()[static_cast<std::size_t>(c.tenant)];
  std::vector<ZodIssue> issues;
  auto tz = c.query.Get("timezone");
  if (!tz)
    issues.push_back({"invalid_type", "Required", {"timezone"}});
  else if (!KnownTimeZone(*tz))
    issues.push_back({"custom", "Invalid IANA timezone", {"timezone"}});
  std::optional<std::int64_t> start_s, end_s;
  for (const char* name : {"startDate", "endDate"}) {
    auto v = c.query.Get(name);
    if (!v) {
      issues.push_back({"invalid_type", "Required", {name}});
      continue;
    }
    auto s = ParseIsoZ(*v);
    if (!s)
      issues.push_back({"invalid_string", "Invalid datetime", {name}});
    else
      (std::string_view(name) == "startDate" ? start_s : end_s) = s;
  }
  if (issues.empty() && (*start_s > *end_s || (*end_s - *start_s) > 366LL * 86400)) {
    issues.push_back(
        {"custom", "Date range cannot exceed 366 days and startDate must be before endDate", {}});
  }
  if (!issues.empty()) return ConsoleValidation(issues);
  std::string csv = "\xEF\xBB\xBFTransaction ID,Date (" + *tz +
                    "),Type,Amount,Bonus,Refunded,Currency,Status,Card Brand,Card Last "
                    "4,Description,Invoice ID,Receipt URL\n";
  int rows = 0;
  for (const StripeTxn& x : t.txns) {
    if (x.created < *start_s || x.created > *end_s) continue;
    ++rows;
    bool receipt =
        x.type == "payment_intent" && (x.status == "succeeded" || x.status == "refunded");
    csv += CsvCell(x.id) + "," + CsvCell(EnCaTime(x.created)) + "," + x.type + "," +
           Dollars(x.amount_cents) + "," + Dollars(x.bonus_cents) + "," +
           Dollars(x.refunded_cents) + ",USD," + x.status + "," + x.card_brand + "," +
           x.card_last4 + "," + CsvCell(x.description) + "," + x.invoice_id + "," +
           (receipt ? "https://pay.stripe.com/receipts/sim/" + x.id : "") + "\n";
  }
  if (rows == 0) csv += "No transactions found for the specified date range\n";
  Response r;
  r.content_type = "text/csv";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"transactions_" +
                                                    c.query.Get("startDate")->substr(0, 10) +
                                                    "_to_" + c.query.Get("endDate")->substr(0, 10) +
                                                    ".csv\"");
  r.body = std::move(csv);
  return r;
}

Response HandleBalances(const Ctx& c) {
  int ti = c.tenant;
  if (auto address = c.query.Get("address")) {
    if (!IsValidAkashAddress(*address))
      return ConsoleValidation({{"custom", "Invalid address", {"address"}}});
    ti = c.world.TenantIndex(*address);
    if (ti < 0) ti = -2;  // a valid address nobody here owns: zero balances
  } else if (ti < 0) {
    return ConsoleError(401, "UnauthorizedError", "Unauthorized", "unauthorized", "client_error");
  }
  std::int64_t balance = 0, escrow = 0;
  if (ti >= 0) {
    const Tenant& t = c.world.tenants()[static_cast<std::size_t>(ti)];
    balance = t.grant_balance;
    for (std::uint32_t di : t.deployments) escrow += c.world.deployments()[di].escrow_funds_micro;
  }
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "data");
  w.StartObject();
  WriteKey(w, "balance");
  w.Int64(balance);
  WriteKey(w, "deployments");
  w.Int64(escrow);
  WriteKey(w, "total");
  w.Int64(balance + escrow);
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleUserMe(const Ctx& c) {
  const Tenant& t = c.world.tenants()[static_cast<std::size_t>(c.tenant)];
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "data");
  w.StartObject();
  WriteKey(w, "id");
  WriteStr(w, t.user_id);
  WriteKey(w, "userId");
  WriteStr(w, "auth0|sim" + t.user_id.substr(0, 8));
  WriteKey(w, "username");
  WriteStr(w, t.username);
  WriteKey(w, "email");
  WriteStr(w, t.email);
  WriteKey(w, "emailVerified");
  w.Bool(true);
  WriteKey(w, "stripeCustomerId");
  WriteStr(w, "cus_sim" + t.user_id.substr(0, 8));
  WriteKey(w, "subscribedToNewsletter");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleWallets(const Ctx& c) {
  const Tenant& t = c.world.tenants()[static_cast<std::size_t>(c.tenant)];
  auto user = c.query.Get("userId");
  if (!user) return ConsoleValidation({{"invalid_type", "Required", {"userId"}}});
  if (user->size() != 36)
    return ConsoleValidation({{"invalid_string", "Invalid uuid", {"userId"}}});
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "data");
  w.StartArray();
  if (*user == t.user_id) {  // scoped to the caller: another user's id lists nothing
    w.StartObject();
    WriteKey(w, "id");
    w.Int64(t.wallet_id);
    WriteKey(w, "userId");
    WriteStr(w, t.user_id);
    WriteKey(w, "creditAmount");
    w.Int64(t.credit_amount);
    WriteKey(w, "address");
    WriteStr(w, t.address);
    WriteKey(w, "denom");
    WriteStr(w, "uact");
    WriteKey(w, "isTrialing");
    w.Bool(t.trialing);
    WriteKey(w, "topUpMinAmountUsd");
    w.Int(20);
    WriteKey(w, "createdAt");
    WriteStr(w, FormatIsoMillis(c.world.TimeOfHeight(c.world.genesis_height())));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

namespace {

void WriteEscrowAccount(JsonWriter& w, const Ctx& c, const Deployment& d) {
  const World& world = c.world;
  const Tenant& t = world.tenants()[d.tenant];
  const Lease& first = world.leases()[d.leases.front()];
  Int128 transferred = 0;
  bool overdrawn = false, open = first.IsOpen();
  for (std::uint32_t li : d.leases) {
    PaymentView pv = PaymentAt(world.leases()[li], c.chain_h);
    transferred += pv.withdrawn_micro * 1000;
    overdrawn = overdrawn || pv.state == PaymentState::kOverdrawn;
  }
  std::string denom(ChainDenom(first.denom));
  w.StartObject();
  WriteKey(w, "id");
  w.StartObject();
  WriteKey(w, "scope");
  WriteStr(w, "deployment");
  WriteKey(w, "xid");
  WriteStr(w, t.address + "/" + std::to_string(d.dseq));
  w.EndObject();
  WriteKey(w, "state");
  w.StartObject();
  WriteKey(w, "owner");
  WriteStr(w, t.address);
  WriteKey(w, "state");
  WriteStr(w, open ? "open" : overdrawn ? "overdrawn" : "closed");
  WriteKey(w, "transferred");
  w.StartArray();
  w.StartObject();
  WriteKey(w, "denom");
  WriteStr(w, denom);
  WriteKey(w, "amount");
  WriteStr(w, FormatDec18(transferred));
  w.EndObject();
  w.EndArray();
  WriteKey(w, "settled_at");
  WriteStr(w, std::to_string(open ? c.chain_h - (c.chain_h - first.created) % 1200 : first.end));
  WriteKey(w, "funds");
  w.StartArray();
  w.StartObject();
  WriteKey(w, "denom");
  WriteStr(w, denom);
  WriteKey(w, "amount");
  WriteStr(w, FormatDec18(static_cast<Int128>(d.escrow_funds_micro) * 1000));
  w.EndObject();
  w.EndArray();
  WriteKey(w, "deposits");
  w.StartArray();
  w.StartObject();
  WriteKey(w, "owner");
  WriteStr(w, t.address);
  WriteKey(w, "height");
  WriteStr(w, std::to_string(d.created_height));
  WriteKey(w, "source");
  WriteStr(w, "balance");
  WriteKey(w, "balance");
  w.StartObject();
  WriteKey(w, "denom");
  WriteStr(w, denom);
  WriteKey(w, "amount");
  WriteStr(w, FormatDec18(static_cast<Int128>(d.escrow_funds_micro) * 1000 + transferred));
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

// The deployment object both deployment routes show: its id, state (from its first lease), hash
// and creation height.
void WriteDeploymentInfo(JsonWriter& w, const std::string& owner, const Deployment& d,
                         const Lease& first) {
  w.StartObject();
  WriteKey(w, "id");
  w.StartObject();
  WriteKey(w, "owner");
  WriteStr(w, owner);
  WriteKey(w, "dseq");
  WriteStr(w, std::to_string(d.dseq));
  w.EndObject();
  WriteKey(w, "state");
  WriteStr(w, first.IsOpen() ? "active" : "closed");
  WriteKey(w, "hash");
  WriteStr(w, d.hash);
  WriteKey(w, "created_at");
  WriteStr(w, std::to_string(d.created_height));
  w.EndObject();
}

void WriteGroupResource(JsonWriter& w, const World& world, const Lease& l) {
  WriteKey(w, "resource");
  WriteResourceUnits(w, l, GpuGroupAttributeKey(world, l), /*storage_class=*/"beta3");
}

}  // namespace

void WriteResourceUnits(JsonWriter& w, const Lease& l, const std::string& gpu_attribute_key,
                        std::string_view storage_class) {
  auto val = [&](std::string_view k, std::int64_t v) {
    WriteKey(w, k);
    w.StartObject();
    WriteKey(w, "val");
    WriteStr(w, std::to_string(v));
    w.EndObject();
  };
  auto attribute = [&](std::string_view key, std::string_view value) {
    w.StartObject();
    WriteKey(w, "key");
    WriteStr(w, key);
    WriteKey(w, "value");
    WriteStr(w, value);
    w.EndObject();
  };
  auto no_attributes = [&] {
    WriteKey(w, "attributes");
    w.StartArray();
    w.EndArray();
  };
  w.StartObject();
  WriteKey(w, "id");
  w.Int(1);
  WriteKey(w, "cpu");
  w.StartObject();
  val("units", l.cpu);
  no_attributes();
  w.EndObject();
  WriteKey(w, "memory");
  w.StartObject();
  val("quantity", l.memory);
  no_attributes();
  w.EndObject();
  WriteKey(w, "storage");
  w.StartArray();
  w.StartObject();
  WriteKey(w, "name");
  WriteStr(w, "default");
  val("quantity", l.ephemeral);
  no_attributes();
  w.EndObject();
  if (l.persistent > 0) {
    w.StartObject();
    WriteKey(w, "name");
    WriteStr(w, "data");
    val("quantity", l.persistent);
    WriteKey(w, "attributes");
    w.StartArray();
    if (!storage_class.empty()) attribute("class", storage_class);
    attribute("persistent", "true");
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "gpu");
  w.StartObject();
  val("units", l.gpus);
  WriteKey(w, "attributes");
  w.StartArray();
  if (l.gpus > 0) attribute(gpu_attribute_key, "true");
  w.EndArray();
  w.EndObject();
  WriteKey(w, "endpoints");
  w.StartArray();
  w.StartObject();
  WriteKey(w, "kind");
  WriteStr(w, "SHARED_HTTP");
  WriteKey(w, "sequence_number");
  w.Int(0);
  w.EndObject();
  w.EndArray();
  w.EndObject();
}

std::string GpuGroupAttributeKey(const World& w, const Lease& l) {
  if (l.gpus == 0) return "";
  const GpuModel& g = w.gpu_models()[static_cast<std::size_t>(l.gpu_model)];
  if (w.deployments()[l.deployment].gpu_wildcard) return "vendor/" + g.vendor + "/model/*";
  return "vendor/" + g.vendor + "/model/" + g.model;
}

std::string GpuBidAttributeKey(const World& w, const Lease& l) {
  if (l.gpus == 0) return "";
  const GpuModel& g = w.gpu_models()[static_cast<std::size_t>(l.gpu_model)];
  return "vendor/" + g.vendor + "/model/" + g.model + "/ram/" + g.ram + "/interface/" + g.interface;
}

Response HandleDeployments(const Ctx& c) {
  const Tenant& t = c.world.tenants()[static_cast<std::size_t>(c.tenant)];
  std::int64_t skip = 0;
  std::optional<std::int64_t> limit;
  std::vector<ZodIssue> issues;
  if (auto v = c.query.Get("skip")) {
    auto n = ParseInt(*v);
    if (!n || *n < 0)
      issues.push_back({"too_small", "Number must be greater than or equal to 0", {"skip"}});
    else
      skip = *n;
  }
  if (auto v = c.query.Get("limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1)
      issues.push_back({"too_small", "Number must be greater than or equal to 1", {"limit"}});
    else
      limit = *n;
  }
  if (!issues.empty()) return ConsoleValidation(issues);
  const std::int64_t total = static_cast<std::int64_t>(t.deployments.size());
  const std::int64_t lim = limit.value_or(1000);
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "data");
  w.StartObject();
  WriteKey(w, "deployments");
  w.StartArray();
  for (std::int64_t i = skip; i < total && i < skip + lim; ++i) {
    const Deployment& d = c.world.deployments()[t.deployments[static_cast<std::size_t>(i)]];
    const Lease& first = c.world.leases()[d.leases.front()];
    w.StartObject();
    WriteKey(w, "deployment");
    WriteDeploymentInfo(w, t.address, d, first);
    WriteKey(w, "leases");
    w.StartArray();
    for (std::uint32_t li : d.leases) {
      const Lease& l = c.world.leases()[li];
      w.StartObject();
      WriteKey(w, "id");
      WriteOrderId(w, t.address, l, c.world.providers()[l.provider].address, l.bseq);
      WriteKey(w, "state");
      WriteStr(w, LeaseStateName(l.state));
      WriteKey(w, "price");
      w.StartObject();
      WriteKey(w, "denom");
      WriteStr(w, ChainDenom(l.denom));
      WriteKey(w, "amount");
      WriteStr(w, FormatDec18(l.price_milli));
      w.EndObject();
      WriteKey(w, "created_at");
      WriteStr(w, std::to_string(l.created));
      WriteKey(w, "closed_on");
      WriteStr(w, l.IsOpen() ? "0" : std::to_string(l.end));
      WriteKey(w, "reason");
      WriteStr(w, kLeaseReasons[l.reason]);
      w.EndObject();
    }
    w.EndArray();
    WriteKey(w, "escrow_account");
    WriteEscrowAccount(w, c, d);
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "pagination");
  w.StartObject();
  WriteKey(w, "total");
  w.Int64(total);
  WriteKey(w, "skip");
  w.Int64(skip);
  WriteKey(w, "limit");
  w.Int64(limit.value_or(total));
  WriteKey(w, "hasMore");
  w.Bool(skip + lim < total);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

Response HandleDeployment(const Ctx& c) {
  const std::string& owner = c.segments.at(0);
  const std::string& dseq_text = c.segments.at(1);
  std::vector<ZodIssue> issues;
  if (!IsValidAkashAddress(owner)) issues.push_back({"custom", "Invalid address", {"owner"}});
  auto dseq = ParseInt(dseq_text);
  if (!dseq || *dseq < 0) issues.push_back({"custom", "Invalid dseq", {"dseq"}});
  if (!issues.empty()) return ConsoleValidation(issues);
  int di = c.world.DeploymentIndex(owner, *dseq);
  if (di < 0) return ConsoleNotFound("Deployment not found");
  const Deployment& d = c.world.deployments()[static_cast<std::size_t>(di)];
  const Lease& first = c.world.leases()[d.leases.front()];
  Int128 monthly = 0;
  std::int64_t cpu = 0, gpu = 0, mem = 0, storage = 0;
  for (std::uint32_t li : d.leases) {
    const Lease& l = c.world.leases()[li];
    monthly += static_cast<Int128>(l.price_milli) * 438'293;  // 30.437 days of 6 s blocks
    cpu += l.cpu;
    gpu += l.gpus;
    mem += l.memory;
    storage += l.ephemeral + l.persistent;
  }
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "owner");
  WriteStr(w, owner);
  WriteKey(w, "dseq");
  WriteStr(w, std::to_string(d.dseq));
  WriteKey(w, "balance");
  WriteJs(w, static_cast<double>(d.escrow_funds_micro));
  WriteKey(w, "denom");
  WriteStr(w, IndexerDenom(first.denom));
  WriteKey(w, "status");
  WriteStr(w, first.IsOpen() ? "active" : "closed");
  WriteKey(w, "totalMonthlyCostUDenom");
  WriteJs(w, MilliToDecimal(monthly).ToDouble());
  WriteKey(w, "leases");
  w.StartArray();
  for (std::uint32_t li : d.leases) {
    const Lease& l = c.world.leases()[li];
    const Provider& p = c.world.providers()[l.provider];
    w.StartObject();
    WriteKey(w, "id");
    WriteStr(w, owner + "-" + std::to_string(l.dseq) + "-" + std::to_string(l.gseq) + "-" +
                    std::to_string(l.oseq));
    WriteKey(w, "owner");
    WriteStr(w, owner);
    WriteKey(w, "provider");
    w.StartObject();
    WriteKey(w, "address");
    WriteStr(w, p.address);
    WriteKey(w, "hostUri");
    WriteStr(w, p.host_uri);
    WriteKey(w, "isDeleted");
    w.Bool(false);
    WriteKey(w, "attributes");
    w.StartArray();
    w.StartObject();
    WriteKey(w, "key");
    WriteStr(w, "region");
    WriteKey(w, "value");
    WriteStr(w, p.region);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    WriteKey(w, "dseq");
    WriteStr(w, std::to_string(l.dseq));
    WriteKey(w, "gseq");
    w.Uint(l.gseq);
    WriteKey(w, "oseq");
    w.Uint(l.oseq);
    // The Console's OpenAPI names the lease state `status` here and gives the monthly cost.
    WriteKey(w, "status");
    WriteStr(w, LeaseStateName(l.state));
    WriteKey(w, "monthlyCostUDenom");
    WriteJs(w, MilliToDecimal(static_cast<Int128>(l.price_milli) * 438'293).ToDouble());
    WriteKey(w, "price");
    w.StartObject();
    WriteKey(w, "denom");
    WriteStr(w, ChainDenom(l.denom));
    WriteKey(w, "amount");
    WriteStr(w, FormatDec18(l.price_milli));
    w.EndObject();
    WriteKey(w, "cpuUnits");
    w.Int64(l.cpu);
    WriteKey(w, "gpuUnits");
    w.Int64(l.gpus);
    WriteKey(w, "memoryQuantity");
    w.Int64(l.memory);
    WriteKey(w, "storageQuantity");
    w.Int64(l.ephemeral + l.persistent);
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "cpuUnits");
  w.Int64(cpu);
  WriteKey(w, "gpuUnits");
  w.Int64(gpu);
  WriteKey(w, "memoryQuantity");
  w.Int64(mem);
  WriteKey(w, "storageQuantity");
  w.Int64(storage);
  WriteKey(w, "events");
  w.StartArray();
  w.EndArray();
  WriteKey(w, "other");
  w.StartObject();
  WriteKey(w, "deployment");
  WriteDeploymentInfo(w, owner, d, first);
  WriteKey(w, "groups");
  w.StartArray();
  for (std::uint32_t li : d.leases) {
    const Lease& l = c.world.leases()[li];
    w.StartObject();
    WriteKey(w, "id");
    w.StartObject();
    WriteKey(w, "owner");
    WriteStr(w, owner);
    WriteKey(w, "dseq");
    WriteStr(w, std::to_string(l.dseq));
    WriteKey(w, "gseq");
    w.Uint(l.gseq);
    w.EndObject();
    WriteKey(w, "state");
    WriteStr(w, l.IsOpen() ? "open" : "closed");
    WriteKey(w, "group_spec");
    w.StartObject();
    WriteKey(w, "name");
    WriteStr(w, "group-" + std::to_string(l.gseq));
    WriteKey(w, "requirements");
    w.StartObject();
    WriteKey(w, "signed_by");
    w.StartObject();
    WriteKey(w, "all_of");
    w.StartArray();
    w.EndArray();
    WriteKey(w, "any_of");
    w.StartArray();
    w.EndArray();
    w.EndObject();
    WriteKey(w, "attributes");
    w.StartArray();
    w.EndArray();
    w.EndObject();
    WriteKey(w, "resources");
    w.StartArray();
    w.StartObject();
    WriteGroupResource(w, c.world, l);
    WriteKey(w, "count");
    w.Int(1);
    WriteKey(w, "price");
    w.StartObject();
    WriteKey(w, "denom");
    WriteStr(w, ChainDenom(l.denom));
    WriteKey(w, "amount");
    WriteStr(w, FormatDec18(l.price_milli * 2));
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    WriteKey(w, "created_at");
    WriteStr(w, std::to_string(d.created_height));
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "escrow_account");
  WriteEscrowAccount(w, c, d);
  w.EndObject();
  w.EndObject();
  return JsonResponse(200, b.GetString());
}

}  // namespace akash::sim

namespace akash::sim {

// The Console's block list comes from its indexer: newest first, starting at the indexed head.
Response HandleConsoleBlocks(const Ctx& c) {
  std::int64_t limit = 20;
  if (auto v = c.query.Get("limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 100) {
      return ConsoleValidation({{"too_big", "Number must be between 1 and 100", {"limit"}}});
    }
    limit = *n;
  }
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartArray();
  for (std::int64_t h = c.indexed_h; h > c.indexed_h - limit && h >= c.world.genesis_height();
       --h) {
    w.StartObject();
    WriteKey(w, "height");
    w.Int64(h);
    WriteKey(w, "proposer");
    w.StartObject();
    WriteKey(w, "address");
    WriteStr(w, "5F8A1B2C3D4E5F60718293A4B5C6D7E8F9012345");
    WriteKey(w, "operatorAddress");
    WriteStr(w, "akashvaloper1sim");
    WriteKey(w, "moniker");
    WriteStr(w, "sim-validator");
    WriteKey(w, "avatarUrl");
    w.Null();
    w.EndObject();
    WriteKey(w, "transactionCount");
    w.Int(0);
    WriteKey(w, "totalTransactionCount");
    w.Int64(h - c.world.genesis_height());
    WriteKey(w, "datetime");
    WriteStr(w, FormatIsoMillis(c.world.TimeOfHeight(h)));
    w.EndObject();
  }
  w.EndArray();
  return JsonResponse(200, b.GetString());
}

}  // namespace akash::sim
