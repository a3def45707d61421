#include "exporter/metrics/exposition.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "exporter/metrics/text_format.h"

namespace akash::metrics {
namespace {

using namespace std::chrono_literals;

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[16384];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

prometheus::MetricFamily Family(const std::string& name, const std::string& help,
                                prometheus::MetricType type,
                                std::vector<std::pair<std::vector<prometheus::ClientMetric::Label>,
                                                      double>> series) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  for (auto& [labels, v] : series) {
    prometheus::ClientMetric m;
    m.label = labels;
    if (type == prometheus::MetricType::Counter) {
      m.counter.value = v;
    } else {
      m.gauge.value = v;
    }
    f.metric.push_back(m);
  }
  return f;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExpositionTest : public ::testing::Test {
 protected:
  ExpositionOptions Options() {
    ExpositionOptions o;
    o.exporter_metrics = false;
    o.build = BuildInfo{"1.2.3", "abcdef", "gcc-test"};
    return o;
  }
  core::ManualClock clock_{std::chrono::system_clock::time_point{1'700'000'000s}};
  Store store_{clock_};
};

TEST(TextFormat, EscapesHelpAndLabelValues) {
  auto f = Family("m", "back\\slash\nnew \"quote\"", prometheus::MetricType::Gauge,
                  {{{{"l", "a\"b\\c\nd"}}, 1.5}});
  EXPECT_EQ(Serialize({f}),
            "# HELP m back\\\\slash\\nnew \"quote\"\n# TYPE m gauge\nm{l=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(TextFormat, SpecialValues) {
  std::string s;
  AppendValue(s, std::numeric_limits<double>::quiet_NaN());
  s += ' ';
  AppendValue(s, std::numeric_limits<double>::infinity());
  s += ' ';
  AppendValue(s, -std::numeric_limits<double>::infinity());
  s += ' ';
  AppendValue(s, 1e21);
  s += ' ';
  AppendValue(s, 0.1);
  EXPECT_EQ(s, "NaN +Inf -Inf 1e+21 0.1");
  s.clear();
  AppendValue(s, 1700000000);
  EXPECT_EQ(s, "1700000000");
}

TEST_F(ExpositionTest, MatchesGoldenFile) {
  const SourceKey a{"provider_dashboard", "akash1aaa"};
  const SourceKey b{"provider_dashboard", "akash1bbb"};
  const SourceKey m{"market", ""};
  store_.Configure({{a, SlotSettings(600s, 200s)},
                    {b, SlotSettings(600s, 200s)},
                    {m, SlotSettings(900s, 300s)}});
  store_.PublishSuccess(
      a,
      std::make_shared<const Families>(Families{Family(
          "akash_provider_earned_akt_total", "Lifetime gross earnings in AKT.",
          prometheus::MetricType::Counter, {{{{"provider", "akash1aaa"}}, 198.821549899183}})}),
      0, 0.25s);
  store_.PublishSuccess(
      b,
      std::make_shared<const Families>(Families{Family(
          "akash_provider_earned_akt_total", "Lifetime gross earnings in AKT.",
          prometheus::MetricType::Counter, {{{{"provider", "akash1bbb"}}, 5}})}),
      0, 0.5s, /*upstream_decreases=*/2);
  store_.RecordRequest(a, "200");
  store_.RecordRequest(a, "200");
  store_.RecordRequest(m, "error");
  store_.PublishFailure(m, core::Error{core::ErrorReason::kTimeout, "t", std::nullopt}, 20s);
  Exposition exp(store_, Options());
  const std::string golden = ReadFile(std::string(AKASH_GOLDEN_DIR) + "/exposition_basic.prom");
  EXPECT_EQ(*exp.Get(false), golden);
}

TEST_F(ExpositionTest, StaleSourceIsWithdrawnButSelfMetricsRemain) {
  const SourceKey a{"market", ""};
  store_.Configure({{a, 60s}});
  store_.PublishSuccess(a, std::make_shared<const Families>(Families{Family(
                               "akash_akt_price_usd", "p", prometheus::MetricType::Gauge,
                               {{{}, 3.21}})}),
                        0, 0s);
  Exposition exp(store_, Options());
  EXPECT_NE(exp.Get(false)->find("akash_akt_price_usd 3.21"), std::string::npos);
  clock_.Advance(61s);
  const auto body = *exp.Get(false);
  EXPECT_EQ(body.find("akash_akt_price_usd"), std::string::npos);
  EXPECT_NE(body.find("akash_exporter_source_up{source=\"market\",target=\"\"} 0"),
            std::string::npos);
}

TEST_F(ExpositionTest, GzipRoundTrip) {
  Exposition exp(store_, Options());
  const auto plain = exp.Get(false);
  const auto gz = exp.Get(true);
  ASSERT_GE(gz->size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*gz), *plain);
}

TEST_F(ExpositionTest, CachesUntilChangeOrMaxAge) {
  auto opts = Options();
  opts.max_cache_age = 1h;
  Exposition exp(store_, opts);
  const auto first = exp.Get(false);
  const auto second = exp.Get(false);
  EXPECT_EQ(first.get(), second.get()) << "unchanged store: the same buffer is served";
  EXPECT_EQ(exp.renders(), 1u);
  store_.RecordReload(false);
  const auto third = exp.Get(false);
  EXPECT_NE(third.get(), first.get());
  EXPECT_EQ(exp.renders(), 2u);
  EXPECT_NE(third->find("akash_exporter_config_last_reload_successful 0"), std::string::npos);
}

TEST_F(ExpositionTest, ProcessMetricsToggle) {
  auto with = Options();
  with.exporter_metrics = true;
  Exposition on(store_, with);
  Exposition off(store_, Options());
  EXPECT_NE(on.Get(false)->find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(on.Get(false)->find("process_open_fds "), std::string::npos);
  EXPECT_EQ(off.Get(false)->find("process_"), std::string::npos);
  EXPECT_NE(off.Get(false)->find("akash_exporter_build_info{"), std::string::npos);
}

TEST_F(ExpositionTest, RenderWritesWhatCollectSerializes) {
  const SourceKey a{"provider_dashboard", "akash1aaa"};
  const SourceKey b{"provider_dashboard", "akash1bbb"};
  store_.Configure({{a, 600s}, {b, 600s}});
  for (const auto& [key, v] : {std::pair{a, 1.5}, std::pair{b, 2.5}}) {
    store_.PublishSuccess(
        key,
        std::make_shared<const Families>(Families{
            Family("akash_provider_leases_active", "Active leases.", prometheus::MetricType::Gauge,
                   {{{{"provider", key.target}}, v}}),
            Family("akash_provider_earned_akt_total", "Lifetime.", prometheus::MetricType::Counter,
                   {{{{"provider", key.target}}, v * 10}})}),
        0, 0s);
  }
  Exposition exp(store_, Options());
  EXPECT_EQ(exp.Render(), Serialize(exp.Collect()));
}

TEST_F(ExpositionTest, BackgroundModeRendersOnChangeAndAScrapeNeverWaitsForARender) {
  const SourceKey a{"market", ""};
  store_.Configure({{a, 600s}});
  auto opts = Options();
  opts.background_render = true;
  opts.max_cache_age = 1h;
  std::mutex gate_mu;
  std::condition_variable gate_cv;
  bool hold = false;
  bool held = false;
  opts.on_render = [&] {
    std::unique_lock lock(gate_mu);
    if (!hold) return;
    held = true;
    gate_cv.notify_all();
    gate_cv.wait(lock, [&] { return !hold; });
  };
  Exposition exp(store_, opts);
  const auto first = exp.Get(true);  // nothing rendered yet: this one scrape renders itself
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(static_cast<unsigned char>((*first)[0]), 0x1f) << "gzip made with the render";
  ASSERT_NE(exp.Get(false), nullptr);  // both formats asked for: the renderer keeps both
  exp.WaitForRender();

  // A change while the renderer is stuck mid-render: scrapes keep getting the last body.
  {
    std::lock_guard lock(gate_mu);
    hold = true;
  }
  store_.PublishSuccess(a, std::make_shared<const Families>(Families{Family(
                               "akash_akt_price_usd", "p", prometheus::MetricType::Gauge,
                               {{{}, 3.21}})}),
                        0, 0s);
  {
    std::unique_lock lock(gate_mu);
    ASSERT_TRUE(gate_cv.wait_for(lock, 5s, [&] { return held; })) << "no render started";
  }
  auto scrape = std::async(std::launch::async, [&] { return exp.Get(false); });
  ASSERT_EQ(scrape.wait_for(5s), std::future_status::ready) << "a scrape waited for the render";
  EXPECT_EQ(scrape.get()->find("akash_akt_price_usd"), std::string::npos) << "the previous body";
  {
    std::lock_guard lock(gate_mu);
    hold = false;
  }
  gate_cv.notify_all();
  exp.WaitForRender();
  EXPECT_NE(exp.Get(false)->find("akash_akt_price_usd 3.21"), std::string::npos);
  EXPECT_NE(Gunzip(*exp.Get(true)).find("akash_akt_price_usd 3.21"), std::string::npos);
}

TEST_F(ExpositionTest, BackgroundModeCoalescesABurstOfChanges) {
  const SourceKey a{"market", ""};
  store_.Configure({{a, 600s}});
  auto opts = Options();
  opts.background_render = true;
  opts.max_cache_age = 1h;
  opts.coalesce = 200ms;
  Exposition exp(store_, opts);
  exp.Get(false);
  const auto before = exp.renders();
  for (int i = 0; i < 100; ++i) store_.RecordRequest(a, "200");
  exp.WaitForRender();
  EXPECT_LE(exp.renders() - before, 3u) << "100 changes in a burst, rendered about once";
  EXPECT_NE(exp.Get(false)->find("code=\"200\"} 100"), std::string::npos);
}

// Prometheus asks for gzip only; the plain text (about ten times larger) is then never kept,
// and nobody asking for a while drops both bodies. Before, every render kept both.
TEST_F(ExpositionTest, BackgroundModeKeepsOnlyTheFormatsAskedFor) {
  const SourceKey a{"chain_leases", "akash1aaa"};
  store_.Configure({{a, 600s}});
  std::vector<std::pair<std::vector<prometheus::ClientMetric::Label>, double>> series;
  for (int i = 0; i < 3000; ++i) {
    series.push_back({{{"provider", "akash1aaa"}, {"dseq", std::to_string(20000000 + i)}}, i * 1.5});
  }
  const auto publish = [&](double scale) {
    auto s = series;
    for (auto& [labels, v] : s) v *= scale;
    store_.PublishSuccess(a,
                          std::make_shared<const Families>(Families{Family(
                              "akash_lease_rate", "r", prometheus::MetricType::Gauge, s)}),
                          0, 0s);
  };
  publish(1);
  auto opts = Options();
  opts.background_render = true;
  opts.max_cache_age = 1h;
  opts.coalesce = 1ms;
  opts.format_idle = 10min;
  Exposition exp(store_, opts);
  const std::size_t plain_size = exp.Render().size();
  ASSERT_GT(plain_size, 100'000u);

  EXPECT_EQ(Gunzip(*exp.Get(true)), exp.Render());
  EXPECT_LT(exp.held_bytes(), plain_size / 4) << "gzip asked for: no plain body kept";
  publish(2);
  exp.WaitForRender();
  EXPECT_EQ(Gunzip(*exp.Get(true)), exp.Render()) << "the renderer keeps the gzip body current";
  EXPECT_LT(exp.held_bytes(), plain_size / 4);

  // A plain request renders plain once; from then on the renderer keeps both.
  EXPECT_EQ(*exp.Get(false), exp.Render());
  EXPECT_GE(exp.held_bytes(), plain_size);
  publish(3);
  exp.WaitForRender();
  EXPECT_EQ(*exp.Get(false), exp.Render());
  EXPECT_EQ(Gunzip(*exp.Get(true)), exp.Render());

  // Nobody asks for 11 minutes: the next render drops both bodies.
  clock_.Advance(11min);
  publish(4);
  exp.WaitForRender();
  EXPECT_EQ(exp.held_bytes(), 0u);
  EXPECT_EQ(Gunzip(*exp.Get(true)), exp.Render()) << "asked again: rendered on demand";
}

TEST(GzipWriter, StreamsPiecesIntoOneStreamWithoutTheWorstCaseBuffer) {
  std::string text;
  for (int i = 0; text.size() < 4'000'000; ++i) {
    text += "akash_lease_rate{provider=\"akash1aaa\",dseq=\"" + std::to_string(20000000 + i) +
            "\"} " + std::to_string(i * 0.37) + "\n";
  }
  GzipWriter writer;
  for (std::size_t at = 0; at < text.size(); at += 100'003) {
    writer.Add(std::string_view(text).substr(at, 100'003));
  }
  const std::string gz = writer.Finish();
  EXPECT_EQ(Gunzip(gz), text);
  EXPECT_LT(gz.capacity(), text.size() / 4) << "output sized to what deflate wrote";
  const std::string whole = Gzip(text);
  EXPECT_EQ(Gunzip(whole), text);
  EXPECT_LT(whole.capacity(), text.size() / 4);
  EXPECT_EQ(Gunzip(Gzip("")), "");
}

TEST(AcceptsGzip, Negotiation) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=1.0, *;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
}

}  // namespace
}  // namespace akash::metrics
