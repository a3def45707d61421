// The README's examples must work when copied literally: every exporter configuration in a
// ```yaml block passes `akash_exporter --config.check`, and every Prometheus configuration passes
// `promtool check config`.

#include <gtest/gtest.h>

#include <fstream>
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

}  // namespace
}  // namespace akash::itest
