#include "collectors/provider_status.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/unit/collectors/test_util.h"

namespace akash::collectors {
namespace {

using core::ErrorReason;
using testing::FakeFetcher;
using testing::FindFamily;
using testing::Fixture;
using testing::Respond;
using testing::Value;

constexpr const char* kProvider = "akash1provider0000000000000000000000000000";
constexpr const char* kConsole = "https://console.test";
const std::string kUrl = std::string(kConsole) + "/v1/providers/" + std::string(kProvider);

TEST(ProviderStatusParseTest, EveryFieldOfAFullRecord) {
  auto d = ParseProviderStatus(Fixture("status/ok.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_TRUE(d->name.has_value());
  EXPECT_EQ(*d->name, "provider.europlots.com");
  EXPECT_EQ(d->host_uri, "https://provider.europlots.com:8443");
  EXPECT_EQ(d->akash_version, "v0.10.2");
  EXPECT_TRUE(d->online);
  EXPECT_DOUBLE_EQ(*d->uptime_1d, 0.9965277777777778);
  EXPECT_DOUBLE_EQ(*d->uptime_7d, 0.9821428571428571);
  EXPECT_DOUBLE_EQ(*d->uptime_30d, 0.96875);
  EXPECT_EQ(d->cpu_milli.active.ToString(), "123500");
  EXPECT_EQ(d->cpu_milli.pending.ToString(), "4000");
  EXPECT_EQ(d->cpu_milli.available.ToString(), "388250");
  EXPECT_EQ(d->gpu.active.ToString(), "6");
  EXPECT_EQ(d->gpu.pending.ToString(), "1");
  EXPECT_EQ(d->gpu.available.ToString(), "1");
  EXPECT_EQ(d->memory_bytes.active.ToString(), "687194767360");
  EXPECT_EQ(d->memory_bytes.pending.ToString(), "8589934592");
  EXPECT_EQ(d->memory_bytes.available.ToString(), "1099511627776");
  EXPECT_EQ(d->ephemeral_bytes.active.ToString(), "1099511627776");
  EXPECT_EQ(d->ephemeral_bytes.pending.ToString(), "107374182400");
  EXPECT_EQ(d->ephemeral_bytes.available.ToString(), "21990232555520");
  EXPECT_EQ(d->persistent_bytes.active.ToString(), "2199023255552");
  EXPECT_TRUE(d->persistent_bytes.pending.IsZero());
  EXPECT_EQ(d->persistent_bytes.available.ToString(), "43980465111040");
  // The duplicate h100 entry is dropped; order is kept.
  ASSERT_EQ(d->gpu_models.size(), 2u);
  EXPECT_EQ(d->gpu_models[0], (GpuModelInfo{"nvidia", "h100", "80Gi", "SXM5"}));
  EXPECT_EQ(d->gpu_models[1], (GpuModelInfo{"nvidia", "a100", "40Gi", "PCIe"}));
}

TEST(ProviderStatusParseTest, NumericStringsEverywhere) {
  auto d = ParseProviderStatus(Fixture("status/numeric_strings.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->cpu_milli.active.ToString(), "123500");
  EXPECT_EQ(d->memory_bytes.available.ToString(), "1099511627776");
  EXPECT_EQ(d->persistent_bytes.available.ToString(), "43980465111040");
  EXPECT_DOUBLE_EQ(*d->uptime_1d, 0.9965277777777778);
  EXPECT_DOUBLE_EQ(*d->uptime_30d, 0.96875);
}

TEST(ProviderStatusParseTest, OfflineProviderHasNullNameAndMissingWindows) {
  auto d = ParseProviderStatus(Fixture("status/offline_name_null.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d->name.has_value());
  EXPECT_FALSE(d->online);
  EXPECT_FALSE(d->uptime_1d.has_value());
  EXPECT_DOUBLE_EQ(*d->uptime_7d, 0.5);
  EXPECT_TRUE(d->gpu_models.empty());
  // Stats of the last successful check are still reported while offline.
  EXPECT_EQ(d->gpu.active.ToString(), "6");
}

TEST(ProviderStatusParseTest, OptionalFieldsMayBeAbsent) {
  auto d = ParseProviderStatus(Fixture("status/minimal.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->akash_version, "");
  EXPECT_FALSE(d->uptime_1d.has_value());
  EXPECT_FALSE(d->uptime_7d.has_value());
  EXPECT_FALSE(d->uptime_30d.has_value());
  EXPECT_TRUE(d->gpu_models.empty());
}

TEST(ProviderStatusParseTest, NullGpuDetailBecomesEmptyLabel) {
  auto d = ParseProviderStatus(Fixture("status/gpu_model_null_ram.json"), "r");
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->gpu_models.size(), 1u);
  EXPECT_EQ(d->gpu_models[0], (GpuModelInfo{"nvidia", "rtx4090", "", "PCIe"}));
}

TEST(ProviderStatusParseTest, MalformedBodiesAreParseErrorsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"status/missing_stats.json", "field stats"},
      {"status/missing_host_uri.json", "field hostUri"},
      {"status/cpu_missing_available.json", "stats.cpu.available"},
      {"status/persistent_not_object.json", "stats.storage.persistent"},
      {"status/uptime_is_bool.json", "uptime7d"},
      {"status/gpu_memory_not_a_number.json", "stats.memory.active"},
      {"status/gpu_models_not_array.json", "gpuModels"},
      {"status/online_is_string.json", "isOnline"},
      {"status/name_is_object.json", "field name"},
      {"status/root_array.json", "document"},
      {"errors/plain_404_provider_not_found.txt", "offset"},
      {"errors/cloudflare_403.html", "offset"},
      {"earnings/truncated.json", "offset"},
  };
  for (const auto& [fixture, field] : cases) {
    auto d = ParseProviderStatus(Fixture(fixture), "https://console.test/v1/providers/x");
    ASSERT_FALSE(d.ok()) << fixture;
    EXPECT_EQ(d.error().reason, ErrorReason::kParse) << fixture;
    EXPECT_NE(d.error().message.find(field), std::string::npos)
        << fixture << ": " << d.error().message;
    EXPECT_NE(d.error().message.find("https://console.test/v1/providers/x"), std::string::npos);
  }
}

TEST(ProviderStatusParseTest, HostOfUri) {
  EXPECT_EQ(HostOfUri("https://provider.europlots.com:8443"), "provider.europlots.com");
  EXPECT_EQ(HostOfUri("https://Provider.Example.COM"), "provider.example.com");
  EXPECT_EQ(HostOfUri("https://user:pw@p.example.com:8443/path?q#f"), "p.example.com");
  EXPECT_EQ(HostOfUri("https://[2001:db8::1]:8443"), "[2001:db8::1]");
  EXPECT_EQ(HostOfUri("p.example.com:8443"), "p.example.com");
  EXPECT_EQ(HostOfUri(""), "");
  EXPECT_EQ(HostOfUri("https://[broken"), "");
}

class ProviderStatusSourceTest : public ::testing::Test {
 protected:
  core::Result<PollOutput> Poll() {
    PollContext ctx{testing::At(2026, 8, 20, 12), &facts_};
    return source_.Poll(fetcher_, ctx);
  }
  double Capacity(const std::string& family, const std::string& state,
                  const std::string& storage_class = "") {
    Labels labels = {{"provider", kProvider}, {"state", state}};
    if (!storage_class.empty()) labels.emplace_back("class", storage_class);
    auto v = Value(*last_, family, labels);
    EXPECT_TRUE(v.has_value()) << family << " " << state << " " << storage_class;
    return v.value_or(-1);
  }
  core::SharedFacts facts_;
  FakeFetcher fetcher_;
  ProviderStatusSource source_{std::string(kConsole) + "/", kProvider};
  std::optional<PollOutput> last_;
};

TEST_F(ProviderStatusSourceTest, ExportsEveryFamilyInConvertedUnits) {
  fetcher_.Set(kUrl, Respond(200, Fixture("status/ok.json")));
  auto out = Poll();
  ASSERT_TRUE(out.ok()) << out.error().message;
  last_ = *out;
  ASSERT_EQ(fetcher_.calls().size(), 1u);
  EXPECT_EQ(fetcher_.calls()[0].url, kUrl);
  EXPECT_TRUE(fetcher_.calls()[0].secret_headers.empty());
  EXPECT_EQ(source_.name(), "provider_status");
  EXPECT_EQ(source_.target(), kProvider);

  EXPECT_EQ(*Value(*out, "akash_provider_info",
                   {{"provider", kProvider},
                    {"name", "provider.europlots.com"},
                    {"host_uri", "https://provider.europlots.com:8443"},
                    {"akash_version", "v0.10.2"}}),
            1);
  EXPECT_EQ(*Value(*out, "akash_provider_online", {{"provider", kProvider}}), 1);
  EXPECT_DOUBLE_EQ(
      *Value(*out, "akash_provider_uptime_ratio", {{"provider", kProvider}, {"window", "1d"}}),
      0.9965277777777778);
  EXPECT_DOUBLE_EQ(
      *Value(*out, "akash_provider_uptime_ratio", {{"provider", kProvider}, {"window", "7d"}}),
      0.9821428571428571);
  EXPECT_DOUBLE_EQ(
      *Value(*out, "akash_provider_uptime_ratio", {{"provider", kProvider}, {"window", "30d"}}),
      0.96875);
  // CPU thousandths → cores.
  EXPECT_DOUBLE_EQ(Capacity("akash_provider_capacity_cpu_cores", "active"), 123.5);
  EXPECT_DOUBLE_EQ(Capacity("akash_provider_capacity_cpu_cores", "pending"), 4);
  EXPECT_DOUBLE_EQ(Capacity("akash_provider_capacity_cpu_cores", "available"), 388.25);
  EXPECT_EQ(Capacity("akash_provider_capacity_gpus", "active"), 6);
  EXPECT_EQ(Capacity("akash_provider_capacity_gpus", "pending"), 1);
  EXPECT_EQ(Capacity("akash_provider_capacity_gpus", "available"), 1);
  EXPECT_EQ(Capacity("akash_provider_capacity_memory_bytes", "active"), 687194767360.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_memory_bytes", "pending"), 8589934592.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_memory_bytes", "available"), 1099511627776.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "active", "ephemeral"),
            1099511627776.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "pending", "ephemeral"),
            107374182400.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "available", "ephemeral"),
            21990232555520.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "active", "persistent"),
            2199023255552.0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "pending", "persistent"), 0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "available", "persistent"),
            43980465111040.0);
  EXPECT_EQ(*Value(*out, "akash_provider_gpu_model_info",
                   {{"provider", kProvider},
                    {"vendor", "nvidia"},
                    {"model", "h100"},
                    {"ram", "80Gi"},
                    {"interface", "SXM5"}}),
            1);
  EXPECT_EQ(*Value(*out, "akash_provider_gpu_model_info",
                   {{"provider", kProvider},
                    {"vendor", "nvidia"},
                    {"model", "a100"},
                    {"ram", "40Gi"},
                    {"interface", "PCIe"}}),
            1);

  const std::map<std::string, std::size_t> series = {
      {"akash_provider_info", 1},
      {"akash_provider_online", 1},
      {"akash_provider_uptime_ratio", 3},
      {"akash_provider_capacity_cpu_cores", 3},
      {"akash_provider_capacity_gpus", 3},
      {"akash_provider_capacity_memory_bytes", 3},
      {"akash_provider_capacity_storage_bytes", 6},
      {"akash_provider_gpu_model_info", 2},
  };
  ASSERT_EQ(out->families.size(), series.size());
  for (const auto& f : out->families) {
    ASSERT_TRUE(series.contains(f.name)) << f.name;
    EXPECT_EQ(f.metric.size(), series.at(f.name)) << f.name;
    EXPECT_EQ(f.type, prometheus::MetricType::Gauge) << f.name;
    EXPECT_NE(f.help.find("Console API provider record"), std::string::npos) << f.name;
    EXPECT_NE(f.help.find("refreshed every provider_status interval"), std::string::npos) << f.name;
    for (const auto& m : f.metric) {
      ASSERT_FALSE(m.label.empty());
      EXPECT_EQ(m.label[0].name, "provider");
      EXPECT_EQ(m.label[0].value, kProvider);
    }
  }
}

TEST_F(ProviderStatusSourceTest, NumericStringsGiveTheSameValues) {
  fetcher_.Set(kUrl, Respond(200, Fixture("status/numeric_strings.json")));
  auto out = Poll();
  ASSERT_TRUE(out.ok()) << out.error().message;
  last_ = *out;
  EXPECT_DOUBLE_EQ(Capacity("akash_provider_capacity_cpu_cores", "available"), 388.25);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "available", "persistent"),
            43980465111040.0);
  EXPECT_DOUBLE_EQ(
      *Value(*out, "akash_provider_uptime_ratio", {{"provider", kProvider}, {"window", "7d"}}),
      0.9821428571428571);
}

TEST_F(ProviderStatusSourceTest, OfflineProviderKeepsItsNameFromTheHostUri) {
  fetcher_.Set(kUrl, Respond(200, Fixture("status/offline_name_null.json")));
  auto out = Poll();
  ASSERT_TRUE(out.ok()) << out.error().message;
  // name is null while offline; the label is the host of hostUri, as the Console shows online.
  EXPECT_EQ(*Value(*out, "akash_provider_info",
                   {{"provider", kProvider},
                    {"name", "provider.europlots.com"},
                    {"host_uri", "https://provider.europlots.com:8443"},
                    {"akash_version", "v0.10.2"}}),
            1);
  EXPECT_EQ(*Value(*out, "akash_provider_online", {{"provider", kProvider}}), 0);
  // The null 1d window is left out; the others remain.
  const auto* uptime = FindFamily(*out, "akash_provider_uptime_ratio");
  ASSERT_NE(uptime, nullptr);
  std::set<std::string> windows;
  for (const auto& m : uptime->metric) {
    for (const auto& l : m.label) {
      if (l.name == "window") windows.insert(l.value);
    }
  }
  EXPECT_EQ(windows, (std::set<std::string>{"7d", "30d"}));
  EXPECT_EQ(FindFamily(*out, "akash_provider_gpu_model_info"), nullptr);
}

TEST_F(ProviderStatusSourceTest, MinimalRecordOmitsWhatIsNotThere) {
  fetcher_.Set(kUrl, Respond(200, Fixture("status/minimal.json")));
  auto out = Poll();
  ASSERT_TRUE(out.ok()) << out.error().message;
  last_ = *out;
  EXPECT_EQ(*Value(*out, "akash_provider_info",
                   {{"provider", kProvider},
                    {"name", "provider.europlots.com"},
                    {"host_uri", "https://provider.europlots.com:8443"},
                    {"akash_version", ""}}),
            1);
  EXPECT_EQ(FindFamily(*out, "akash_provider_uptime_ratio"), nullptr);
  EXPECT_EQ(FindFamily(*out, "akash_provider_gpu_model_info"), nullptr);
  // Closed label sets are always exported, zero included.
  EXPECT_EQ(Capacity("akash_provider_capacity_gpus", "pending"), 0);
  EXPECT_EQ(Capacity("akash_provider_capacity_storage_bytes", "available", "persistent"), 0);
}

TEST_F(ProviderStatusSourceTest, HttpErrorsMapToReasons) {
  struct Case {
    int status;
    const char* fixture;
    const char* content_type;
    ErrorReason reason;
  };
  const Case cases[] = {
      // The route's own 404 for an unknown address is plain text.
      {404, "errors/plain_404_provider_not_found.txt", "text/plain", ErrorReason::kHttp4xx},
      {400, "errors/console_400_validation.json", "application/json", ErrorReason::kHttp4xx},
      {401, "errors/console_401_invalid_api_key.json", "application/json", ErrorReason::kAuth},
      // An HTML 403 comes from the edge (a challenge), not the API: not the key.
      {403, "errors/cloudflare_403.html", "text/html", ErrorReason::kRateLimited},
      {429, "errors/cloudflare_429.html", "text/html", ErrorReason::kRateLimited},
      {502, "errors/console_502_database_timeout.json", "application/json", ErrorReason::kHttp5xx},
  };
  for (const auto& c : cases) {
    fetcher_.Set(kUrl, Respond(c.status, Fixture(c.fixture), c.content_type));
    auto out = Poll();
    ASSERT_FALSE(out.ok()) << c.fixture;
    EXPECT_EQ(out.error().reason, c.reason) << c.fixture << ": " << out.error().message;
    EXPECT_NE(out.error().message.find(std::to_string(c.status)), std::string::npos);
    // The body is never quoted.
    EXPECT_EQ(out.error().message.find("Provider not found."), std::string::npos);
  }
}

TEST_F(ProviderStatusSourceTest, GarbageWith200IsAParseError) {
  for (const char* body : {"", "not json", "{\"stats\":", "null", "42"}) {
    fetcher_.Set(kUrl, Respond(200, body));
    auto out = Poll();
    ASSERT_FALSE(out.ok()) << body;
    EXPECT_EQ(out.error().reason, ErrorReason::kParse) << body;
  }
}

TEST_F(ProviderStatusSourceTest, TransportErrorsPassThrough) {
  fetcher_.SetError(kUrl, core::MakeError(ErrorReason::kConnect, "refused"));
  auto out = Poll();
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().reason, ErrorReason::kConnect);
}

}  // namespace
}  // namespace akash::collectors
