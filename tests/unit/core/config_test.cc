#include "exporter/core/config.h"

#include "exporter/core/log.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace akash::core {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Valid bech32 akash addresses (20-byte payloads 0x01.., 0x02.., ...).
constexpr const char* kAddr1 = "akash1qyqszqgpqyqszqgpqyqszqgpqyqszqgplgve5x";
constexpr const char* kAddr2 = "akash1qgpqyqszqgpqyqszqgpqyqszqgpqyqszwv2uls";
constexpr const char* kAddr3 = "akash1qvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcr0uta43";
constexpr const char* kAddr4 = "akash1qszqgpqyqszqgpqyqszqgpqyqszqgpqy0vvcjd";
// A 32-byte payload: longer addresses (module accounts) must pass too.
constexpr const char* kLongAddr =
    "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0smz7g5x";

// Made-up keys of the right shape; distinctive so that a leak is easy to search for.
const std::string kEarningsKey =
    "akash_" + std::string("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
const std::string kConsoleKey = "ac.sk.production.5ec2e7de5ec2e7de5ec2e7de5ec2e7de";
const std::string kConsoleKey2 = "ac.sk.sandbox.feedfacefeedfacefeedface";

std::string Fixture(const std::string& name) {
  return std::string(AKASH_FIXTURES_DIR) + "/config/" + name;
}

EnvLookup FakeEnv(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

EnvLookup FullEnv() {
  return FakeEnv({{"AKASH_TEST_EARNINGS_KEY", kEarningsKey},
                  {"AKASH_TEST_CONSOLE_KEY", kConsoleKey},
                  {"AKASH_TEST_CONSOLE_KEY_2", kConsoleKey2}});
}

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "akash_config_test.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }

 private:
  fs::path path_;
};

Config Parse(const std::string& yaml, const EnvLookup& env = FakeEnv()) {
  return ParseConfig(yaml, "test.yaml", env);
}

// The ConfigError that parsing `yaml` must raise.
ConfigError ParseError(const std::string& yaml, const EnvLookup& env = FakeEnv(),
                       const std::string& path = "test.yaml") {
  try {
    ParseConfig(yaml, path, env);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << yaml;
  return ConfigError(path, -1, "no error");
}

ConfigError LoadError(const std::string& path, const EnvLookup& env = FakeEnv()) {
  try {
    LoadConfig(path, env);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError for " << path;
  return ConfigError(path, -1, "no error");
}

std::string ProviderWithKeyFile(const std::string& key_path) {
  return "providers:\n  - address: " + std::string(kAddr1) +
         "\n    earnings_api_key_file: " + key_path + "\n";
}

// --- error type ----------------------------------------------------------------------------

TEST(ConfigError, FormatsFileLineReason) {
  const ConfigError e("/etc/x.yaml", 7, "unknown key \"foo\"");
  EXPECT_STREQ(e.what(), "/etc/x.yaml:7: unknown key \"foo\"");
  EXPECT_EQ(e.file(), "/etc/x.yaml");
  EXPECT_EQ(e.line(), 7);
  EXPECT_EQ(e.reason(), "unknown key \"foo\"");
  EXPECT_STREQ(ConfigError("/etc/x.yaml", 0, "cannot open").what(), "/etc/x.yaml: cannot open");
}

// --- good files ----------------------------------------------------------------------------

TEST(Config, FullConfigRoundTrip) {
  const Config c = LoadConfig(Fixture("good_full.yaml"), FullEnv());
  EXPECT_EQ(c.path, Fixture("good_full.yaml"));

  ASSERT_EQ(c.providers.size(), 2u);
  EXPECT_EQ(c.providers[0].address, kAddr1);
  EXPECT_EQ(c.providers[0].earnings_api_key.reveal(), kEarningsKey);
  EXPECT_EQ(c.providers[0].earnings_api_key_origin, "env AKASH_TEST_EARNINGS_KEY");
  EXPECT_EQ(c.providers[1].address, kAddr2);
  EXPECT_TRUE(c.providers[1].earnings_api_key.empty());

  ASSERT_EQ(c.tenants.size(), 3u);
  EXPECT_EQ(c.tenants[0].address, kAddr3);
  EXPECT_EQ(c.tenants[0].console_api_key.reveal(), kConsoleKey);
  EXPECT_EQ(c.tenants[1].address, kAddr4);
  EXPECT_TRUE(c.tenants[1].console_api_key.empty());
  EXPECT_EQ(c.tenants[2].address, "");
  EXPECT_EQ(c.tenants[2].console_api_key.reveal(), kConsoleKey2);

  EXPECT_EQ(c.endpoints.console_api, "https://console.example.test");
  EXPECT_EQ(c.endpoints.provider_console_api, "http://127.0.0.1:8081/base");
  EXPECT_EQ(c.endpoints.chain_rest,
            (std::vector<std::string>{"http://akash-node-1:1317", "https://[::1]:1318"}));

  ASSERT_EQ(c.sources.size(), std::size(kAllSources));
  const auto& dashboard = c.source(kSourceProviderDashboard);
  EXPECT_EQ(dashboard.interval, milliseconds(30'000));
  EXPECT_EQ(dashboard.timeout, milliseconds(10'000));
  EXPECT_EQ(dashboard.max_staleness, milliseconds(600'000));
  const auto& earnings = c.source(kSourceProviderEarnings);
  EXPECT_EQ(earnings.interval, milliseconds(3'600'000));
  EXPECT_EQ(earnings.timeout, milliseconds(20'000));
  EXPECT_EQ(earnings.max_staleness, milliseconds(6 * 3'600'000));
  const auto& chain = c.source(kSourceChainLeases);
  EXPECT_EQ(chain.interval, milliseconds(90'000));
  EXPECT_EQ(chain.timeout, milliseconds(500));
  EXPECT_EQ(chain.max_staleness, milliseconds(270'000));
  EXPECT_EQ(chain.page_limit, 250u);
  EXPECT_TRUE(chain.per_lease_series);
  EXPECT_EQ(chain.max_lease_series, 100u);
  EXPECT_FALSE(c.source(kSourceMarket).enabled);
  EXPECT_TRUE(c.source(kSourceTenantUsage).enabled);
  EXPECT_EQ(c.source(kSourceTenantUsage).interval, milliseconds(10'000));
  EXPECT_EQ(c.source(kSourceTenantUsage).timeout, milliseconds(10'000));  // capped at interval
  EXPECT_EQ(c.source(kSourceTenantUsage).max_staleness, milliseconds(30'000));
  EXPECT_EQ(c.source(kSourceTenantBilling).interval, milliseconds(600'000));  // "tenant_billing:"

  ASSERT_EQ(c.take_rates.size(), 3u);
  EXPECT_EQ(c.take_rates[0].until, Date::FromYmd(2025, 1, 1));
  EXPECT_EQ(c.take_rates[0].akt, *Decimal::Parse("0.04"));
  EXPECT_EQ(c.take_rates[0].act, *Decimal::Parse("0.2"));
  EXPECT_EQ(c.take_rates[1].until, Date::FromYmd(2026, 3, 21));
  EXPECT_EQ(c.take_rates[1].act, *Decimal::Parse("0.2"));
  EXPECT_FALSE(c.take_rates[2].until.has_value());
  EXPECT_TRUE(c.take_rates[2].akt.IsZero());
  EXPECT_EQ(c.take_rates[2].act, Decimal::FromInt(1));
}

TEST(Config, DefaultsForAMinimalConfig) {
  const Config c = LoadConfig(Fixture("good_minimal.yaml"), FakeEnv());
  ASSERT_EQ(c.providers.size(), 1u);
  EXPECT_TRUE(c.providers[0].earnings_api_key.empty());
  EXPECT_TRUE(c.tenants.empty());
  EXPECT_EQ(c.endpoints.console_api, "https://console-api.akash.network");
  EXPECT_EQ(c.endpoints.provider_console_api, "https://provider-console-api.akash.network");
  EXPECT_TRUE(c.endpoints.chain_rest.empty());
  for (const char* source : kAllSources) {
    const SourceSettings expected = DefaultSourceSettings(source);
    const SourceSettings& actual = c.source(source);
    EXPECT_TRUE(actual.enabled) << source;
    EXPECT_EQ(actual.interval, expected.interval) << source;
    EXPECT_EQ(actual.timeout, expected.timeout) << source;
    EXPECT_EQ(actual.max_staleness, expected.max_staleness) << source;
    EXPECT_EQ(actual.page_limit, 1000u) << source;
    EXPECT_FALSE(actual.per_lease_series) << source;
    EXPECT_EQ(actual.max_lease_series, 5000u) << source;
  }
  const auto defaults = DefaultTakeRates();
  ASSERT_EQ(c.take_rates.size(), defaults.size());
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    EXPECT_EQ(c.take_rates[i].until, defaults[i].until);
    EXPECT_EQ(c.take_rates[i].akt, defaults[i].akt);
    EXPECT_EQ(c.take_rates[i].act, defaults[i].act);
  }
}

TEST(Config, DefaultSourceSettingsFollowMetricsMd) {
  const std::map<std::string, milliseconds> intervals = {
      {kSourceProviderDashboard, milliseconds(60'000)},
      {kSourceProviderEarnings, milliseconds(3'600'000)},
      {kSourceChainLeases, milliseconds(60'000)},
      {kSourceMarket, milliseconds(300'000)},
      {kSourceProviderStatus, milliseconds(300'000)},
      {kSourceTenantUsage, milliseconds(600'000)},
      {kSourceTenantBilling, milliseconds(600'000)}};
  for (const auto& [source, interval] : intervals) {
    const SourceSettings s = DefaultSourceSettings(source);
    EXPECT_EQ(s.interval, interval) << source;
    EXPECT_EQ(s.timeout, milliseconds(20'000)) << source;
    EXPECT_EQ(s.max_staleness, 3 * interval) << source;
    EXPECT_TRUE(s.enabled) << source;
  }
  EXPECT_THROW(DefaultSourceSettings("nope"), std::invalid_argument);
}

TEST(Config, DefaultTakeRatesAreTheChainHistory) {
  const auto rates = DefaultTakeRates();
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0].until, Date::FromYmd(2026, 3, 21));
  EXPECT_EQ(rates[0].akt, *Decimal::Parse("0.02"));
  EXPECT_EQ(rates[0].act, *Decimal::Parse("0.2"));
  EXPECT_FALSE(rates[1].until.has_value());
  EXPECT_TRUE(rates[1].akt.IsZero());
  EXPECT_TRUE(rates[1].act.IsZero());
}

TEST(Config, EmptyConfigIsValidAndOnlyMarketRuns) {
  for (const std::string& text :
       {std::string(""), std::string("# nothing\n"), std::string("---\n"),
        std::string("providers:\ntenants:\n"), std::string("providers: []\ntenants: []\n")}) {
    const Config c = Parse(text);
    EXPECT_TRUE(c.providers.empty()) << text;
    EXPECT_TRUE(c.tenants.empty()) << text;
    EXPECT_EQ(c.sources.size(), std::size(kAllSources)) << text;
    const auto plan = PlanSources(c);
    ASSERT_EQ(plan.size(), 1u) << text;
    EXPECT_EQ(plan[0].source, kSourceMarket);
    EXPECT_EQ(plan[0].target, "");
  }
  const Config c = LoadConfig(Fixture("empty.yaml"), FakeEnv());
  EXPECT_NE(DescribeConfig(c).find("warning: no providers and no tenants"), std::string::npos);
  const Config off = Parse("sources: {market: {enabled: false}}\n");
  EXPECT_TRUE(PlanSources(off).empty());
  EXPECT_NE(DescribeConfig(off).find("warning: every source is disabled"), std::string::npos);
}

// --- durations -----------------------------------------------------------------------------

TEST(Config, Durations) {
  const std::map<std::string, std::int64_t> good = {{"90s", 90'000},
                                                    {"1m30s", 90'000},
                                                    {"1h", 3'600'000},
                                                    {"500ms", 500},
                                                    {"2d", 2 * 86'400'000LL},
                                                    {"1w", 7 * 86'400'000LL},
                                                    {"1d2h3m4s5ms", 93'784'005},
                                                    {"1y", 365 * 86'400'000LL},
                                                    {"120m", 7'200'000}};
  // Upstreams on this host: no interval floor (see IntervalFloorProtectsRemoteUpstreams).
  const std::string local =
      "endpoints:\n  console_api: http://127.0.0.1:1\n  provider_console_api: http://localhost:2\n";
  for (const auto& [text, ms] : good) {
    const Config c =
        Parse(local + "sources:\n  provider_earnings:\n    interval: " + text + "\n");
    EXPECT_EQ(c.source(kSourceProviderEarnings).interval, milliseconds(ms)) << text;
  }
  const std::map<std::string, std::string> bad = {{"0s", "greater than 0"},
                                                  {"0", "greater than 0"},
                                                  {"0ms", "greater than 0"},
                                                  {"-1s", "not a duration"},
                                                  {"60", "needs a unit"},
                                                  {"1.5s", "not a duration"},
                                                  {"1s1m", "not a duration"},
                                                  {"1m1m", "not a duration"},
                                                  {"abc", "not a duration"},
                                                  {"5 m", "not a duration"},
                                                  {"\"\"", "not a duration"},
                                                  {"400d", "too long"},
                                                  {"99999999999999999999s", "too long"},
                                                  {"1S", "not a duration"},
                                                  {"[1s]", "single value"}};
  for (const auto& [text, reason] : bad) {
    const ConfigError e = ParseError("sources:\n  market:\n    interval: " + text + "\n");
    EXPECT_EQ(e.line(), 3) << text;
    EXPECT_NE(e.reason().find(reason), std::string::npos) << text << ": " << e.what();
    EXPECT_NE(e.reason().find("sources.market.interval"), std::string::npos) << e.what();
  }
}

TEST(Config, IntervalFloorProtectsRemoteUpstreams) {
  // interval: 5ms against the real Console API would be 200 requests a second with the
  // operator's key: refused, at its line, with the reason.
  ConfigError e = ParseError("sources:\n  market:\n    interval: 5ms\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("shorter than the minimum 10s"), std::string::npos) << e.what();
  e = ParseError(
      "endpoints:\n  console_api: http://127.0.0.1:9\n"
      "sources:\n  provider_earnings: {interval: 9s}\n");
  EXPECT_NE(e.reason().find("minimum 10s"), std::string::npos)
      << "the earnings API is remote here: " << e.what();
  e = ParseError(
      "endpoints:\n  chain_rest: [http://127.0.0.1:1317, http://node.example:1317]\n"
      "sources:\n  chain_leases: {interval: 2s}\n");
  EXPECT_NE(e.reason().find("minimum 5s"), std::string::npos) << e.what();
  EXPECT_EQ(Parse("sources:\n  market: {interval: 10s}\n").source(kSourceMarket).interval,
            milliseconds(10'000));
  // A simulator or proxy on this host may be polled as fast as wanted.
  for (const std::string host : {"http://127.0.0.1:8080", "http://localhost:1", "https://[::1]:3"}) {
    const Config c = Parse("endpoints:\n  console_api: " + host +
                           "\nsources:\n  market: {interval: 100ms}\n");
    EXPECT_EQ(c.source(kSourceMarket).interval, milliseconds(100)) << host;
  }
  EXPECT_FALSE(IsLoopbackUrl("http://127.example.com"));
  EXPECT_FALSE(IsLoopbackUrl("https://console-api.akash.network"));
  EXPECT_TRUE(IsLoopbackUrl("http://127.0.0.1"));
}

TEST(Config, BadDurationFixtureNamesTheLine) {
  const ConfigError e = LoadError(Fixture("bad_duration.yaml"));
  EXPECT_EQ(e.line(), 7) << e.what();
  EXPECT_EQ(e.file(), Fixture("bad_duration.yaml"));
  EXPECT_NE(e.reason().find("max_staleness must be greater than 0"), std::string::npos);
}

TEST(Config, TimeoutAndStalenessDefaultsFollowTheInterval) {
  const Config c = Parse("sources:\n  market: {interval: 15s}\n  tenant_usage: {interval: 1h}\n");
  EXPECT_EQ(c.source(kSourceMarket).timeout, milliseconds(15'000));
  EXPECT_EQ(c.source(kSourceMarket).max_staleness, milliseconds(45'000));
  EXPECT_EQ(c.source(kSourceTenantUsage).timeout, milliseconds(20'000));
  EXPECT_EQ(c.source(kSourceTenantUsage).max_staleness, milliseconds(3 * 3'600'000));

  ConfigError e = ParseError("sources:\n  market:\n    interval: 10s\n    timeout: 30s\n");
  EXPECT_EQ(e.line(), 4);
  EXPECT_NE(e.reason().find("longer than the interval"), std::string::npos) << e.what();
  // Compared with the default interval when none is given.
  e = ParseError("sources:\n  provider_dashboard: {timeout: 2m}\n");
  EXPECT_EQ(e.line(), 2);
  e = ParseError("sources:\n  market:\n    max_staleness: 1m\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("shorter than the interval"), std::string::npos) << e.what();
}

// --- schema errors -------------------------------------------------------------------------

TEST(Config, UnknownKeyFixtureNamesKeyAndLine) {
  const ConfigError e = LoadError(Fixture("bad_unknown_key.yaml"));
  EXPECT_EQ(e.line(), 7) << e.what();
  EXPECT_NE(e.reason().find("unknown key \"intervall\" in sources.market"), std::string::npos)
      << e.what();
  EXPECT_NE(e.reason().find("did you mean \"interval\""), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()), Fixture("bad_unknown_key.yaml") + ":7: " + e.reason());
}

TEST(Config, UnknownKeysAnywhere) {
  struct Case {
    std::string yaml;
    int line;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"providers: []\nprovider: []\n", 2, "provider"},
      {"providers:\n  - address: " + std::string(kAddr1) + "\n    earnings_key_file: /x\n", 3,
       "earnings_key_file"},
      {"providers:\n  - address: " + std::string(kAddr1) + "\n    earnings_api_key: secret\n", 3,
       "earnings_api_key"},
      {"tenants:\n  - address: " + std::string(kAddr1) + "\n    adress: x\n", 3, "adress"},
      {"endpoints:\n  chain_rest: []\n  chain: http://x\n", 3, "chain"},
      {"take_rates:\n  - {akt: 0, act: 0, usdc: 0}\n", 2, "usdc"},
      {"sources:\n  chain_leases:\n    interval: 1m\n\n    page_limt: 5\n", 5, "page_limt"},
  };
  for (const Case& c : cases) {
    const ConfigError e = ParseError(c.yaml);
    EXPECT_EQ(e.line(), c.line) << c.yaml << e.what();
    EXPECT_NE(e.reason().find("unknown key \"" + c.key + "\""), std::string::npos) << e.what();
  }
  // The value of an unknown key is never echoed: it may be a pasted key.
  const ConfigError e = ParseError("providers:\n  - address: " + std::string(kAddr1) +
                                   "\n    earnings_api_key: " + kEarningsKey + "\n");
  EXPECT_EQ(std::string(e.what()).find(kEarningsKey), std::string::npos);
}

TEST(Config, DuplicateKeysAreErrors) {
  const ConfigError e = ParseError("sources:\n  market: {interval: 1m}\nsources: {}\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("duplicate key \"sources\""), std::string::npos) << e.what();
  const ConfigError e2 = ParseError("sources:\n  market: {interval: 1m, interval: 2m}\n");
  EXPECT_EQ(e2.line(), 2);
}

TEST(Config, KeysNotValidForTheSource) {
  const ConfigError e = LoadError(Fixture("bad_source_key.yaml"));
  EXPECT_EQ(e.line(), 3) << e.what();
  EXPECT_NE(e.reason().find("\"page_limit\" is not valid in sources.market (only in "
                            "sources.chain_leases)"),
            std::string::npos)
      << e.what();
  for (const char* key : {"per_lease_series: true", "max_lease_series: 5"}) {
    const ConfigError e2 = ParseError("sources:\n  provider_dashboard:\n    " + std::string(key));
    EXPECT_EQ(e2.line(), 3) << key;
  }
}

TEST(Config, UnknownSource) {
  const ConfigError e = LoadError(Fixture("bad_unknown_source.yaml"));
  EXPECT_EQ(e.line(), 3) << e.what();
  EXPECT_NE(e.reason().find("\"provider_dashbaord\""), std::string::npos);
  EXPECT_NE(e.reason().find("did you mean \"provider_dashboard\""), std::string::npos);
}

TEST(Config, YamlSyntaxErrorKeepsTheLine) {
  const ConfigError e = LoadError(Fixture("bad_yaml_syntax.yaml"));
  // yaml-cpp notices the unclosed "[" of line 4 on line 5.
  EXPECT_EQ(e.line(), 5) << e.what();
  EXPECT_NE(e.reason().find("YAML syntax error"), std::string::npos) << e.what();
  const ConfigError e2 = ParseError("providers:\n  - address: x\n\tbad: tab\n");
  EXPECT_EQ(e2.line(), 3) << e2.what();
}

TEST(Config, WrongShapes) {
  struct Case {
    std::string yaml;
    int line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"- providers\n", 1, "mapping of top-level keys"},
      {"just text\n", 1, "mapping of top-level keys"},
      {"\nproviders: " + std::string(kAddr1) + "\n", 2, "providers must be a list"},
      {"providers:\n  - " + std::string(kAddr1) + "\n", 2, "providers[0] must be a mapping"},
      {"providers:\n  - earnings_api_key_env: X\n", 2, "providers[0] has no address"},
      {"providers:\n  - address:\n", 2, "providers[0].address is empty"},
      {"providers:\n  - address: [a]\n", 2, "single value"},
      {"tenants: {address: x}\n", 1, "tenants must be a list"},
      {"tenants:\n  - {}\n", 2, "needs an address"},
      {"endpoints: [http://x]\n", 1, "endpoints must be a mapping"},
      {"sources: [market]\n", 1, "sources must be a mapping"},
      {"sources:\n  market: 5m\n", 2, "sources.market must be a mapping"},
      {"take_rates: {akt: 0}\n", 1, "non-empty list"},
      {"take_rates: []\n", 1, "non-empty list"},
      // The error names the marker that starts the second document.
      {"providers: []\n---\ntenants: []\n", 2, "more than one YAML document"},
      {"providers: []\n...\ntenants: []\n", 3, "more than one YAML document"},
      {"---\nproviders: []\n---\n", 3, "more than one YAML document"},
      // yaml-cpp 0.7's LoadAll loops forever on these; they must be refused, not hang.
      {",5", 1, "must be a mapping"},
      {"# a comment\n,\n", 2, "must be a mapping"},
      {"--- ,\n", 1, "must be a mapping"},
      // Empty entries: yaml-cpp marks them at the next token; the error names their own line.
      {"providers:\n  -\n  - address: " + std::string(kAddr1) + "\n", 2,
       "providers[0] must be a mapping"},
      {"providers:\n  - address: " + std::string(kAddr1) + "\n  -   # off\n\n  # - x\n", 3,
       "providers[1] must be a mapping"},
      {"tenants:\n  - ~\n", 2, "tenants[0] must be a mapping"},
      {"endpoints:\n  chain_rest:\n    -\n    # nothing\n", 3, "chain_rest[0] is empty"},
      {"sources:\n  market:\n    interval:\n\n  # comment\n", 3, "not a duration"},
  };
  for (const Case& c : cases) {
    const ConfigError e = ParseError(c.yaml);
    EXPECT_EQ(e.line(), c.line) << c.yaml << e.what();
    EXPECT_NE(e.reason().find(c.reason), std::string::npos) << c.yaml << e.what();
  }
}

TEST(Config, ChainLeasesSettings) {
  Config c = Parse("sources:\n  chain_leases: {page_limit: 1, max_lease_series: 0}\n");
  EXPECT_EQ(c.source(kSourceChainLeases).page_limit, 1u);
  EXPECT_EQ(c.source(kSourceChainLeases).max_lease_series, 0u);
  c = Parse("sources:\n  chain_leases: {page_limit: 10000, max_lease_series: 1000000}\n");
  EXPECT_EQ(c.source(kSourceChainLeases).page_limit, 10000u);
  EXPECT_EQ(c.source(kSourceChainLeases).max_lease_series, 1'000'000u);
  for (const char* bad :
       {"page_limit: 0", "page_limit: 10001", "page_limit: -1", "page_limit: 1.5",
        "page_limit: abc", "page_limit: 99999999999999999999", "max_lease_series: 1000001",
        "per_lease_series: yes", "per_lease_series: 1", "enabled: no", "per_lease_series:"}) {
    const ConfigError e = ParseError("sources:\n  chain_leases:\n    " + std::string(bad) + "\n");
    EXPECT_EQ(e.line(), 3) << bad << ": " << e.what();
  }
}

// --- addresses -----------------------------------------------------------------------------

TEST(Config, AddressValidation) {
  const ConfigError e = LoadError(Fixture("bad_checksum.yaml"));
  EXPECT_EQ(e.line(), 3) << e.what();
  EXPECT_NE(e.reason().find("invalid checksum"), std::string::npos) << e.what();
  EXPECT_NE(e.reason().find("providers[1].address"), std::string::npos) << e.what();

  EXPECT_EQ(Parse("providers:\n  - address: " + std::string(kLongAddr) + "\n").providers[0].address,
            kLongAddr);

  std::string upper = kAddr1;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string lower_prefix_upper_rest = "akash1" + upper.substr(6);
  const std::map<std::string, std::string> bad = {
      {"cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du", "must start with \"akash1\""},
      {upper, "must start with \"akash1\""},
      {lower_prefix_upper_rest, "lowercase"},
      {"akash1qyqszqgpqyqszqgp", "characters"},
      {"akash1" + std::string(90, 'q'), "characters"},
      {"akash1byqszqgpqyqszqgpqyqszqgpqyqszqgplgve5x", "not a bech32 character"},
      {"akash1qyqszqgpqyqszqgpqyqszqgpqyqszqgplgve5q", "invalid checksum"},
      {"akash1qyqszqgpqyqszqgpqyqszqgpqyqszqgplgev5x", "invalid checksum"},
  };
  for (const auto& [address, reason] : bad) {
    for (const char* section : {"providers", "tenants"}) {
      const ConfigError e2 =
          ParseError(std::string(section) + ":\n  - address: \"" + address + "\"\n");
      EXPECT_EQ(e2.line(), 2) << address;
      EXPECT_NE(e2.reason().find(reason), std::string::npos) << address << ": " << e2.what();
    }
  }
}

TEST(Config, DuplicateAddresses) {
  const ConfigError e = LoadError(Fixture("bad_duplicate_provider.yaml"));
  EXPECT_EQ(e.line(), 4) << e.what();
  EXPECT_NE(e.reason().find("already listed (line 2)"), std::string::npos) << e.what();

  const ConfigError e2 = ParseError("tenants:\n  - address: " + std::string(kAddr3) +
                                    "\n  - address: " + std::string(kAddr3) + "\n");
  EXPECT_EQ(e2.line(), 3);
  // A provider may also be a tenant.
  EXPECT_NO_THROW(Parse("providers:\n  - address: " + std::string(kAddr1) +
                        "\ntenants:\n  - address: " + std::string(kAddr1) + "\n"));
}

// --- secrets -------------------------------------------------------------------------------

TEST(ConfigSecrets, KeyFileAbsoluteTrailingNewlineStripped) {
  TempDir dir;
  const std::string key_path = dir.Write("earnings.key", kEarningsKey + "\n");
  const Config c = Parse(ProviderWithKeyFile(key_path));
  EXPECT_EQ(c.providers[0].earnings_api_key.reveal(), kEarningsKey);
  EXPECT_EQ(c.providers[0].earnings_api_key_origin, "file " + key_path);
  dir.Write("crlf.key", kEarningsKey + "\r\n");
  EXPECT_EQ(Parse(ProviderWithKeyFile((dir.path() / "crlf.key").string()))
                .providers[0]
                .earnings_api_key.reveal(),
            kEarningsKey);
}

TEST(ConfigSecrets, RelativeKeyFileIsRelativeToTheConfigFile) {
  TempDir dir;
  dir.Write("keys/earnings.key", kEarningsKey);
  dir.Write("keys/console.key", kConsoleKey + "\n");
  const std::string config_path =
      dir.Write("akash.yaml", ProviderWithKeyFile("keys/earnings.key") +
                                  "tenants:\n  - console_api_key_file: keys/console.key\n");
  const Config c = LoadConfig(config_path, FakeEnv());
  EXPECT_EQ(c.providers[0].earnings_api_key.reveal(), kEarningsKey);
  EXPECT_EQ(c.tenants[0].console_api_key.reveal(), kConsoleKey);
  EXPECT_EQ(c.tenants[0].address, "");
  EXPECT_EQ(c.tenants[0].console_api_key_origin,
            "file " + (dir.path() / "keys/console.key").string());
}

TEST(ConfigSecrets, MissingKeyFileNamesPathAndLine) {
  TempDir dir;
  const std::string missing = (dir.path() / "nope.key").string();
  const ConfigError e = ParseError("\n" + ProviderWithKeyFile(missing));
  EXPECT_EQ(e.line(), 4) << e.what();
  EXPECT_NE(e.reason().find(missing), std::string::npos) << e.what();
  EXPECT_NE(e.reason().find("does not exist"), std::string::npos) << e.what();

  const ConfigError e2 = ParseError(ProviderWithKeyFile(dir.path().string()));
  EXPECT_NE(e2.reason().find("is a directory"), std::string::npos) << e2.what();

  const std::string empty = dir.Write("empty.key", "\n");
  const ConfigError e3 = ParseError(ProviderWithKeyFile(empty));
  EXPECT_NE(e3.reason().find("is empty"), std::string::npos) << e3.what();

  if (geteuid() != 0) {  // root reads anything
    const std::string locked = dir.Write("locked.key", kEarningsKey);
    fs::permissions(locked, fs::perms::none);
    const ConfigError e4 = ParseError(ProviderWithKeyFile(locked));
    EXPECT_EQ(e4.line(), 3);
    EXPECT_NE(e4.reason().find("cannot read key file " + locked), std::string::npos) << e4.what();
  }
}

TEST(ConfigSecrets, MalformedKeysAreNeverEchoed) {
  TempDir dir;
  const std::vector<std::string> bad_earnings = {
      "akash_" + std::string(63, 'a'),  // too short
      "akash_" + std::string(64, 'A'),  // uppercase hex
      "AKASH_" + std::string(64, 'a'),  // wrong prefix
      "ak_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefff",
      kConsoleKey,         // the wrong kind of key
      " " + kEarningsKey,  // leading space
  };
  for (const std::string& key : bad_earnings) {
    const std::string path = dir.Write("bad.key", key + "\n");
    const ConfigError e = ParseError(ProviderWithKeyFile(path));
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.reason().find("does not hold a valid earnings API key"), std::string::npos)
        << e.what();
    EXPECT_NE(e.reason().find(path), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
  const std::vector<std::string> bad_console = {"ac.sk.", "sk.production.abc", kEarningsKey,
                                                "ac.sk.prod abc", "ac.sk.prod\nabc"};
  for (const std::string& key : bad_console) {
    const ConfigError e =
        ParseError("tenants:\n  - console_api_key_env: KEY\n", FakeEnv({{"KEY", key}}));
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(e.reason().find("does not hold a valid Console API key"), std::string::npos)
        << e.what();
    if (key.size() > 6) {
      EXPECT_EQ(std::string(e.what()).find(key), std::string::npos);
    }
  }
  // Tolerant Console format: any environment name and key body.
  EXPECT_EQ(Parse("tenants:\n  - console_api_key_env: KEY\n", FakeEnv({{"KEY", "ac.sk.x"}}))
                .tenants[0]
                .console_api_key.reveal(),
            "ac.sk.x");
}

TEST(ConfigSecrets, KeyPastedInsteadOfAPathOrName) {
  for (const char* field : {"earnings_api_key_file", "earnings_api_key_env"}) {
    const ConfigError e = ParseError("providers:\n  - address: " + std::string(kAddr1) + "\n    " +
                                     field + ": " + kEarningsKey + "\n");
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.reason().find("not"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(kEarningsKey), std::string::npos) << e.what();
  }
  const ConfigError e = ParseError("tenants:\n  - console_api_key_file: " + kConsoleKey + "\n");
  EXPECT_EQ(std::string(e.what()).find(kConsoleKey), std::string::npos) << e.what();
}

TEST(ConfigSecrets, KeysPastedIntoOtherFieldsAreNotEchoed) {
  const std::string key = kEarningsKey;
  const std::vector<std::string> yamls = {
      "providers:\n  - address: " + key + "\n",
      "tenants:\n  - address: " + kConsoleKey + "\n",
      "endpoints:\n  console_api: " + key + "\n",
      "endpoints:\n  console_api: https://user:" + key + "@host\n",
      "sources:\n  market: {interval: " + key + "}\n",
      "sources:\n  market: {enabled: " + key + "}\n",
      "sources:\n  chain_leases: {page_limit: " + key + "}\n",
      "take_rates:\n  - {akt: " + key + ", act: 0}\n",
      "take_rates:\n  - {until: " + key + ", akt: 0, act: 0}\n  - {akt: 0, act: 0}\n",
      "providers:\n  - address: " + std::string(kAddr1) + "\n    earnings_api_key_env: x" + key +
          "\n",
      "providers:\n  - address: " + std::string(kAddr1) + "\n    earnings_api_key_file: /etc/" +
          key + "\n",
      key + ": 1\n",
  };
  for (const std::string& yaml : yamls) {
    const ConfigError e = ParseError(yaml);
    const std::string message = e.what();
    EXPECT_EQ(message.find(key.substr(6)), std::string::npos) << message;
    EXPECT_EQ(message.find(kConsoleKey.substr(6)), std::string::npos) << message;
    EXPECT_GT(e.line(), 0) << message;
  }
}

TEST(ConfigSecrets, EnvironmentVariableKey) {
  const std::string yaml =
      "providers:\n  - address: " + std::string(kAddr1) + "\n    earnings_api_key_env: MY_KEY\n";
  const Config c = Parse(yaml, FakeEnv({{"MY_KEY", kEarningsKey + "\n"}}));
  EXPECT_EQ(c.providers[0].earnings_api_key.reveal(), kEarningsKey);
  EXPECT_EQ(c.providers[0].earnings_api_key_origin, "env MY_KEY");

  ConfigError e = ParseError(yaml);
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("MY_KEY is not set"), std::string::npos) << e.what();
  e = ParseError(yaml, FakeEnv({{"MY_KEY", ""}}));
  EXPECT_NE(e.reason().find("MY_KEY is empty"), std::string::npos) << e.what();
  e = ParseError("providers:\n  - address: " + std::string(kAddr1) +
                 "\n    earnings_api_key_env: \"MY KEY\"\n");
  EXPECT_NE(e.reason().find("not a valid environment variable name"), std::string::npos);
}

TEST(ConfigSecrets, FileAndEnvTogetherIsAnError) {
  const ConfigError e = ParseError(
      "tenants:\n  - console_api_key_file: /x\n"
      "    console_api_key_env: X\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("at most one"), std::string::npos) << e.what();
}

TEST(ConfigSecrets, CredentialsDirectoryFallback) {
  TempDir credentials;
  credentials.Write("earnings.key", kEarningsKey + "\n");
  const std::string yaml =
      ProviderWithKeyFile("/run/credentials/akash-exporter/earnings.key");  // does not exist
  const Config c = Parse(yaml, FakeEnv({{"CREDENTIALS_DIRECTORY", credentials.path().string()}}));
  EXPECT_EQ(c.providers[0].earnings_api_key.reveal(), kEarningsKey);
  EXPECT_EQ(c.providers[0].earnings_api_key_origin,
            "credential " + (credentials.path() / "earnings.key").string());

  // A relative name works the same way.
  EXPECT_EQ(Parse(ProviderWithKeyFile("earnings.key"),
                  FakeEnv({{"CREDENTIALS_DIRECTORY", credentials.path().string()}}))
                .providers[0]
                .earnings_api_key.reveal(),
            kEarningsKey);

  // Neither place has it: both are named.
  const ConfigError e =
      ParseError(ProviderWithKeyFile("/nowhere/other.key"),
                 FakeEnv({{"CREDENTIALS_DIRECTORY", credentials.path().string()}}));
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("/nowhere/other.key"), std::string::npos) << e.what();
  EXPECT_NE(e.reason().find((credentials.path() / "other.key").string()), std::string::npos)
      << e.what();

  // An existing path wins over the credentials directory.
  TempDir local;
  const std::string other_key = "akash_" + std::string(64, 'f');
  const std::string local_key = local.Write("earnings.key", other_key);
  EXPECT_EQ(Parse(ProviderWithKeyFile(local_key),
                  FakeEnv({{"CREDENTIALS_DIRECTORY", credentials.path().string()}}))
                .providers[0]
                .earnings_api_key.reveal(),
            other_key);
}

TEST(ConfigSecrets, SameConsoleKeyTwice) {
  const ConfigError e =
      ParseError("tenants:\n  - console_api_key_env: A\n  - console_api_key_env: B\n",
                 FakeEnv({{"A", kConsoleKey}, {"B", kConsoleKey}}));
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("same Console API key as tenants[0]"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).find(kConsoleKey), std::string::npos);
}

// --- endpoints -----------------------------------------------------------------------------

TEST(Config, Endpoints) {
  Config c = Parse("endpoints:\n  chain_rest: http://node:1317/\n");
  EXPECT_EQ(c.endpoints.chain_rest, std::vector<std::string>{"http://node:1317"});
  c = Parse("endpoints:\n  chain_rest: []\n  console_api: https://c.example/api/\n");
  EXPECT_TRUE(c.endpoints.chain_rest.empty());
  EXPECT_EQ(c.endpoints.console_api, "https://c.example/api");

  const std::map<std::string, std::string> bad = {
      {"ftp://node", "http:// or https://"},
      {"node:1317", "http:// or https://"},
      {"http://", "no host"},
      {"http:///path", "no host"},
      {"https://user:pass@node", "credentials"},
      {"https://node/?a=1", "query"},
      {"https://node:0", "invalid port"},
      {"https://node:99999", "invalid port"},
      {"\"https://node:\"", "empty port"},
      {"https://node:12ab", "invalid port"},
      {"https://[::1", "IPv6"},
      {"\"http://no de\"", "whitespace"},
      {"\"\"", "is empty"},
  };
  for (const auto& [url, reason] : bad) {
    for (const std::string key : {"console_api", "provider_console_api", "chain_rest"}) {
      const ConfigError e = ParseError("endpoints:\n\n  " + key + ": " + url + "\n");
      EXPECT_EQ(e.line(), 3) << url;
      EXPECT_NE(e.reason().find(reason), std::string::npos) << url << ": " << e.what();
    }
    const ConfigError e =
        ParseError("endpoints:\n  chain_rest:\n    - http://ok:1317\n    - " + url + "\n");
    EXPECT_EQ(e.line(), 4) << url;
    EXPECT_NE(e.reason().find("chain_rest[1]"), std::string::npos) << e.what();
  }
}

// --- take rates ----------------------------------------------------------------------------

TEST(Config, TakeRates) {
  const Config c = Parse("take_rates:\n  - {akt: 0.015, act: 1e-1}\n");
  ASSERT_EQ(c.take_rates.size(), 1u);
  EXPECT_FALSE(c.take_rates[0].until.has_value());
  EXPECT_EQ(c.take_rates[0].akt, *Decimal::Parse("0.015"));  // exact, not via double
  EXPECT_EQ(c.take_rates[0].act, *Decimal::Parse("0.1"));

  const ConfigError order = LoadError(Fixture("bad_take_rates_order.yaml"));
  EXPECT_EQ(order.line(), 3) << order.what();
  EXPECT_NE(order.reason().find("must be later than the previous entry's 2026-03-21"),
            std::string::npos)
      << order.what();

  struct Case {
    std::string yaml;
    int line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"take_rates:\n  - {until: 2026-01-01, akt: 0, act: 0}\n", 2, "last entry must not have"},
      {"take_rates:\n  - {akt: 0, act: 0}\n  - {akt: 0, act: 0}\n", 2, "only the last entry"},
      {"take_rates:\n  - {until: 2026-01-01, akt: 0, act: 0}\n  - {until: 2026-01-01, akt: 0, "
       "act: 0}\n  - {akt: 0, act: 0}\n",
       3, "must be later"},
      {"take_rates:\n  - {until: 2026-02-30, akt: 0, act: 0}\n  - {akt: 0, act: 0}\n", 2,
       "YYYY-MM-DD"},
      {"take_rates:\n  - {until: 26-01-01, akt: 0, act: 0}\n  - {akt: 0, act: 0}\n", 2,
       "YYYY-MM-DD"},
      {"take_rates:\n  - {akt: 1.01, act: 0}\n", 2, "between 0 and 1"},
      {"take_rates:\n  - {akt: -0.1, act: 0}\n", 2, "between 0 and 1"},
      {"take_rates:\n  - {akt: 2%, act: 0}\n", 2, "between 0 and 1"},
      {"take_rates:\n  - {akt: .nan, act: 0}\n", 2, "between 0 and 1"},
      {"take_rates:\n  - {akt: 0}\n", 2, "has no act"},
      {"take_rates:\n  -\n    act: 0\n", 3, "has no akt"},
  };
  for (const Case& c2 : cases) {
    const ConfigError e = ParseError(c2.yaml);
    EXPECT_EQ(e.line(), c2.line) << c2.yaml << e.what();
    EXPECT_NE(e.reason().find(c2.reason), std::string::npos) << c2.yaml << e.what();
  }
  EXPECT_EQ(Parse("take_rates:\n  - {akt: 1, act: 0}\n").take_rates[0].akt, Decimal::FromInt(1));
}

// --- planning and description --------------------------------------------------------------

std::vector<std::string> PlanStrings(const Config& c) {
  std::vector<std::string> out;
  for (const PlannedSource& p : PlanSources(c)) out.push_back(p.source + "@" + p.target);
  return out;
}

TEST(Config, PlanSourcesForTheFullConfig) {
  const Config c = LoadConfig(Fixture("good_full.yaml"), FullEnv());
  // market is disabled in the fixture.
  EXPECT_EQ(PlanStrings(c), (std::vector<std::string>{
                                "provider_dashboard@" + std::string(kAddr1),
                                "provider_earnings@" + std::string(kAddr1),
                                "chain_leases@" + std::string(kAddr1),
                                "provider_status@" + std::string(kAddr1),
                                "provider_dashboard@" + std::string(kAddr2),
                                "provider_earnings@" + std::string(kAddr2),
                                "chain_leases@" + std::string(kAddr2),
                                "provider_status@" + std::string(kAddr2),
                                "tenant_usage@" + std::string(kAddr3),
                                "tenant_billing@" + std::string(kAddr3),
                                "tenant_usage@" + std::string(kAddr4),
                                "tenant_usage@tenants[2]",
                                "tenant_billing@tenants[2]",
                            }));
}

TEST(Config, PlanSourcesNeedsItsInputs) {
  Config c = Parse("providers:\n  - address: " + std::string(kAddr1) + "\n");
  EXPECT_EQ(PlanStrings(c),
            (std::vector<std::string>{"market@", "provider_dashboard@" + std::string(kAddr1),
                                      "provider_earnings@" + std::string(kAddr1),
                                      "provider_status@" + std::string(kAddr1)}));
  c = Parse("providers:\n  - address: " + std::string(kAddr1) +
            "\nendpoints: {chain_rest: http://n:1317}\n"
            "sources:\n  provider_earnings: {enabled: false}\n  market: {enabled: true}\n");
  EXPECT_EQ(PlanStrings(c),
            (std::vector<std::string>{"market@", "provider_dashboard@" + std::string(kAddr1),
                                      "chain_leases@" + std::string(kAddr1),
                                      "provider_status@" + std::string(kAddr1)}));
  c = Parse("tenants:\n  - address: " + std::string(kAddr3) + "\n");
  EXPECT_EQ(PlanStrings(c),
            (std::vector<std::string>{"market@", "tenant_usage@" + std::string(kAddr3)}));
  c = Parse("tenants:\n  - console_api_key_env: K\nsources: {tenant_usage: {enabled: false}}\n",
            FakeEnv({{"K", kConsoleKey}}));
  EXPECT_EQ(PlanStrings(c), (std::vector<std::string>{"market@", "tenant_billing@tenants[0]"}));
}

TEST(Config, ProviderStatusIsPlannedPerProviderWithItsOwnSettings) {
  Config c = Parse("providers:\n  - address: " + std::string(kAddr1) + "\n  - address: " +
                   std::string(kAddr2) + "\n");
  const SourceSettings& defaults = c.source(kSourceProviderStatus);
  EXPECT_EQ(defaults.interval, milliseconds(300'000));
  EXPECT_EQ(defaults.max_staleness, milliseconds(900'000));
  std::vector<std::string> status_targets;
  for (const PlannedSource& planned : PlanSources(c)) {
    if (planned.source == kSourceProviderStatus) status_targets.push_back(planned.target);
  }
  EXPECT_EQ(status_targets, (std::vector<std::string>{kAddr1, kAddr2}));
  EXPECT_NE(DescribeConfig(c).find("provider_status target=\"" + std::string(kAddr2) +
                                   "\" interval=5m timeout=20s max_staleness=15m"),
            std::string::npos)
      << DescribeConfig(c);

  c = Parse("providers:\n  - address: " + std::string(kAddr1) +
            "\nsources:\n  provider_status: {interval: 10m, timeout: 5s}\n");
  EXPECT_EQ(c.source(kSourceProviderStatus).interval, milliseconds(600'000));
  EXPECT_EQ(c.source(kSourceProviderStatus).timeout, milliseconds(5'000));
  EXPECT_EQ(c.source(kSourceProviderStatus).max_staleness, milliseconds(1'800'000));

  c = Parse("providers:\n  - address: " + std::string(kAddr1) +
            "\nsources: {provider_status: {enabled: false}}\n");
  for (const PlannedSource& planned : PlanSources(c)) {
    EXPECT_NE(planned.source, kSourceProviderStatus);
  }
  EXPECT_NE(DescribeConfig(c).find("disabled by config: provider_status"), std::string::npos);
  // chain_leases-only keys stay refused here.
  const ConfigError e = ParseError("sources:\n  provider_status: {page_limit: 10}\n");
  EXPECT_NE(e.reason().find("page_limit"), std::string::npos) << e.reason();
}

TEST(Config, DescribeConfigNeverShowsKeys) {
  TempDir dir;
  const std::string key_path = dir.Write("earnings.key", kEarningsKey + "\n");
  const Config c =
      Parse(ProviderWithKeyFile(key_path) + "  - address: " + kAddr2 +
                "\n    earnings_api_key_env: EARN2\n"
                "tenants:\n  - console_api_key_env: CONSOLE\n"
                "  - address: " +
                kAddr4 +
                "\n"
                "endpoints: {chain_rest: [http://a:1317, http://b:1317]}\n"
                "sources: {market: {enabled: false}, provider_dashboard: "
                "{interval: 1m30s}}\n",
            FakeEnv({{"CONSOLE", kConsoleKey}, {"EARN2", "akash_" + std::string(64, 'e')}}));
  const std::string text = DescribeConfig(c);
  EXPECT_EQ(text.find(kEarningsKey), std::string::npos) << text;
  EXPECT_EQ(text.find("akash_" + std::string(64, 'e')), std::string::npos) << text;
  EXPECT_EQ(text.find(kConsoleKey), std::string::npos) << text;
  EXPECT_EQ(text.find("ac.sk."), std::string::npos) << text;
  EXPECT_EQ(text.find("5ec2e7de"), std::string::npos) << text;
  EXPECT_NE(text.find("earnings key: set (file " + key_path + ")"), std::string::npos) << text;
  EXPECT_NE(text.find("earnings key: set (env EARN2)"), std::string::npos) << text;
  EXPECT_NE(text.find("console key: set (env CONSOLE)"), std::string::npos) << text;
  EXPECT_NE(text.find("console key: not set"), std::string::npos) << text;
  EXPECT_NE(text.find("provider_dashboard target=\"" + std::string(kAddr1) +
                      "\" interval=1m30s timeout=20s max_staleness=4m30s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tenant_billing target=\"tenants[0]\""), std::string::npos) << text;
  EXPECT_NE(text.find("chain_rest: http://a:1317 http://b:1317"), std::string::npos) << text;
  EXPECT_NE(text.find("until 2026-03-21"), std::string::npos) << text;
  EXPECT_NE(text.find("disabled by config: market"), std::string::npos) << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << text;
}

// --- loading -------------------------------------------------------------------------------

TEST(Config, LoadConfigMissingFile) {
  const ConfigError e = LoadError("/nonexistent/akash.yaml");
  EXPECT_EQ(e.line(), 0);
  EXPECT_EQ(e.file(), "/nonexistent/akash.yaml");
  EXPECT_NE(std::string(e.what()).find("/nonexistent/akash.yaml: cannot open"), std::string::npos)
      << e.what();
}

TEST(Config, ProcessEnvReadsTheEnvironment) {
  ASSERT_EQ(setenv("AKASH_CONFIG_TEST_VAR", "value", 1), 0);
  const EnvLookup env = ProcessEnv();
  EXPECT_EQ(env("AKASH_CONFIG_TEST_VAR"), std::optional<std::string>("value"));
  unsetenv("AKASH_CONFIG_TEST_VAR");
  EXPECT_EQ(env("AKASH_CONFIG_TEST_VAR"), std::nullopt);
}

// --- key files that could wedge or expose --------------------------------------------------

TEST(Config, AKeyFileThatWouldBlockIsRefusedAtOnce) {
  TempDir dir;
  const std::string fifo = (dir.path() / "earnings.key").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  const ConfigError e = ParseError(ProviderWithKeyFile(fifo));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.reason().find("not a regular file"), std::string::npos) << e.what();
  // The configuration file itself too.
  const std::string config_fifo = (dir.path() / "config.yml").string();
  ASSERT_EQ(mkfifo(config_fifo.c_str(), 0600), 0);
  const ConfigError c = LoadError(config_fifo);
  EXPECT_NE(c.reason().find("not a regular file"), std::string::npos) << c.what();
}

TEST(Config, AKeyFileOthersCanReadIsAWarningNamingTheFix) {
  TempDir dir;
  const std::string key = dir.Write("earnings.key", kEarningsKey + "\n");
  std::ostringstream log;
  Logger::Get().SetSink(&log);
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  Parse(ProviderWithKeyFile(key));
  // Group-readable by our own group (Kubernetes fsGroup mounts) is not exposure.
  ASSERT_EQ(chown(key.c_str(), static_cast<uid_t>(-1), getegid()), 0);
  ASSERT_EQ(chmod(key.c_str(), 0440), 0);
  const std::string loose = log.str();
  log.str("");
  Parse(ProviderWithKeyFile(key));
  const std::string own_group = log.str();
  log.str("");
  // Readable by a group this process is not in (changing the group needs root, as in CI).
  std::string foreign_group = "skipped";
  if (chown(key.c_str(), static_cast<uid_t>(-1), 4242) == 0) {
    Parse(ProviderWithKeyFile(key));
    foreign_group = log.str();
    log.str("");
  }
  ASSERT_EQ(chmod(key.c_str(), 0400), 0);
  Parse(ProviderWithKeyFile(key));
  Logger::Get().SetSink(nullptr);
  EXPECT_EQ(own_group, "") << "0440 with the process's own group";
  if (foreign_group != "skipped") {
    EXPECT_NE(foreign_group.find("chmod 0400"), std::string::npos) << foreign_group;
  }
  EXPECT_NE(loose.find("level=warn"), std::string::npos) << loose;
  EXPECT_NE(loose.find(key), std::string::npos) << "the warning names the file";
  EXPECT_NE(loose.find("chmod 0400"), std::string::npos) << "and the fix";
  EXPECT_NE(loose.find("mode=0644"), std::string::npos) << loose;
  EXPECT_EQ(loose.find(kEarningsKey), std::string::npos) << "never the key";
  EXPECT_EQ(log.str(), "") << "a 0400 key file is quiet";
}

}  // namespace
}  // namespace akash::core
