#include "collectors/provider_earnings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using core::Date;
using core::Decimal;
using core::ErrorReason;
using testing::At;
using testing::FakeFetcher;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kProvider = "akash1provider0000000000000000000000000000";
constexpr const char* kConsole = "https://console.test";
constexpr const char* kProviderConsole = "https://provider-console.test";
constexpr const char* kKey =
    "akash_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
DayRange R(Date from, Date to) { return DayRange{from, to}; }

// The chain's history, written out here rather than taken from DefaultTakeRates() so the test
// states the numbers it derives from.
std::vector<core::TakeRateRegime> ChainRates() {
  return {{D(2026, 3, 21), *Decimal::Parse("0.02"), *Decimal::Parse("0.20")},
          {std::nullopt, Decimal(), Decimal()}};
}

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(EarningsParseTest, KeyApiSample) {
  auto a = ParseEarnings(Fixture("earnings/key_sample.json"), "r");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->uakt.ToString(), "198821549.899183");
  EXPECT_EQ(a->uact.ToString(), "62549.30588271079");  // from totalUUsdcEarned
  EXPECT_EQ(a->uusd.ToString(), "523063470.03441215");
}

TEST(EarningsParseTest, ConsoleSampleUsesActNotActPlusUsdc) {
  auto a = ParseEarnings(Fixture("earnings/console_sample.json"), "r");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->uact.ToString(), "62549.30588271079");
}

TEST(EarningsParseTest, NumericStringsExponentsZerosAndExtraFields) {
  auto s = ParseEarnings(Fixture("earnings/numeric_strings.json"), "r");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->uakt.ToString(), "687194767360");
  EXPECT_EQ(s->uact.ToString(), "1250000.5");
  EXPECT_EQ(s->uusd.ToString(), "2001234567.25");

  auto f = ParseEarnings(Fixture("earnings/exponent_floats.json"), "r");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->uakt.ToString(), "15000000000000000");
  EXPECT_EQ(f->uact.ToString(), "0.00001");
  EXPECT_TRUE(f->uusd.IsZero());

  auto e = ParseEarnings(Fixture("earnings/exponent_strings.json"), "r");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->uakt.ToString(), "2500000");
  EXPECT_EQ(e->uact.ToString(), "3000000");  // totalUActEarned wins over totalUUsdcEarned
  EXPECT_EQ(e->uusd.ToString(), "15000000");

  auto z = ParseEarnings(Fixture("earnings/zeros.json"), "r");
  ASSERT_TRUE(z.ok());
  EXPECT_TRUE(z->uakt.IsZero() && z->uact.IsZero() && z->uusd.IsZero());

  auto x = ParseEarnings(Fixture("earnings/extra_fields.json"), "r");
  ASSERT_TRUE(x.ok()) << x.error().message;
  EXPECT_EQ(x->uusd.ToString(), "5500000");
}

TEST(EarningsParseTest, MalformedBodiesAreParseErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"earnings/missing_usd.json", "earnings.totalUUsdEarned"},
      {"earnings/missing_act_and_usdc.json", "earnings.totalUUsdcEarned"},
      {"earnings/wrong_type.json", "earnings.totalUAktEarned"},
      {"earnings/not_a_number.json", "earnings.totalUAktEarned"},
      {"earnings/null_amount.json", "earnings.totalUAktEarned"},
      {"earnings/earnings_not_object.json", "earnings"},
      {"earnings/no_earnings.json", "earnings"},
      {"earnings/truncated.json", "offset"},
      {"earnings/root_array.json", "object"},
      {"errors/cloudflare_403.html", "offset"},
      {"errors/plain_404_provider_not_found.txt", "offset"},
  };
  for (const auto& [fixture, needle] : cases) {
    auto a = ParseEarnings(Fixture(fixture), "https://x/provider-earnings");
    ASSERT_FALSE(a.ok()) << fixture;
    EXPECT_EQ(a.error().reason, ErrorReason::kParse) << fixture;
    EXPECT_NE(a.error().message.find(needle), std::string::npos)
        << fixture << ": " << a.error().message;
  }
}

// ---------------------------------------------------------------------------------------------
// Window arithmetic

std::map<std::string, DayRange> Windows(Date today, Date end) {
  std::map<std::string, DayRange> m;
  std::vector<std::string> order;
  for (const auto& w : PlanEarningsWindows(today, end)) {
    m[w.name] = w.range;
    order.push_back(w.name);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"1d", "7d", "30d", "month_to_date", "previous_month",
                                             "year_to_date"}));
  return m;
}

TEST(EarningsWindowTest, MidMonth) {
  const Date t = D(2026, 3, 25);
  auto w = Windows(t, t);
  EXPECT_EQ(w["1d"], R(D(2026, 3, 24), t));
  EXPECT_EQ(w["7d"], R(D(2026, 3, 18), t));
  EXPECT_EQ(w["30d"], R(D(2026, 2, 23), t));  // 25 March days back to 28 Feb, then 5 more
  EXPECT_EQ(w["month_to_date"], R(D(2026, 3, 1), t));
  EXPECT_EQ(w["previous_month"], R(D(2026, 2, 1), D(2026, 3, 1)));
  EXPECT_EQ(w["year_to_date"], R(D(2026, 1, 1), t));
  EXPECT_EQ(w["30d"].days(), 30);
  EXPECT_EQ(w["year_to_date"].days(), 31 + 28 + 24);
}

TEST(EarningsWindowTest, FirstOfMonthHasEmptyMonthToDate) {
  const Date t = D(2026, 4, 1);
  auto w = Windows(t, t);
  EXPECT_TRUE(w["month_to_date"].empty());
  EXPECT_EQ(w["previous_month"], R(D(2026, 3, 1), t));
  EXPECT_EQ(w["previous_month"].days(), 31);
  EXPECT_EQ(w["1d"], R(D(2026, 3, 31), t));
  EXPECT_EQ(w["year_to_date"].days(), 31 + 28 + 31);
}

TEST(EarningsWindowTest, NewYearHasEmptyYearAndMonthToDate) {
  const Date t = D(2027, 1, 1);
  auto w = Windows(t, t);
  EXPECT_TRUE(w["month_to_date"].empty());
  EXPECT_TRUE(w["year_to_date"].empty());
  EXPECT_EQ(w["previous_month"], R(D(2026, 12, 1), t));
  EXPECT_EQ(w["30d"], R(D(2026, 12, 2), t));
  EXPECT_EQ(w["7d"], R(D(2026, 12, 25), t));
}

TEST(EarningsWindowTest, LeapYearFebruary) {
  const Date t = D(2024, 3, 1);
  auto w = Windows(t, t);
  EXPECT_EQ(w["previous_month"], R(D(2024, 2, 1), t));
  EXPECT_EQ(w["previous_month"].days(), 29);
  EXPECT_EQ(w["30d"], R(D(2024, 1, 31), t));  // 29 February days, then 31 January
  EXPECT_EQ(w["year_to_date"].days(), 31 + 29);
  // Non-leap comparison: 2025-03-01 − 30 days is 2025-01-30.
  EXPECT_EQ(Windows(D(2025, 3, 1), D(2025, 3, 1))["30d"], R(D(2025, 1, 30), D(2025, 3, 1)));
}

TEST(EarningsWindowTest, FallBackMovesEveryEndButKeepsCalendarAnchors) {
  // Mid-month: everything ending at E moves one day back; previous_month is untouched.
  {
    const Date t = D(2026, 3, 25), e = D(2026, 3, 24);
    auto w = Windows(t, e);
    EXPECT_EQ(w["1d"], R(D(2026, 3, 23), e));
    EXPECT_EQ(w["7d"], R(D(2026, 3, 17), e));
    EXPECT_EQ(w["30d"], R(D(2026, 2, 22), e));
    EXPECT_EQ(w["month_to_date"], R(D(2026, 3, 1), e));
    EXPECT_EQ(w["previous_month"], R(D(2026, 2, 1), D(2026, 3, 1)));
    EXPECT_EQ(w["year_to_date"], R(D(2026, 1, 1), e));
  }
  // On the 1st: month_to_date stays empty (it does not become last month), previous_month
  // loses its last, not yet indexed, day.
  {
    const Date t = D(2026, 3, 1), e = D(2026, 2, 28);
    auto w = Windows(t, e);
    EXPECT_TRUE(w["month_to_date"].empty());
    EXPECT_EQ(w["previous_month"], R(D(2026, 2, 1), e));
    EXPECT_EQ(w["year_to_date"], R(D(2026, 1, 1), e));
    EXPECT_EQ(w["1d"], R(D(2026, 2, 27), e));
  }
  // On the 2nd: month_to_date would be [1st, 1st): empty; previous_month whole again.
  {
    const Date t = D(2026, 3, 2), e = D(2026, 3, 1);
    auto w = Windows(t, e);
    EXPECT_TRUE(w["month_to_date"].empty());
    EXPECT_EQ(w["previous_month"], R(D(2026, 2, 1), D(2026, 3, 1)));
  }
  // On 1 January: year_to_date stays empty, December loses its last day.
  {
    const Date t = D(2027, 1, 1), e = D(2026, 12, 31);
    auto w = Windows(t, e);
    EXPECT_TRUE(w["year_to_date"].empty());
    EXPECT_TRUE(w["month_to_date"].empty());
    EXPECT_EQ(w["previous_month"], R(D(2026, 12, 1), e));
  }
}

TEST(EarningsSplitTest, SevenDaysAcrossBme) {
  auto pieces = SplitEarningsRange(R(D(2026, 3, 18), D(2026, 3, 25)), ChainRates());
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].range, R(D(2026, 3, 18), D(2026, 3, 21)));
  EXPECT_EQ(pieces[0].regime.akt, *Decimal::Parse("0.02"));
  EXPECT_EQ(pieces[0].regime.act, *Decimal::Parse("0.2"));
  EXPECT_EQ(pieces[1].range, R(D(2026, 3, 21), D(2026, 3, 25)));
  EXPECT_TRUE(pieces[1].regime.akt.IsZero());
  EXPECT_TRUE(pieces[1].regime.act.IsZero());
}

TEST(EarningsSplitTest, BoundaryAtAnEdgeDoesNotSplit) {
  auto before = SplitEarningsRange(R(D(2026, 3, 14), D(2026, 3, 21)), ChainRates());
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].regime.akt, *Decimal::Parse("0.02"));
  auto after = SplitEarningsRange(R(D(2026, 3, 21), D(2026, 3, 28)), ChainRates());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_TRUE(after[0].regime.akt.IsZero());
  EXPECT_TRUE(SplitEarningsRange(R(D(2026, 3, 21), D(2026, 3, 21)), ChainRates()).empty());
}

TEST(EarningsSplitTest, ChunksAt365DaysAndSplitsAtEveryRegime) {
  // Three regimes: 4%/20% until 2025-06-01, 2%/20% until BME, then nothing.
  const std::vector<core::TakeRateRegime> rates = {
      {D(2025, 6, 1), *Decimal::Parse("0.04"), *Decimal::Parse("0.2")},
      {D(2026, 3, 21), *Decimal::Parse("0.02"), *Decimal::Parse("0.2")},
      {std::nullopt, Decimal(), Decimal()}};
  auto pieces = SplitEarningsRange(R(D(2024, 1, 1), D(2026, 6, 1)), rates);
  // [2024-01-01, 2025-06-01) is 517 days: 365 + 152. 2024 is a leap year, so 365 days from
  // 2024-01-01 end on 2024-12-31.
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].range, R(D(2024, 1, 1), D(2024, 12, 31)));
  EXPECT_EQ(pieces[1].range, R(D(2024, 12, 31), D(2025, 6, 1)));
  EXPECT_EQ(pieces[0].regime.akt, *Decimal::Parse("0.04"));
  EXPECT_EQ(pieces[1].regime.akt, *Decimal::Parse("0.04"));
  EXPECT_EQ(pieces[2].range, R(D(2025, 6, 1), D(2026, 3, 21)));
  EXPECT_EQ(pieces[2].regime.akt, *Decimal::Parse("0.02"));
  EXPECT_EQ(pieces[3].range, R(D(2026, 3, 21), D(2026, 6, 1)));
  EXPECT_TRUE(pieces[3].regime.akt.IsZero());
  for (const auto& p : pieces) EXPECT_LE(p.range.days(), kMaxEarningsRangeDays);

  // A leap year's year_to_date on 31 December is exactly 365 days: one request.
  EXPECT_EQ(SplitEarningsRange(R(D(2028, 1, 1), D(2028, 12, 31)), {}).size(), 1u);
  EXPECT_EQ(SplitEarningsRange(R(D(2028, 1, 1), D(2029, 1, 1)), {}).size(), 2u);
}

TEST(EarningsNetTest, NetFormulas) {
  // 1 AKT at $3 plus 0.5 ACT: usd = 3.5. Pre-BME rates 2% / 20%.
  EarningsAmounts gross{Decimal::FromInt(1000000), Decimal::FromInt(500000),
                        Decimal::FromInt(3500000)};
  auto net = NetEarnings(gross, ChainRates()[0]);
  EXPECT_EQ(net.uakt.ToString(), "980000");
  EXPECT_EQ(net.uact.ToString(), "400000");
  // 3.5e6 − 3e6·0.02 − 0.5e6·0.2 = 3.5e6 − 60000 − 100000
  EXPECT_EQ(net.uusd.ToString(), "3340000");
  auto post = NetEarnings(gross, ChainRates()[1]);
  EXPECT_EQ(post.uakt, gross.uakt);
  EXPECT_EQ(post.uact, gross.uact);
  EXPECT_EQ(post.uusd, gross.uusd);
}

// ---------------------------------------------------------------------------------------------
// The source against a simulated upstream

std::string QueryParam(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return "";
  std::size_t pos = q + 1;
  while (pos < url.size()) {
    const auto amp = url.find('&', pos);
    const std::string part =
        url.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

struct DayEarnings {
  std::int64_t uakt;
  std::int64_t uact;
  std::int64_t uusd;
};

// An upstream whose per-day earnings come from `day_fn`. Answers either route; for the key
// route it checks the header. `not_indexed_from` makes every range ending on or after that
// date answer 404 like the real services do for dates past the indexer.
class World {
 public:
  explicit World(std::function<DayEarnings(Date)> day_fn) : day_fn_(std::move(day_fn)) {}

  void Install(FakeFetcher& fetcher) {
    fetcher.SetHandler(
        [this](const core::Request& r) -> std::optional<core::Result<core::Response>> {
          return Answer(r);
        });
  }
  std::optional<Date> not_indexed_from;
  std::set<DayRange> fail_with_502;

 private:
  core::Result<core::Response> Answer(const core::Request& r) {
    const bool key_route =
        r.url.rfind(std::string(kProviderConsole) + "/provider-earnings?", 0) == 0;
    const bool public_route =
        r.url.rfind(std::string(kConsole) + "/v1/provider-earnings/" + kProvider + "?", 0) == 0;
    EXPECT_TRUE(key_route || public_route) << r.url;
    if (key_route) {
      bool has_key = false;
      for (const auto& [name, secret] : r.secret_headers) {
        has_key = has_key || (name == "X-API-Key" && secret.reveal() == kKey);
      }
      if (!has_key) return Respond(401, Fixture("errors/key_401_invalid.json"));
    }
    const auto from = Date::Parse(QueryParam(r.url, key_route ? "from_date" : "from"));
    const auto to = Date::Parse(QueryParam(r.url, key_route ? "to_date" : "to"));
    EXPECT_TRUE(from && to) << r.url;
    if (!from || !to) return Respond(422, Fixture("errors/key_422_missing_date.json"));
    EXPECT_LT(*from, *to) << "empty ranges must not be requested: " << r.url;
    EXPECT_LE(to->days() - from->days(), 365) << r.url;
    if (fail_with_502.contains(DayRange{*from, *to})) {
      return Respond(502, Fixture("errors/key_502_earnings_006.json"));
    }
    if (not_indexed_from && !(*to < *not_indexed_from)) {
      return key_route ? Respond(404, Fixture("errors/key_404_earnings_004.json"))
                       : Respond(404, Fixture("errors/console_404_to_block.json"));
    }
    DayEarnings sum{0, 0, 0};
    for (Date d = *from; d < *to; d = d.AddDays(1)) {
      const DayEarnings e = day_fn_(d);
      sum.uakt += e.uakt;
      sum.uact += e.uact;
      sum.uusd += e.uusd;
    }
    // The key API has no totalUActEarned; the Console route repeats the USDC figure there.
    std::string body = R"({"earnings":{"totalUAktEarned":)" + std::to_string(sum.uakt) +
                       R"(,"totalUUsdcEarned":)" + std::to_string(sum.uact);
    if (!key_route) body += R"(,"totalUActEarned":)" + std::to_string(sum.uact);
    body += R"(,"totalUUsdEarned":)" + std::to_string(sum.uusd) + "}}";
    return Respond(200, body);
  }

  std::function<DayEarnings(Date)> day_fn_;
};

// Every day: 1 AKT, 2 ACT, valued at $5 (AKT at $3).
DayEarnings Flat(Date) { return {1000000, 2000000, 5000000}; }

class EarningsSourceTest : public ::testing::Test {
 protected:
  ProviderEarningsSource MakeSource(bool with_key) {
    ProviderEarningsOptions o;
    o.provider = kProvider;
    o.console_api = kConsole;
    o.provider_console_api = std::string(kProviderConsole) + "/";
    if (with_key) o.earnings_api_key = core::Secret(kKey);
    o.take_rates = ChainRates();
    return ProviderEarningsSource(std::move(o));
  }

  core::Result<PollOutput> PollAt(ProviderEarningsSource& source,
                                  std::chrono::system_clock::time_point now) {
    fetcher_.ClearCalls();
    PollContext ctx{now, &facts_};
    return source.Poll(fetcher_, ctx);
  }

  double Get(const PollOutput& out, const std::string& metric, const std::string& window) {
    const auto v = Value(out, metric, {{"provider", kProvider}, {"window", window}});
    EXPECT_TRUE(v.has_value()) << metric << " " << window;
    return v.value_or(NAN);
  }

  core::SharedFacts facts_;
  FakeFetcher fetcher_;
};

TEST_F(EarningsSourceTest, HandDerivedValuesAcrossBme) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2026, 3, 25, 10));
  ASSERT_TRUE(out.ok()) << out.error().message;

  // Per day: gross 1 AKT / 2 ACT / $5. Net before 2026-03-21: 0.98 AKT, 1.6 ACT,
  // $5 − $3·0.02 − $2·0.2 = $4.54; from 2026-03-21 on: the gross values.
  struct Expect {
    const char* window;
    int days;
    int pre_bme_days;
  };
  const Expect expects[] = {
      {"1d", 1, 0},               // [03-24, 03-25)
      {"7d", 7, 3},               // 18, 19, 20 | 21..24
      {"30d", 30, 26},            // 23..28 Feb (6) + 1..20 Mar (20) | 21..24
      {"month_to_date", 24, 20},  // 1..20 | 21..24
      {"previous_month", 28, 28},
      {"year_to_date", 83, 79},  // 31 + 28 + 20 | 4
  };
  for (const auto& e : expects) {
    const int post = e.days - e.pre_bme_days;
    EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", e.window), e.days * 1.0) << e.window;
    EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_act", e.window), e.days * 2.0) << e.window;
    EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_usd", e.window), e.days * 5.0) << e.window;
    EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_akt", e.window),
                e.pre_bme_days * 0.98 + post * 1.0, 1e-9)
        << e.window;
    EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_act", e.window),
                e.pre_bme_days * 1.6 + post * 2.0, 1e-9)
        << e.window;
    EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_usd", e.window),
                e.pre_bme_days * 4.54 + post * 5.0, 1e-9)
        << e.window;
  }
  // Spot checks written out: 7d net USD = 3·4.54 + 4·5 = 33.62; YTD net AKT = 79·0.98 + 4.
  EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_usd", "7d"), 33.62, 1e-9);
  EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_akt", "year_to_date"), 81.42, 1e-9);
  EXPECT_EQ(*Value(*out, "akash_provider_earnings_window_end_timestamp_seconds",
                   {{"provider", kProvider}}),
            D(2026, 3, 25).MidnightSeconds());
}

TEST_F(EarningsSourceTest, FamiliesLabelsAndHelp) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2026, 8, 20, 10));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(source.name(), "provider_earnings");
  EXPECT_EQ(source.target(), kProvider);
  ASSERT_EQ(out->families.size(), 7u);
  const std::set<std::string> windows = {
      "1d", "7d", "30d", "month_to_date", "previous_month", "year_to_date"};
  for (const auto& f : out->families) {
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge) << f.name;
    EXPECT_NE(f.help.find("refreshed every provider_earnings interval"), std::string::npos)
        << f.name;
    EXPECT_NE(f.help.find("Earnings API"), std::string::npos) << f.name;
    if (f.name == "akash_provider_earnings_window_end_timestamp_seconds") {
      ASSERT_EQ(f.metric.size(), 1u);
      ASSERT_EQ(f.metric[0].label.size(), 1u);
      EXPECT_EQ(f.metric[0].label[0].name, "provider");
      continue;
    }
    std::set<std::string> seen;
    for (const auto& m : f.metric) {
      ASSERT_EQ(m.label.size(), 2u);
      EXPECT_EQ(m.label[0].name, "provider");
      EXPECT_EQ(m.label[0].value, kProvider);
      EXPECT_EQ(m.label[1].name, "window");
      seen.insert(m.label[1].value);
    }
    EXPECT_EQ(seen, windows) << f.name;
  }
  for (const char* name : {"akash_provider_earnings_akt", "akash_provider_earnings_act",
                           "akash_provider_earnings_usd", "akash_provider_net_earnings_akt",
                           "akash_provider_net_earnings_act", "akash_provider_net_earnings_usd"}) {
    EXPECT_NE(testing::FindFamily(*out, name), nullptr) << name;
  }
}

TEST_F(EarningsSourceTest, KeyRouteSendsSecretHeaderAndNoAddress) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  ASSERT_TRUE(PollAt(source, At(2026, 8, 20, 10)).ok());
  ASSERT_FALSE(fetcher_.calls().empty());
  for (const auto& call : fetcher_.calls()) {
    EXPECT_EQ(call.url.rfind(std::string(kProviderConsole) + "/provider-earnings?from_date=", 0),
              0u)
        << call.url;
    EXPECT_EQ(call.url.find(kKey), std::string::npos);
    EXPECT_EQ(call.url.find(kProvider), std::string::npos);
    ASSERT_EQ(call.secret_headers.count("X-API-Key"), 1u);
    EXPECT_EQ(call.secret_headers.at("X-API-Key"), kKey);
  }
  EXPECT_EQ(
      fetcher_.calls()[0].url,
      std::string(kProviderConsole) + "/provider-earnings?from_date=2026-08-19&to_date=2026-08-20");
}

TEST_F(EarningsSourceTest, PublicRouteWithoutKey) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(false);
  auto out = PollAt(source, At(2026, 8, 20, 10));
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_FALSE(fetcher_.calls().empty());
  EXPECT_EQ(fetcher_.calls()[0].url, std::string(kConsole) + "/v1/provider-earnings/" + kProvider +
                                         "?from=2026-08-19&to=2026-08-20");
  for (const auto& call : fetcher_.calls()) EXPECT_TRUE(call.secret_headers.empty());
  // August 2026 is all post-BME: 19 complete days so far, ACT read from totalUActEarned.
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_act", "month_to_date"), 38.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_net_earnings_act", "month_to_date"), 38.0);
}

TEST_F(EarningsSourceTest, RejectedKeyIsAuthWithoutFallbackOrKeyText) {
  auto source = MakeSource(true);
  for (const char* fixture : {"errors/key_401_invalid.json", "errors/key_401_required.json"}) {
    fetcher_.SetHandler([&](const core::Request&) -> std::optional<core::Result<core::Response>> {
      return Respond(401, Fixture(fixture));
    });
    auto out = PollAt(source, At(2026, 8, 20, 10));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, ErrorReason::kAuth) << fixture;
    EXPECT_EQ(out.error().message.find(kKey), std::string::npos);
    EXPECT_EQ(out.error().message.find("0123456789abcdef"), std::string::npos);
    ASSERT_EQ(fetcher_.calls().size(), 1u);  // no retry on another route
    EXPECT_EQ(fetcher_.calls()[0].url.rfind(kProviderConsole, 0), 0u);
  }
}

TEST_F(EarningsSourceTest, ErrorBodiesMapToReasons) {
  struct Case {
    int status;
    const char* fixture;
    ErrorReason reason;
    const char* code;  // expected in the message, "" for none
  };
  const Case cases[] = {
      {400, "errors/key_400_earnings_002.json", ErrorReason::kHttp4xx, "EARNINGS_002"},
      {400, "errors/key_400_earnings_003.json", ErrorReason::kHttp4xx, "EARNINGS_003"},
      {422, "errors/key_422_missing_date.json", ErrorReason::kHttp4xx, "validation_error"},
      {502, "errors/key_502_earnings_006.json", ErrorReason::kHttp5xx, "EARNINGS_006"},
      {502, "errors/key_502_earnings_009.json", ErrorReason::kHttp5xx, "EARNINGS_009"},
      {503, "errors/key_503_earnings_008.json", ErrorReason::kHttp5xx, "EARNINGS_008"},
      {504, "errors/key_504_earnings_007.json", ErrorReason::kHttp5xx, "EARNINGS_007"},
      {500, "errors/key_500_earnings_001.json", ErrorReason::kHttp5xx, "EARNINGS_001"},
      {403, "errors/cloudflare_403.html", ErrorReason::kAuth, ""},
      {429, "errors/cloudflare_429.html", ErrorReason::kRateLimited, ""},
      {200, "errors/cloudflare_403.html", ErrorReason::kParse, ""},
      {200, "earnings/truncated.json", ErrorReason::kParse, ""},
  };
  for (const auto& c : cases) {
    auto source = MakeSource(true);
    fetcher_.SetHandler([&](const core::Request&) -> std::optional<core::Result<core::Response>> {
      core::Response r = Respond(c.status, Fixture(c.fixture));
      if (c.status == 429 || c.status == 503) r.retry_after = std::chrono::seconds(120);
      return r;
    });
    auto out = PollAt(source, At(2026, 8, 20, 10));
    ASSERT_FALSE(out.ok()) << c.fixture;
    EXPECT_EQ(out.error().reason, c.reason) << c.fixture << ": " << out.error().message;
    EXPECT_NE(out.error().message.find(c.code), std::string::npos) << out.error().message;
    if (c.status == 429) {
      EXPECT_EQ(out.error().retry_after, std::chrono::seconds(120));
    }
    EXPECT_EQ(fetcher_.calls().size(), 1u) << "a failed request ends the poll";
    EXPECT_EQ(source.cached_ranges(), 0u);
  }
}

TEST_F(EarningsSourceTest, TransportErrorPassesThrough) {
  auto source = MakeSource(false);
  fetcher_.SetHandler([](const core::Request&) -> std::optional<core::Result<core::Response>> {
    return core::Result<core::Response>(core::MakeError(ErrorReason::kConnect, "refused"));
  });
  auto out = PollAt(source, At(2026, 8, 20, 10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kConnect);
}

TEST_F(EarningsSourceTest, CacheSameDayAndNextDay) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  // E = 2026-03-25 needs 7 distinct ranges: [03-24,03-25), [03-18,03-21), [03-21,03-25),
  // [02-23,03-21), [03-01,03-21), [02-01,03-01), [01-01,03-21).
  ASSERT_TRUE(PollAt(source, At(2026, 3, 25, 0, 30)).ok());
  EXPECT_EQ(fetcher_.calls().size(), 7u);
  EXPECT_EQ(source.cached_ranges(), 7u);

  // Same day, an hour later: nothing to ask.
  auto again = PollAt(source, At(2026, 3, 25, 1, 30));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(fetcher_.calls().size(), 0u);
  EXPECT_DOUBLE_EQ(Get(*again, "akash_provider_earnings_akt", "year_to_date"), 83.0);

  // Next day: [03-25,03-26), [03-19,03-21), [03-21,03-26), [02-24,03-21) are new;
  // [03-01,03-21), [02-01,03-01) and [01-01,03-21) are reused.
  auto next = PollAt(source, At(2026, 3, 26, 0, 30));
  ASSERT_TRUE(next.ok());
  std::set<std::string> urls;
  for (const auto& c : fetcher_.calls()) urls.insert(c.url);
  const std::string base = std::string(kProviderConsole) + "/provider-earnings?";
  EXPECT_EQ(urls, (std::set<std::string>{
                      base + "from_date=2026-03-25&to_date=2026-03-26",
                      base + "from_date=2026-03-19&to_date=2026-03-21",
                      base + "from_date=2026-03-21&to_date=2026-03-26",
                      base + "from_date=2026-02-24&to_date=2026-03-21",
                  }));
  EXPECT_EQ(fetcher_.calls().size(), 4u);
  EXPECT_EQ(source.cached_ranges(), 7u);  // the ranges of yesterday's poll were dropped
  EXPECT_DOUBLE_EQ(Get(*next, "akash_provider_earnings_akt", "year_to_date"), 84.0);
  EXPECT_NEAR(Get(*next, "akash_provider_net_earnings_akt", "7d"), 2 * 0.98 + 5, 1e-9);
}

TEST_F(EarningsSourceTest, NewYearDayRequestsNoEmptyWindows) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2027, 1, 1, 3));
  ASSERT_TRUE(out.ok()) << out.error().message;
  // 1d, 7d, 30d and previous_month; month_to_date and year_to_date are empty.
  EXPECT_EQ(fetcher_.calls().size(), 4u);
  EXPECT_EQ(Get(*out, "akash_provider_earnings_akt", "year_to_date"), 0.0);
  EXPECT_EQ(Get(*out, "akash_provider_net_earnings_usd", "year_to_date"), 0.0);
  EXPECT_EQ(Get(*out, "akash_provider_earnings_akt", "month_to_date"), 0.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "previous_month"), 31.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "30d"), 30.0);
}

TEST_F(EarningsSourceTest, LeapYearPreviousMonthBeforeBme) {
  World world(Flat);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2024, 3, 1, 6));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "previous_month"), 29.0);
  EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_akt", "previous_month"), 29 * 0.98, 1e-9);
  EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_usd", "previous_month"), 29 * 4.54, 1e-9);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "year_to_date"), 60.0);
  EXPECT_EQ(Get(*out, "akash_provider_earnings_akt", "month_to_date"), 0.0);
}

TEST_F(EarningsSourceTest, FallBackWhenYesterdayIsNotIndexed) {
  World world(Flat);
  world.not_indexed_from = D(2026, 3, 25);
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2026, 3, 25, 0, 5));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*Value(*out, "akash_provider_earnings_window_end_timestamp_seconds",
                   {{"provider", kProvider}}),
            D(2026, 3, 24).MidnightSeconds());
  // One probe (404), then E = 03-24: [03-23,03-24), [03-17,03-21), [03-21,03-24),
  // [02-22,03-21), [03-01,03-21), [02-01,03-01), [01-01,03-21).
  EXPECT_EQ(fetcher_.calls().size(), 8u);
  EXPECT_EQ(
      fetcher_.calls()[0].url,
      std::string(kProviderConsole) + "/provider-earnings?from_date=2026-03-24&to_date=2026-03-25");
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "1d"), 1.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "7d"), 7.0);
  EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_akt", "7d"), 4 * 0.98 + 3, 1e-9);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "month_to_date"), 23.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "previous_month"), 28.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "year_to_date"), 82.0);

  // Still not indexed an hour later: only the probe is repeated.
  ASSERT_TRUE(PollAt(source, At(2026, 3, 25, 1, 5)).ok());
  EXPECT_EQ(fetcher_.calls().size(), 1u);

  // Indexed now: the windows end today again, fetching only what moved.
  world.not_indexed_from.reset();
  auto caught_up = PollAt(source, At(2026, 3, 25, 2, 5));
  ASSERT_TRUE(caught_up.ok());
  EXPECT_EQ(fetcher_.calls().size(), 4u);
  EXPECT_EQ(*Value(*caught_up, "akash_provider_earnings_window_end_timestamp_seconds",
                   {{"provider", kProvider}}),
            D(2026, 3, 25).MidnightSeconds());
  EXPECT_DOUBLE_EQ(Get(*caught_up, "akash_provider_earnings_akt", "year_to_date"), 83.0);
}

TEST_F(EarningsSourceTest, FallBackOnTheFirstClipsPreviousMonth) {
  World world(Flat);
  world.not_indexed_from = D(2026, 3, 1);
  world.Install(fetcher_);
  auto source = MakeSource(false);  // the Console route says "To block not found"
  auto out = PollAt(source, At(2026, 3, 1, 0, 10));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*Value(*out, "akash_provider_earnings_window_end_timestamp_seconds",
                   {{"provider", kProvider}}),
            D(2026, 2, 28).MidnightSeconds());
  EXPECT_EQ(Get(*out, "akash_provider_earnings_akt", "month_to_date"), 0.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "previous_month"), 27.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "year_to_date"), 58.0);
  EXPECT_NEAR(Get(*out, "akash_provider_net_earnings_act", "previous_month"), 27 * 1.6, 1e-9);
}

TEST_F(EarningsSourceTest, SecondNotFoundIsAnError) {
  World world(Flat);
  world.not_indexed_from = D(2026, 3, 24);  // two days behind: the fall back is not enough
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2026, 3, 25, 0, 5));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kHttp4xx);
  EXPECT_NE(out.error().message.find("EARNINGS_004"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("may not be a provider"), std::string::npos);
  EXPECT_EQ(fetcher_.calls().size(), 2u);
}

TEST_F(EarningsSourceTest, NotAProviderIsAnError) {
  auto source = MakeSource(false);
  fetcher_.SetHandler([](const core::Request&) -> std::optional<core::Result<core::Response>> {
    return Respond(404, Fixture("errors/plain_404_provider_not_found.txt"), "text/plain");
  });
  auto out = PollAt(source, At(2026, 8, 20, 10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kHttp4xx);
  EXPECT_EQ(fetcher_.calls().size(), 2u);  // probe, fall back, give up
}

TEST_F(EarningsSourceTest, NotFoundForAnOlderRangeDoesNotFallBack) {
  auto source = MakeSource(false);
  // Ranges from 1 January answer "From block not found"; everything else 1 AKT a day.
  fetcher_.SetHandler([](const core::Request& r) -> std::optional<core::Result<core::Response>> {
    if (QueryParam(r.url, "from") == "2026-01-01") {
      return Respond(404, Fixture("errors/console_404_from_block.json"));
    }
    const auto f = Date::Parse(QueryParam(r.url, "from"));
    const auto t = Date::Parse(QueryParam(r.url, "to"));
    const std::int64_t days = t->days() - f->days();
    return Respond(200, R"({"earnings":{"totalUAktEarned":)" + std::to_string(days * 1000000) +
                            R"(,"totalUUsdcEarned":0,"totalUActEarned":0,"totalUUsdEarned":0}})");
  });
  auto out = PollAt(source, At(2026, 8, 20, 10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kHttp4xx);
  EXPECT_NE(out.error().message.find("not_found"), std::string::npos) << out.error().message;
  for (const auto& c : fetcher_.calls()) {
    // A fall back would have asked for ranges ending at 2026-08-19.
    EXPECT_EQ(c.url.find("to=2026-08-19"), std::string::npos) << "no fall back: " << c.url;
  }
}

TEST_F(EarningsSourceTest, FailedPollKeepsWhatItFetched) {
  World world(Flat);
  world.fail_with_502.insert(R(D(2026, 2, 1), D(2026, 3, 1)));  // previous_month, asked last
  world.Install(fetcher_);
  auto source = MakeSource(true);
  auto out = PollAt(source, At(2026, 3, 25, 10));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kHttp5xx);
  EXPECT_EQ(fetcher_.calls().size(), 7u);
  EXPECT_EQ(source.cached_ranges(), 6u);

  world.fail_with_502.clear();
  auto retry = PollAt(source, At(2026, 3, 25, 11));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  ASSERT_EQ(fetcher_.calls().size(), 1u);
  EXPECT_NE(fetcher_.calls()[0].url.find("from_date=2026-02-01&to_date=2026-03-01"),
            std::string::npos);
  EXPECT_DOUBLE_EQ(Get(*retry, "akash_provider_earnings_akt", "previous_month"), 28.0);
}

// A reference model: sum per day with the rate of that day, independent of how the source
// splits and caches. Day values vary so that a misplaced or double-counted sub-range shows.
TEST_F(EarningsSourceTest, MatchesPerDayReferenceOverAYear) {
  auto day_fn = [](Date d) -> DayEarnings {
    const std::int64_t k = d.days();
    const std::int64_t uakt = 1000000 + 1000 * (k % 97);
    const std::int64_t uact = 500000 + 7 * (k % 13);
    return {uakt, uact, 3 * uakt + uact};
  };
  World world(day_fn);
  world.Install(fetcher_);
  auto source = MakeSource(false);
  const auto rates = ChainRates();
  for (Date today = D(2026, 1, 1); today < D(2027, 1, 3); today = today.AddDays(1)) {
    auto out = PollAt(source, today.Midnight() + std::chrono::hours(3));
    ASSERT_TRUE(out.ok()) << today.ToString() << ": " << out.error().message;
    EXPECT_LE(fetcher_.calls().size(), 9u) << today.ToString();
    for (const auto& w : PlanEarningsWindows(today, today)) {
      long double akt = 0, act = 0, usd = 0, nakt = 0, nact = 0, nusd = 0;
      for (Date d = w.range.from; d < w.range.to; d = d.AddDays(1)) {
        const DayEarnings e = day_fn(d);
        const bool pre = d < D(2026, 3, 21);
        const long double ra = pre ? 0.02L : 0, rc = pre ? 0.20L : 0;
        akt += e.uakt;
        act += e.uact;
        usd += e.uusd;
        nakt += e.uakt * (1 - ra);
        nact += e.uact * (1 - rc);
        nusd += e.uusd - (e.uusd - e.uact) * ra - e.uact * rc;
      }
      auto near = [&](const char* metric, long double micro) {
        const double expected = static_cast<double>(micro / 1e6L);
        EXPECT_NEAR(Get(*out, metric, w.name), expected, 1e-9 * std::max(1.0, expected))
            << today.ToString() << " " << w.name << " " << metric;
      };
      near("akash_provider_earnings_akt", akt);
      near("akash_provider_earnings_act", act);
      near("akash_provider_earnings_usd", usd);
      near("akash_provider_net_earnings_akt", nakt);
      near("akash_provider_net_earnings_act", nact);
      near("akash_provider_net_earnings_usd", nusd);
    }
    if (HasFailure()) break;
  }
}

// ---------------------------------------------------------------------------------------------
// The completed-day cache kept in PollContext::state (a reload or, with --storage.path, a restart)

TEST(EarningsCacheBlobTest, RoundTripsExactly) {
  std::map<DayRange, EarningsAmounts> cache;
  cache[R(D(2026, 3, 24), D(2026, 3, 25))] = {*Decimal::Parse("198821549.899183"),
                                              *Decimal::Parse("62549.30588271079"),
                                              *Decimal::Parse("523063470.03441215")};
  cache[R(D(2026, 1, 1), D(2026, 3, 21))] = {Decimal(), *Decimal::Parse("0.000001"),
                                             *Decimal::Parse("1.5")};
  const std::string blob = EncodeEarningsCache(cache);
  EXPECT_NE(blob.find("\"v\":1"), std::string::npos) << blob;
  auto back = DecodeEarningsCache(blob);
  ASSERT_TRUE(back.has_value()) << blob;
  ASSERT_EQ(back->size(), 2u);
  const EarningsAmounts& a = back->at(R(D(2026, 3, 24), D(2026, 3, 25)));
  EXPECT_EQ(a.uakt.ToString(), "198821549.899183");
  EXPECT_EQ(a.uact.ToString(), "62549.30588271079");
  EXPECT_EQ(a.uusd.ToString(), "523063470.03441215");
  EXPECT_EQ(back->at(R(D(2026, 1, 1), D(2026, 3, 21))).uact.ToString(), "0.000001");
}

TEST(EarningsCacheBlobTest, AnythingElseIsAbsent) {
  const char* const bad[] = {
      "",
      "garbage",
      R"({"v":1,"ranges":[["2026-03-24","2026-03-25","1","2")",  // truncated
      R"({"v":2,"ranges":[]})",                                  // a newer format
      R"({"ranges":[]})",
      R"({"v":1,"ranges":{}})",
      R"({"v":1,"ranges":[["2026-03-24","2026-03-25","1","2"]]})",
      R"({"v":1,"ranges":[["2026-03-24","2026-03-25","1","2","x"]]})",
      R"({"v":1,"ranges":[["2026-03-25","2026-03-24","1","2","3"]]})",
      R"({"v":1,"ranges":[["2026-02-30","2026-03-24","1","2","3"]]})",
      R"({"v":1,"ranges":[["2026-03-24","2026-03-25",1,2,3]]})",
      R"([1,2,3])",
  };
  for (const char* blob : bad) EXPECT_FALSE(DecodeEarningsCache(blob).has_value()) << blob;
  EXPECT_TRUE(DecodeEarningsCache(R"({"v":1,"ranges":[]})").has_value());
}

TEST_F(EarningsSourceTest, ASecondSourceWithTheSameStateAsksOnlyForNewRanges) {
  World world(Flat);
  world.Install(fetcher_);
  core::SourceState state("provider_earnings", kProvider);
  {
    auto first = MakeSource(true);
    fetcher_.ClearCalls();
    PollContext ctx{At(2026, 3, 25, 0, 30), &facts_, &state};
    ASSERT_TRUE(first.Poll(fetcher_, ctx).ok());
    EXPECT_EQ(fetcher_.calls().size(), 7u);
  }
  EXPECT_TRUE(state.dirty());
  ASSERT_TRUE(state.Get(kEarningsCacheBlob).has_value());

  // A restart (or reload) on the same day: a new Source, the same state, no request at all,
  // and the same figures as the first poll derived.
  auto second = MakeSource(true);
  fetcher_.ClearCalls();
  PollContext same_day{At(2026, 3, 25, 5), &facts_, &state};
  auto out = second.Poll(fetcher_, same_day);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(fetcher_.calls().size(), 0u);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "year_to_date"), 83.0);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_usd", "30d"), 150.0);

  // The next day, a third Source fetches only the four ranges that moved.
  auto third = MakeSource(true);
  fetcher_.ClearCalls();
  PollContext next_day{At(2026, 3, 26, 0, 30), &facts_, &state};
  auto next = third.Poll(fetcher_, next_day);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(fetcher_.calls().size(), 4u);
  EXPECT_DOUBLE_EQ(Get(*next, "akash_provider_earnings_akt", "year_to_date"), 84.0);
  // The blob now holds exactly the ranges of that poll.
  auto kept = DecodeEarningsCache(*state.Get(kEarningsCacheBlob));
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->size(), 7u);
  EXPECT_TRUE(kept->contains(R(D(2026, 3, 25), D(2026, 3, 26))));
  EXPECT_FALSE(kept->contains(R(D(2026, 3, 24), D(2026, 3, 25))));
}

TEST_F(EarningsSourceTest, AnUnparsableBlobIsTreatedAsAbsent) {
  World world(Flat);
  world.Install(fetcher_);
  core::SourceState state("provider_earnings", kProvider);
  state.Put(kEarningsCacheBlob, R"({"v":1,"ranges":[["2026-03-24")");
  auto source = MakeSource(true);
  fetcher_.ClearCalls();
  PollContext ctx{At(2026, 3, 25, 0, 30), &facts_, &state};
  auto out = source.Poll(fetcher_, ctx);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(fetcher_.calls().size(), 7u);
  EXPECT_DOUBLE_EQ(Get(*out, "akash_provider_earnings_akt", "year_to_date"), 83.0);
  // The bad blob was replaced by a good one.
  EXPECT_TRUE(DecodeEarningsCache(*state.Get(kEarningsCacheBlob)).has_value());
}

TEST_F(EarningsSourceTest, AFailedPollStillKeepsWhatItFetchedInTheState) {
  World world(Flat);
  world.fail_with_502.insert(R(D(2026, 2, 1), D(2026, 3, 1)));  // asked last
  world.Install(fetcher_);
  core::SourceState state("provider_earnings", kProvider);
  {
    auto source = MakeSource(true);
    PollContext ctx{At(2026, 3, 25, 10), &facts_, &state};
    ASSERT_FALSE(source.Poll(fetcher_, ctx).ok());
  }
  world.fail_with_502.clear();
  auto source = MakeSource(true);
  fetcher_.ClearCalls();
  PollContext ctx{At(2026, 3, 25, 11), &facts_, &state};
  auto out = source.Poll(fetcher_, ctx);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(fetcher_.calls().size(), 1u);
  EXPECT_NE(fetcher_.calls()[0].url.find("from_date=2026-02-01&to_date=2026-03-01"),
            std::string::npos);
}

}  // namespace
}  // namespace akash::collectors
