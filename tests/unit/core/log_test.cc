#include "exporter/core/log.h"

#include "exporter/core/secret.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <type_traits>

namespace akash::core {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { Logger::Get().SetSink(&out_); }
  void TearDown() override {
    Logger::Get().SetSink(nullptr);
    Logger::Get().Configure(LogLevel::kInfo, LogFormat::kLogfmt);
  }
  // The line without its leading timestamp.
  std::string Line() {
    std::string s = out_.str();
    out_.str("");
    const auto sp = s.find(' ');
    return sp == std::string::npos ? s : s.substr(sp + 1);
  }
  std::ostringstream out_;
};

TEST_F(LogTest, LogfmtQuotesOnlyWhenNeeded) {
  Logger::Get().Configure(LogLevel::kDebug, LogFormat::kLogfmt);
  LogInfo("poll failed", {{"source", "market"}, {"err", "HTTP 503 \"x\"\nnext"}, {"empty", ""}});
  EXPECT_EQ(Line(),
            "level=info msg=\"poll failed\" source=market err=\"HTTP 503 \\\"x\\\"\\nnext\" "
            "empty=\"\"\n");
}

TEST_F(LogTest, JsonEscapesEverything) {
  Logger::Get().Configure(LogLevel::kDebug, LogFormat::kJson);
  LogWarn("a\"b", {{"k", std::string("tab\tctl\x01")}});
  const std::string s = out_.str();
  EXPECT_EQ(s.rfind("{\"time\":\"", 0), 0u);
  EXPECT_NE(s.find("\"level\":\"warn\",\"msg\":\"a\\\"b\",\"k\":\"tab\\tctl\\u0001\"}\n"),
            std::string::npos)
      << s;
}

TEST_F(LogTest, JsonWritesNumbersAsNumbers) {
  Logger::Get().Configure(LogLevel::kDebug, LogFormat::kJson);
  const std::size_t bytes = 1234;
  LogInfo("http request", {{"status", 200},
                           {"bytes", bytes},
                           {"duration_ms", std::int64_t{-7}},
                           {"ratio", 0.25},
                           {"ok", true},
                           {"nan", std::nan("")},
                           {"inf", -HUGE_VAL},
                           {"text", "200"}});
  const std::string s = out_.str();
  EXPECT_NE(s.find("\"msg\":\"http request\",\"status\":200,\"bytes\":1234,"
                   "\"duration_ms\":-7,\"ratio\":0.25,\"ok\":true,\"nan\":\"NaN\","
                   "\"inf\":\"-Inf\",\"text\":\"200\"}\n"),
            std::string::npos)
      << s;
}

// A key cannot reach a log line: a Secret converts to no kind of field, numbers included.
static_assert(!std::is_constructible_v<LogField, std::string_view, Secret>);
static_assert(!std::is_constructible_v<LogField, std::string_view, const Secret&>);

TEST_F(LogTest, LogfmtWritesNumbersAsBefore) {
  Logger::Get().Configure(LogLevel::kDebug, LogFormat::kLogfmt);
  LogInfo("started", {{"port", 9733}, {"ratio", 1.5}, {"ok", false}, {"s", "9733"}});
  EXPECT_EQ(Line(), "level=info msg=started port=9733 ratio=1.5 ok=false s=9733\n");
}

TEST_F(LogTest, LevelFilters) {
  Logger::Get().Configure(LogLevel::kWarn, LogFormat::kLogfmt);
  LogInfo("hidden");
  LogDebug("hidden");
  EXPECT_TRUE(out_.str().empty());
  LogError("shown");
  EXPECT_NE(out_.str().find("level=error msg=shown"), std::string::npos);
}

TEST(LogParse, LevelsAndFormats) {
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("error"), LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("loud").has_value());
  EXPECT_EQ(ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").has_value());
}

}  // namespace
}  // namespace akash::core
