// --demo: key files and the exporter config (metrics.md "Config file").

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Demo, WritesPrivateKeyFilesAndAConfigThatReferencesThem) {
  char tmpl[] = "/tmp/akash-sim-demo-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  WorldConfig c = SmallConfig();
  c.providers = 2;
  c.tenants = 2;
  World w = World::Generate(c);
  std::string error;
  auto yaml = WriteDemoFiles(w, 45678, dir, &error);
  ASSERT_TRUE(yaml.has_value()) << error;
  const std::string key_file = dir + "/provider-1.earnings.key";
  EXPECT_EQ(ReadFile(key_file), w.providers()[0].earnings_api_key + "\n");
  struct stat st {};
  ASSERT_EQ(stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFile(dir + "/tenant-2.console.key"), w.tenants()[1].console_api_key + "\n");
  EXPECT_NE(yaml->find("earnings_api_key_file: " + key_file), std::string::npos);
  EXPECT_NE(yaml->find("  - address: " + w.providers()[1].address), std::string::npos);
  EXPECT_NE(yaml->find("console_api: http://127.0.0.1:45678"), std::string::npos);
  EXPECT_NE(yaml->find("provider_console_api: http://127.0.0.1:45678"), std::string::npos);
  EXPECT_NE(yaml->find("chain_rest: [http://127.0.0.1:45678]"), std::string::npos);
  // The second tenant is given by key only (resolved through /v1/user/me and /v1/wallets).
  EXPECT_EQ(yaml->find(w.tenants()[1].address), std::string::npos);
  // No secret is written into the config itself.
  EXPECT_EQ(yaml->find(w.providers()[0].earnings_api_key), std::string::npos);
  EXPECT_EQ(yaml->find(w.tenants()[0].console_api_key), std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST(Pagination, HeavilyFilteredPagesMayBeShortButTheKeyGoesOn) {
  WorldConfig c = SmallConfig();
  c.leases = 6000;
  Sim s(c);
  // reclaiming is rare: with limit 1000 a page scans 4000 candidates and comes back short.
  auto first =
      s.Json("/akash/market/v1beta5/leases/list?filters.state=reclaiming&pagination.limit=1000");
  EXPECT_LT(first["leases"].Size(), 1000u);
  ASSERT_TRUE(first["pagination"]["next_key"].IsString());
  std::size_t seen = first["leases"].Size();
  std::string key = first["pagination"]["next_key"].GetString();
  while (!key.empty()) {
    auto d = s.Json(
        "/akash/market/v1beta5/leases/"
        "list?filters.state=reclaiming&pagination.limit=1000&pagination.key=" +
        Enc(key));
    seen += d["leases"].Size();
    key = d["pagination"]["next_key"].IsNull() ? "" : d["pagination"]["next_key"].GetString();
  }
  std::size_t expected = 0;
  for (const Lease& l : s.world().leases()) expected += l.state == LeaseState::kReclaiming ? 1 : 0;
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace akash::sim::testing
