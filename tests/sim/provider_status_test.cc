// The Console provider record (`/v1/providers/{address}`): agrees with its truth, with the
// dashboard at the same indexed block, and models an offline and a degraded provider.

#include <string>

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

// stats item name in the route → capacity key in the truth and dashboard field.
struct Kind {
  const char* truth;
  const char* dashboard;
};

const rapidjson::Value& StatsItem(const rapidjson::Value& stats, const std::string& truth_kind) {
  if (truth_kind == "cpu_milli") return stats["cpu"];
  if (truth_kind == "gpu") return stats["gpu"];
  if (truth_kind == "memory_bytes") return stats["memory"];
  if (truth_kind == "ephemeral_bytes") return stats["storage"]["ephemeral"];
  return stats["storage"]["persistent"];
}

TEST(ConsoleProviderStatus, EveryProviderAgreesWithTruthAndDashboard) {
  Sim s;
  const Kind kinds[] = {{"cpu_milli", "activeCPU"},
                        {"gpu", "activeGPU"},
                        {"memory_bytes", "activeMemory"},
                        {"ephemeral_bytes", "activeEphemeralStorage"},
                        {"persistent_bytes", "activePersistentStorage"}};
  for (int i = 0; i < 3; ++i) {
    const std::string addr = s.provider(i).address;
    auto d = s.Json("/v1/providers/" + addr);
    auto t = s.Json("/_sim/truth/provider_status/" + addr);
    auto dash = s.Json("/v1/provider-dashboard/" + addr);
    EXPECT_EQ(t["height"].GetInt64(), dash["current"]["height"].GetInt64());
    EXPECT_EQ(std::string(d["hostUri"].GetString()), t["host_uri"].GetString());
    EXPECT_EQ(std::string(d["akashVersion"].GetString()), t["akash_version"].GetString());
    EXPECT_EQ(d["isOnline"].GetBool(), t["online"].GetBool());
    if (t["online"].GetBool()) {
      EXPECT_EQ(std::string(d["name"].GetString()), t["name"].GetString()) << i;
    } else {
      EXPECT_TRUE(d["name"].IsNull()) << i;
    }
    for (const char* w : {"1d", "7d", "30d"}) {
      const std::string field = std::string("uptime") + w;
      ASSERT_EQ(d[field.c_str()].IsNull(), t["uptime"][w].IsNull()) << i << w;
      if (!t["uptime"][w].IsNull()) {
        EXPECT_DOUBLE_EQ(d[field.c_str()].GetDouble(), t["uptime"][w].GetDouble()) << i << w;
      }
    }
    for (const Kind& k : kinds) {
      const rapidjson::Value& item = StatsItem(d["stats"], k.truth);
      const rapidjson::Value& truth = t["capacity"][k.truth];
      for (const char* state : {"active", "pending", "available"}) {
        EXPECT_EQ(item[state].GetInt64(), truth[state].GetInt64()) << i << k.truth << state;
      }
      EXPECT_GE(item["available"].GetInt64(), 0);
      // The dashboard writes memory and storage as strings, CPU and GPU as numbers.
      const rapidjson::Value& dv = dash["current"][k.dashboard];
      const std::int64_t dashboard_active =
          dv.IsString() ? std::stoll(dv.GetString()) : dv.GetInt64();
      EXPECT_EQ(item["active"].GetInt64(), dashboard_active) << i << k.dashboard;
    }
    ASSERT_EQ(d["gpuModels"].Size(), t["gpu_models"].Size());
    for (rapidjson::SizeType m = 0; m < d["gpuModels"].Size(); ++m) {
      for (const char* f : {"vendor", "model", "ram", "interface"}) {
        EXPECT_EQ(std::string(d["gpuModels"][m][f].GetString()), t["gpu_models"][m][f].GetString());
      }
    }
  }
}

TEST(ConsoleProviderStatus, HealthyDegradedAndOfflineProviders) {
  Sim s;
  auto healthy = s.Json("/v1/providers/" + s.provider(0).address);
  auto degraded = s.Json("/v1/providers/" + s.provider(1).address);
  auto offline = s.Json("/v1/providers/" + s.provider(2).address);

  EXPECT_TRUE(healthy["isOnline"].GetBool());
  EXPECT_EQ(std::string(healthy["name"].GetString()), "provider.p1.sim.akash.test");
  EXPECT_DOUBLE_EQ(healthy["uptime30d"].GetDouble(), 1.0);
  EXPECT_EQ(healthy["stats"]["cpu"]["pending"].GetInt64(), 0);

  EXPECT_TRUE(degraded["isOnline"].GetBool());
  EXPECT_LT(degraded["uptime1d"].GetDouble(), 1.0);
  EXPECT_LT(degraded["uptime7d"].GetDouble(), 1.0);
  EXPECT_GT(degraded["stats"]["cpu"]["pending"].GetInt64(), 0);
  EXPECT_GT(degraded["stats"]["memory"]["pending"].GetInt64(), 0);

  EXPECT_FALSE(offline["isOnline"].GetBool());
  EXPECT_TRUE(offline["name"].IsNull());
  EXPECT_LT(offline["uptime1d"].GetDouble(), 1.0);
  // The uptime array (the last day of checks) agrees with uptime1d for each provider.
  for (const auto* d : {&healthy, &degraded, &offline}) {
    const rapidjson::Value& checks = (*d)["uptime"];
    ASSERT_EQ(checks.Size(), 144u);
    int ok = 0;
    for (const auto& c : checks.GetArray()) ok += c["isOnline"].GetBool() ? 1 : 0;
    EXPECT_DOUBLE_EQ((*d)["uptime1d"].GetDouble(), ok / 144.0);
  }
  // An offline provider's newest check failed; an online one's succeeded.
  EXPECT_FALSE(offline["uptime"][0]["isOnline"].GetBool());
  EXPECT_TRUE(degraded["uptime"][0]["isOnline"].GetBool());
  EXPECT_LT(std::string(offline["lastOnlineDate"].GetString()),
            std::string(offline["lastCheckDate"].GetString()));
}

TEST(ConsoleProviderStatus, UnknownAddressIsPlainText404InRouteAndTruth) {
  Sim s;
  Response r = s.Get("/v1/providers/" + s.tenant().address);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "Provider not found.");
  EXPECT_EQ(s.Get("/_sim/truth/provider_status/" + s.tenant().address).status, 404);
}

}  // namespace
}  // namespace akash::sim::testing
