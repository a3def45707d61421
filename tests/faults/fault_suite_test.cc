// Fault injection against akash_sim: every source × every fault class the simulator offers.
//
// One simulator and one exporter per fault kind (a TEST_P instance, so `ctest -j2` runs two at
// once), with every source polling at once: interval 1 s, timeout 1 s, max_staleness 4 s (the
// upstream is on 127.0.0.1, so no interval floor applies). The fault is put on every route of
// every source together, and for each source the test checks:
//   - /metrics keeps answering, each scrape in under a second;
//   - the source goes down with the reason the fault must map to (and no other reason is counted);
//   - its last good values stay while younger than max_staleness and are withdrawn after;
//   - back-off is respected: the simulator's request count per route during the fault is at most
//     what the back-off rule (exporter/sched/backoff.h, the fastest jitter) allows, and at least
//     one retry happened (except under a huge Retry-After, which must hold the source at the cap
//     and say so in the log);
//   - the source recovers on the next good answer once the fault is cleared.
// Faults that are not errors (numeric strings, exponent floats) must keep every source up with
// the same values.
//
// provider_earnings caches completed days: after its first good poll of a day it sends nothing,
// so a fault added later would never be seen. Its fault is therefore put on before the exporter
// starts; for it the suite checks the reason, the back-off, that no value is ever published
// while it has never succeeded, and the recovery (not "values stay until max_staleness", which
// needs a good poll before the fault).
//
// The blocking key file (a FIFO as earnings key file: refused promptly by --config.check, at
// start and on reload) is covered by tests/integration/robustness_test.cc.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exporter/sched/backoff.h"
#include "tests/faults/sim_control.h"
#include "tests/integration/harness.h"

namespace akash::itest {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Rendering is in the background: a change shows ~20 ms later, but a withdrawal with no change
// behind it waits for the re-render a scrape triggers when the body is older than 1 s
// (exposition.h max_cache_age), and that scrape still gets the previous body. So values may be
// seen up to this much past max_staleness, and never withdrawn before it (minus clock skew
// between the steady clock the store uses and the wall clock of last_success).
constexpr std::chrono::milliseconds kLateSlack{1500};
// chain_leases pages: the provider has ~24 leases, so a crawl takes several pages.
const std::string kChainPageLimit = "5";
constexpr std::chrono::milliseconds kEarlySlack{250};

// One row per source. To add a source: its name, the simulator routes it calls, a family only it
// publishes, whether its target is a provider (else a tenant or none), and whether it caches
// its upstream's answers so that only its first poll reaches the upstream.
struct SourceRow {
  const char* source;
  std::vector<const char*> routes;
  const char* value_family;
  enum class Target { kNone, kProvider, kTenant } target;
  bool fault_from_start;
  // Requests a poll sends before pagination_loop fails it (a list route answers good pages
  // until a next_key repeats); every other fault fails a poll on its first request.
  int requests_per_looping_poll = 1;
};

const std::vector<SourceRow>& Sources() {
  static const std::vector<SourceRow> rows = {
      {"market", {"market"}, "akash_akt_price_usd", SourceRow::Target::kNone, false},
      {"provider_dashboard",
       {"provider_dashboard"},
       "akash_provider_leases_active",
       SourceRow::Target::kProvider,
       false},
      {"provider_status",
       {"provider"},
       "akash_provider_online",
       SourceRow::Target::kProvider,
       false},
      {"provider_earnings",
       {"provider_console_earnings"},
       "akash_provider_earnings_window_end_timestamp_seconds",
       SourceRow::Target::kProvider,
       true},
#ifdef AKASH_FAULTS_CHAIN_LEASES
      // A small page_limit (see SetUp) makes its crawl take several pages, so pagination_loop
      // has a next_key to repeat.
      {"chain_leases",
       {"leases", "bids", "blocks_latest", "blocks"},
       "akash_provider_chain_leases",
       SourceRow::Target::kProvider,
       false,
       // blocks/latest, the block-interval sample, leases page 1, page 2 repeating page 1's key.
       4},
#endif
#ifdef AKASH_FAULTS_TENANT_SOURCES
      // tenant_usage caches complete days like provider_earnings: only today's row is refetched.
      {"tenant_usage",
       {"usage_history"},
       "akash_tenant_spent_usd_total",
       SourceRow::Target::kTenant,
       false},
      {"tenant_billing",
       {"stripe_transactions", "balances", "deployments", "deployment", "user_me", "wallets",
        "console_blocks"},
       "akash_tenant_balance_act",
       SourceRow::Target::kTenant,
       false},
#endif
  };
  return rows;
}

// A fault class: the simulator's kind and argument, and what each source must report.
struct FaultCase {
  const char* name;  // test name
  const char* kind;
  const char* arg;
  const char* reason;  // nullptr: not an error, every source stays up with the same values
  // Retry-After the upstream asks for, as the exporter will read it (seconds; 0: none).
  long retry_after_s = 0;
  bool chain_only = false;  // applies to chain_leases only (list routes)
  // Every source's interval and timeout. max_staleness must outlast the first failed poll
  // (interval + timeout after the last good one) by more than the render slack: 4 s at 1 s, the
  // default 3 intervals beyond.
  std::chrono::milliseconds interval{1000};

  std::chrono::milliseconds max_staleness() const {
    return std::max(std::chrono::milliseconds{4000}, 3 * interval);
  }
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.name; }

// A Retry-After far beyond any cap (11.6 days): the source must wait its back-off cap.
constexpr long kHugeRetryAfter = 1'000'000;

const FaultCase kFaults[] = {
    {"Http500", "500", "", "http_5xx"},
    {"Http502", "502", "", "http_5xx"},
    {"Http503", "503", "", "http_5xx"},
    {"Http504", "504", "", "http_5xx"},
    {"Http401", "401", "", "auth"},
    {"RateLimitedRetryAfterSeconds", "429", "2", "rate_limited", 2},
    // An HTTP-date 3 s ahead reads as 2-3 s once rounded to whole seconds.
    {"RateLimitedRetryAfterDate", "429_date", "3", "rate_limited", 2},
    {"RateLimitedHugeRetryAfter", "429", "1000000", "rate_limited", kHugeRetryAfter},
    {"Timeout", "timeout", "3000", "timeout"},  // held 3 s, longer than the 1 s timeout
    {"Drip", "drip", "3000", "timeout"},        // body trickled over 3 s
    {"Reset", "reset", "", "connect"},
    {"Truncate", "truncate", "", "parse"},
    {"InvalidJson", "invalid_json", "", "parse"},
    {"WrongTypes", "wrong_types", "", "parse"},
    // An HTML 403 from the edge says nothing about the key: rate_limited, not auth.
    {"CloudflareChallenge", "cloudflare", "", "rate_limited"},
    // Above the 64 MiB body cap. The simulator needs seconds to produce 65 MiB on a loaded CI
    // machine, and the body cap can only answer once the headers arrive: 5 s timeouts here.
    {"Oversize", "oversize", "65", "too_large", 0, false, std::chrono::milliseconds{5000}},
    {"PaginationLoop", "pagination_loop", "", "parse", 0, true},
    {"NumericStrings", "numeric_strings", "", nullptr},
    {"ExponentFloats", "exponent_floats", "", nullptr},
};

const char* const kReasons[] = {"timeout",  "connect",  "rate_limited", "auth",
                                "http_4xx", "http_5xx", "parse",        "too_large"};

std::string Label(const std::string& name, const std::string& value) {
  return name + "=\"" + value + "\"";
}

// Sample lines of `family` for one target, sorted (the family's name must be followed by '{').
std::vector<std::string> FamilySamples(const std::string& body, const std::string& family,
                                       const std::string& target) {
  std::vector<std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(family, 0) != 0) continue;
    if (line.size() <= family.size() || (line[family.size()] != '{' && line[family.size()] != ' '))
      continue;
    if (!target.empty() && line.find("\"" + target + "\"") == std::string::npos) continue;
    out.push_back(line);
  }
  return out;
}

// Whether the log has the scheduler's "waiting the cap" line for `source`.
bool LoggedCap(const std::string& log, const std::string& source) {
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("waiting the cap") == std::string::npos) continue;
    const std::string field = "source=" + source;
    const auto pos = line.find(field);
    if (pos != std::string::npos &&
        (pos + field.size() == line.size() || line[pos + field.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

// The value of a sample line ("name{...} 1.5").
double LineValue(const std::string& line) { return std::stod(line.substr(line.rfind(' ') + 1)); }

// The most requests that `failed_polls` consecutive failures can make in `window`: each failed
// poll sends one request to the faulted routes (a failed request ends the poll; no retry fits
// in a 1 s interval), and the next waits FailureDelay with the fastest jitter (-10 %). One more
// is allowed for a poll that was already on its way when the fault went on.
long MaxRequests(std::chrono::milliseconds interval, std::chrono::milliseconds window,
                 long retry_after_s) {
  std::optional<std::chrono::seconds> ra;
  if (retry_after_s > 0) ra = std::chrono::seconds(retry_after_s);
  long n = 1;
  std::chrono::milliseconds t{0};
  for (int failures = 1;; ++failures) {
    t += sched::FailureDelay(interval, failures, ra, -1.0);
    if (t > window) break;
    ++n;
  }
  return n + 1;
}

class FaultSuite : public ::testing::TestWithParam<FaultCase> {
 protected:
  struct Row {
    const SourceRow* def;
    std::string target;
    std::vector<std::string> good;  // value samples before the fault
    bool seen_down_with_values = false;
    bool seen_withdrawn = false;
  };

  void SetUp() override {
    const FaultCase& fault = GetParam();
    for (const SourceRow& def : Sources()) {
      if (fault.chain_only && std::string(def.source) != "chain_leases") continue;
      rows_.push_back(Row{&def, "", {}});
    }
    if (rows_.empty()) GTEST_SKIP() << fault.name << ": no source on this build calls such a route";

    sim_ = StartSim(dir_, {"--seed=14", "--providers=1", "--tenants=1", "--leases=24",
                           "--start-time=now", "--time-scale=0"});
    rapidjson::Document world;
    world.Parse(Http("GET", sim_.base_url + "/_sim/world").body.c_str());
    ASSERT_FALSE(world.HasParseError());
    const std::string provider = world["providers"][0]["address"].GetString();
    const std::string tenant = world["tenants"][0]["address"].GetString();
    const std::string earnings_key =
        dir_.Write("earnings.key", world["providers"][0]["earnings_api_key"].GetString());
    const std::string console_key =
        dir_.Write("console.key", world["tenants"][0]["console_api_key"].GetString());
    chmod(earnings_key.c_str(), 0400);
    chmod(console_key.c_str(), 0400);
    for (Row& row : rows_) {
      if (row.def->target == SourceRow::Target::kProvider) row.target = provider;
      if (row.def->target == SourceRow::Target::kTenant) row.target = tenant;
    }

    std::ostringstream config;
    config << "providers:\n  - address: " << provider
           << "\n    earnings_api_key_file: " << earnings_key
           << "\ntenants:\n  - address: " << tenant << "\n    console_api_key_file: " << console_key
           << "\nendpoints:\n  console_api: " << sim_.base_url
           << "\n  provider_console_api: " << sim_.base_url << "\n  chain_rest: [" << sim_.base_url
           << "]\nsources:\n";
    std::set<std::string> enabled;
    for (const Row& row : rows_) enabled.insert(row.def->source);
    for (const char* source :
         {"market", "provider_dashboard", "provider_earnings", "provider_status", "chain_leases",
          "tenant_usage", "tenant_billing"}) {
      if (enabled.count(source)) {
        config << "  " << source << ": {interval: " << fault.interval.count()
               << "ms, timeout: " << fault.interval.count()
               << "ms, max_staleness: " << fault.max_staleness().count() << "ms"
               << (std::string(source) == "chain_leases" ? ", page_limit: " + kChainPageLimit : "")
               << "}\n";
      } else {
        config << "  " << source << ": {enabled: false}\n";
      }
    }

    for (const Row& row : rows_) {
      if (row.def->fault_from_start) ApplyFault(row);
    }
    exporter_ = StartExporter(dir_, config.str());
  }

  void TearDown() override {
    if (exporter_.process && HasFailure()) {
      std::fprintf(stderr, "exporter log:\n%s\n", exporter_.process->Stderr().c_str());
    }
  }

  void ApplyFault(const Row& row) {
    for (const char* route : row.def->routes) {
      AddFault(sim_.base_url, route, GetParam().kind, GetParam().arg);
    }
  }

  // One scrape; it must answer 200 within a second.
  std::string Scrape() {
    const auto start = SteadyClock::now();
    const HttpResult r = Http("GET", exporter_.base_url + "/metrics");
    const auto took = SteadyClock::now() - start;
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_LT(took, 1s) << "a scrape took "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms";
    return r.body;
  }

  std::string Series(const char* name, const Row& row, const char* reason = nullptr) const {
    std::string s = std::string(name) + "{" + Label("source", row.def->source) + "," +
                    Label("target", row.target);
    if (reason) s += "," + Label("reason", reason);
    return s + "}";
  }
  double Errors(const std::string& body, const Row& row, const char* reason) const {
    return SampleValue(body, Series("akash_exporter_source_errors_total", row, reason)).value_or(0);
  }
  std::optional<double> Up(const std::string& body, const Row& row) const {
    return SampleValue(body, Series("akash_exporter_source_up", row));
  }
  // Seconds since the last good poll (wall clock), or nullopt when there was none.
  std::optional<double> SinceSuccess(const std::string& body, const Row& row) const {
    const auto last =
        SampleValue(body, Series("akash_exporter_source_last_success_timestamp_seconds", row));
    if (!last || *last <= 0) return std::nullopt;
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return now - *last;
  }
  bool HasValues(const std::string& body, const Row& row) const {
    return !FamilySamples(body, row.def->value_family, row.target).empty();
  }

  long RouteRequests(const std::map<std::string, long>& stats, const Row& row) const {
    long n = 0;
    for (const char* route : row.def->routes) {
      const auto it = stats.find(route);
      if (it != stats.end()) n += it->second;
    }
    return n;
  }

  void RunErrorCase();
  void RunHarmlessCase();

  TempDir dir_;
  Sim sim_;
  Exporter exporter_;
  std::vector<Row> rows_;
};

void FaultSuite::RunErrorCase() {
  const FaultCase& fault = GetParam();
  const char* reason = fault.reason;
  const bool huge = fault.retry_after_s == kHugeRetryAfter;

  // 1. Every source is up with values, except the ones faulted from the start, which are down
  //    with the fault's reason and publish nothing.
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Scrape();
        for (const Row& row : rows_) {
          if (row.def->fault_from_start) {
            if (Errors(body, row, reason) < 1 || HasValues(body, row)) return false;
          } else if (Up(body, row) != 1.0 || !HasValues(body, row)) {
            return false;
          }
        }
        return true;
      },
      20s + 6 * fault.interval))
      << body;
  for (Row& row : rows_) row.good = FamilySamples(body, row.def->value_family, row.target);

  // 2. The fault goes on for every other source, then the request count starts.
  const auto fault_on = SteadyClock::now();
  for (const Row& row : rows_) {
    if (!row.def->fault_from_start) ApplyFault(row);
  }
  ResetStats(sim_.base_url);

  // 3. Each source goes down with the reason, keeps its values while they are younger than
  //    max_staleness, loses them after, and (unless held at the cap) retries.
  const double staleness = std::chrono::duration<double>(fault.max_staleness()).count();
  const double late = std::chrono::duration<double>(kLateSlack).count();
  const double early = std::chrono::duration<double>(kEarlySlack).count();
  // Long enough for a few polls at the case's interval.
  const auto limit = 20s + 6 * fault.interval;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Scrape();
        bool done = true;
        for (Row& row : rows_) {
          const double errors = Errors(body, row, reason);
          const bool down = Up(body, row) == 0.0 && errors >= 1;
          const bool values = HasValues(body, row);
          const auto since = SinceSuccess(body, row);
          if (row.def->fault_from_start) {
            EXPECT_FALSE(values) << row.def->source << " published values it never fetched";
            row.seen_withdrawn = true;
            row.seen_down_with_values = true;
          } else if (down) {
            if (values) {
              // Still there: must be younger than max_staleness (plus a render's delay).
              EXPECT_TRUE(since && *since <= staleness + late)
                  << row.def->source << " kept values " << since.value_or(-1) << " s old";
              row.seen_down_with_values = true;
            } else {
              EXPECT_TRUE(!since || *since >= staleness - early)
                  << row.def->source << " withdrew values only " << since.value_or(-1) << " s old";
              row.seen_withdrawn = true;
            }
          }
          const bool retried = huge ? errors >= 1 : errors >= 2;
          done = done && down && row.seen_withdrawn && retried;
        }
        return done;
      },
      limit + fault.max_staleness()))
      << body;
  const std::map<std::string, long> stats = Stats(sim_.base_url);
  const auto window =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - fault_on);

  for (Row& row : rows_) {
    SCOPED_TRACE(row.def->source);
    EXPECT_TRUE(row.seen_down_with_values)
        << "never saw the last good values kept while the source was down";
    // Back-off: the requests the faulted routes got, against the rule's fastest schedule.
    const long requests = RouteRequests(stats, row);
    const long per_poll =
        std::string(fault.kind) == "pagination_loop" ? row.def->requests_per_looping_poll : 1;
    EXPECT_LE(requests, per_poll * MaxRequests(fault.interval, window, fault.retry_after_s))
        << "in " << window.count() << " ms of fault";
    if (huge) {
      // One 429, then nothing: the source waits the cap (max(interval, 10 min)), not 11.6 days.
      EXPECT_LE(requests, 1);
      EXPECT_EQ(Errors(body, row, reason), 1.0);
    }
  }
  if (huge) {
    const std::string log = exporter_.process->Stderr();
    for (const Row& row : rows_) {
      EXPECT_TRUE(LoggedCap(log, row.def->source))
          << row.def->source << " did not log the capped Retry-After";
    }
    EXPECT_NE(log.find("retry_after_s=1000000"), std::string::npos) << log;
    EXPECT_NE(log.find("cap_s=600"), std::string::npos) << log;
  }

  // 4. The fault is cleared: each source recovers on its next poll. Under the huge Retry-After
  //    that poll is 10 min away, so a reload (which restarts every schedule) brings it forward.
  ClearFaults(sim_.base_url);
  if (huge) exporter_.process->Signal(SIGHUP);
  ASSERT_TRUE(Eventually(
      [&] {
        body = Scrape();
        for (const Row& row : rows_) {
          if (Up(body, row) != 1.0 || !HasValues(body, row)) return false;
        }
        return true;
      },
      limit))
      << body;
  for (const Row& row : rows_) {
    SCOPED_TRACE(row.def->source);
    // Frozen simulator time: the recovered values equal the ones before the fault.
    if (!row.def->fault_from_start) {
      EXPECT_EQ(FamilySamples(body, row.def->value_family, row.target), row.good);
    }
    // The fault counted under its own reason only.
    for (const char* other : kReasons) {
      if (std::string(other) != reason) {
        EXPECT_EQ(Errors(body, row, other), 0.0) << other;
      }
    }
  }
}

void FaultSuite::RunHarmlessCase() {
  // The fault is on from the start for every source: each must come up and stay up, and after
  // at least two polls under the fault its values must equal those of a clean poll.
  for (const Row& row : rows_) {
    if (!row.def->fault_from_start) ApplyFault(row);
  }
  ResetStats(sim_.base_url);
  std::string body;
  ASSERT_TRUE(Eventually(
      [&] {
        body = Scrape();
        const auto stats = Stats(sim_.base_url);
        for (const Row& row : rows_) {
          if (Up(body, row) != 1.0 || !HasValues(body, row)) return false;
          if (!row.def->fault_from_start && RouteRequests(stats, row) < 2) return false;
        }
        return true;
      },
      20s))
      << body;
  std::map<const Row*, std::vector<std::string>> faulted;
  for (const Row& row : rows_)
    faulted[&row] = FamilySamples(body, row.def->value_family, row.target);
  ClearFaults(sim_.base_url);
  // A clean poll of every source after the clear.
  ResetStats(sim_.base_url);
  ASSERT_TRUE(Eventually(
      [&] {
        body = Scrape();
        const auto stats = Stats(sim_.base_url);
        for (const Row& row : rows_) {
          if (!row.def->fault_from_start && RouteRequests(stats, row) < 2) return false;
        }
        return true;
      },
      20s));
  body = Scrape();
  for (const Row& row : rows_) {
    SCOPED_TRACE(row.def->source);
    EXPECT_EQ(Up(body, row), 1.0);
    for (const char* reason : kReasons) EXPECT_EQ(Errors(body, row, reason), 0.0) << reason;
    const auto clean = FamilySamples(body, row.def->value_family, row.target);
    ASSERT_EQ(clean.size(), faulted[&row].size());
    for (std::size_t i = 0; i < clean.size(); ++i) {
      // Same series; the value read from a rewritten number may differ only in the last bits
      // (exponent_floats prints 15 significant digits).
      const auto name_end = clean[i].rfind(' ');
      EXPECT_EQ(clean[i].substr(0, name_end), faulted[&row][i].substr(0, name_end));
      const double a = LineValue(clean[i]);
      const double b = LineValue(faulted[&row][i]);
      EXPECT_NEAR(a, b, std::abs(a) * 1e-12) << clean[i] << " vs " << faulted[&row][i];
    }
  }
}

TEST_P(FaultSuite, SourcesDegradeAndRecover) {
  if (GetParam().reason) {
    RunErrorCase();
  } else {
    RunHarmlessCase();
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultSuite, ::testing::ValuesIn(kFaults),
                         [](const ::testing::TestParamInfo<FaultCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace akash::itest
