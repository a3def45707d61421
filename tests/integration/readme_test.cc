// The user documentation cannot rot: the README's examples work when copied literally (every
// exporter configuration in a ```yaml block passes `akash_exporter --config.check`, every
// Prometheus configuration passes `promtool check config`), and docs/metrics.md names every
// metric family the exporter serves.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace akash::itest {
namespace {

std::vector<std::string> YamlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  std::istringstream in(markdown);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

bool StartsWithKey(const std::string& yaml, const std::string& key) {
  std::istringstream in(yaml);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    return line.rfind(key + ":", 0) == 0;
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Readme, ConfigExamplesPassConfigCheckAndPromtool) {
  const auto blocks = YamlBlocks(ReadFile(std::string(AKASH_SOURCE_DIR) + "/README.md"));
  TempDir dir;
  int exporter_configs = 0, prometheus_configs = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string path = dir.Write("block" + std::to_string(i) + ".yml", blocks[i]);
    std::string output;
    if (StartsWithKey(blocks[i], "providers") || StartsWithKey(blocks[i], "tenants")) {
      ++exporter_configs;
      const int rc = RunCommand(
          std::string(AKASH_EXPORTER_BIN) + " --config.check --config.file=" + path, &output);
      EXPECT_EQ(rc, 0) << blocks[i] << output;
      EXPECT_NE(output.find("provider_dashboard"), std::string::npos) << output;
    } else if (StartsWithKey(blocks[i], "scrape_configs")) {
      ++prometheus_configs;
      const int rc = RunCommand(std::string(AKASH_PROMTOOL) + " check config " + path, &output);
      EXPECT_EQ(rc, 0) << blocks[i] << output;
    }
  }
  EXPECT_GE(exporter_configs, 1) << "the README lost its minimal configuration";
  EXPECT_GE(prometheus_configs, 1) << "the README lost its scrape_config example";
}

TEST(MetricsReference, NamesEveryFamilyTheExporterServes) {
  TempDir dir;
  const std::string demo = dir.path() + "/demo";
  std::filesystem::create_directory(demo);
  auto sim = StartSim(dir, {"--demo", "--demo-dir=" + demo});
  const std::string config = demo + "/akash_exporter.yml";
  ASSERT_TRUE(Eventually([&] { return std::filesystem::exists(config); }, std::chrono::seconds(20)));
  ASSERT_TRUE(Eventually([&] { return !ReadFile(config).empty(); }));
  auto ex = StartExporter(dir, ReadFile(config));
  std::string body;
  // Wait until every source that runs has published, so that each family is in the body.
  ASSERT_TRUE(Eventually(
      [&] {
        if (Http("GET", ex.base_url + "/-/ready").status != 200) return false;
        body = Http("GET", ex.base_url + "/metrics").body;
        return true;
      },
      std::chrono::seconds(60)))
      << Http("GET", ex.base_url + "/-/ready").body;

  const std::string reference = ReadFile(std::string(AKASH_SOURCE_DIR) + "/docs/metrics.md");
  std::set<std::string> families;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    families.insert(line.substr(7, line.find(' ', 7) - 7));
  }
  EXPECT_GE(families.size(), 20u) << body.substr(0, 2000);
  EXPECT_TRUE(families.count("akash_provider_earned_usd_total"));
  for (const auto& name : families) {
    EXPECT_NE(reference.find("`" + name + "`"), std::string::npos)
        << name << " is served but docs/metrics.md does not describe it";
  }
}

}  // namespace
}  // namespace akash::itest
