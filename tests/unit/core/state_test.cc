#include "exporter/core/state.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "exporter/core/log.h"

namespace akash::core {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = "provider_dashboard";
constexpr const char* kTarget = "akash1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnwduagr";

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/akash-state-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Logger::Get().SetSink(&log_);
  }
  void TearDown() override {
    Logger::Get().SetSink(nullptr);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void Spit(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }
  std::string dir_;
  std::ostringstream log_;
};

TEST_F(StateTest, RoundTripsHighWaterMarksAndBlobsExactly) {
  const double awkward = 523.06347003441215;  // needs all 17 digits to round-trip
  {
    StateStore store(dir_);
    SourceState* s = store.For(kSource, kTarget);
    s->SetHighWater("akash_provider_earned_usd_total{provider=\"x\"}", awkward);
    s->Put("cache", std::string("bytes \"with\" quotes\n\x01 and more", 29));
    ASSERT_TRUE(s->dirty());
    EXPECT_TRUE(store.Persist(*s));
    EXPECT_FALSE(s->dirty());
  }
  StateStore again(dir_);
  SourceState* s = again.For(kSource, kTarget);
  EXPECT_EQ(s->HighWater("akash_provider_earned_usd_total{provider=\"x\"}"), awkward);
  EXPECT_EQ(s->Get("cache"), std::string("bytes \"with\" quotes\n\x01 and more", 29));
  EXPECT_FALSE(s->Get("other").has_value());
  EXPECT_FALSE(s->dirty());
}

TEST_F(StateTest, FilesAreOwnerOnlyAndOnePerSourceAndTarget) {
  StateStore store(dir_);
  SourceState* a = store.For(kSource, kTarget);
  SourceState* b = store.For("market", "");
  SourceState* c = store.For("tenant_billing", "tenants[0]");
  for (SourceState* s : {a, b, c}) {
    s->SetHighWater("x_total{}", 1);
    ASSERT_TRUE(store.Persist(*s));
  }
  EXPECT_NE(store.PathFor("market", ""), store.PathFor("market", "x"));
  EXPECT_NE(store.PathFor("tenant_billing", "tenants[0]"), store.PathFor("tenant_billing", "tenants%5b0%5d"));
  for (const auto& path : {store.PathFor(kSource, kTarget), store.PathFor("market", ""),
                           store.PathFor("tenant_billing", "tenants[0]")}) {
    struct stat st{};
    ASSERT_EQ(stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << path;
    EXPECT_EQ(fs::path(path).parent_path(), fs::path(dir_));
  }
}

TEST_F(StateTest, NothingIsWrittenWithoutADirectory) {
  StateStore store("");
  SourceState* s = store.For(kSource, kTarget);
  s->SetHighWater("x_total{}", 5);
  EXPECT_TRUE(store.Persist(*s));
  EXPECT_FALSE(s->dirty());
  EXPECT_TRUE(fs::is_empty(dir_));
  // Memory only, but the same state object for the daemon's lifetime (a reload finds it).
  EXPECT_EQ(store.For(kSource, kTarget), s);
  EXPECT_EQ(s->HighWater("x_total{}"), 5);
}

TEST_F(StateTest, CorruptTruncatedOrForeignFilesAreIgnoredWithAWarning) {
  std::string good;
  {
    StateStore store(dir_);
    SourceState* s = store.For(kSource, kTarget);
    s->SetHighWater("x_total{}", 42);
    s->Put("blob", "value");
    ASSERT_TRUE(store.Persist(*s));
    good = Slurp(store.PathFor(kSource, kTarget));
  }
  const std::string path = StateStore(dir_).PathFor(kSource, kTarget);
  fs::remove(path + ".prev");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated", good.substr(0, good.size() / 2)},
      {"garbage", "\x7f" "ELF\x02\x01\x01 binary garbage"},
      {"empty", ""},
      {"foreign JSON", "{\"format\":\"something_else\",\"version\":1}"},
      {"future version", "{\"format\":\"akash_exporter_state\",\"version\":99}"},
      {"other target",
       "{\"format\":\"akash_exporter_state\",\"version\":1,\"source\":\"provider_dashboard\","
       "\"target\":\"akash1other\",\"high_water\":{},\"blobs\":{}}"},
      {"bad number",
       "{\"format\":\"akash_exporter_state\",\"version\":1,\"source\":\"provider_dashboard\","
       "\"target\":\"" + std::string(kTarget) + "\",\"high_water\":{\"x\":\"NaN\"},\"blobs\":{}}"},
  };
  for (const auto& [name, text] : cases) {
    Spit(path, text);
    log_.str("");
    StateStore store(dir_);
    SourceState* s = store.For(kSource, kTarget);
    EXPECT_FALSE(s->HighWater("x_total{}").has_value()) << name;
    EXPECT_FALSE(s->Get("blob").has_value()) << name;
    EXPECT_NE(log_.str().find("state file ignored"), std::string::npos) << name << log_.str();
    // The next write replaces the bad file with a good one.
    s->SetHighWater("x_total{}", 7);
    ASSERT_TRUE(store.Persist(*s)) << name;
    EXPECT_EQ(StateStore(dir_).For(kSource, kTarget)->HighWater("x_total{}"), 7) << name;
  }
}

TEST_F(StateTest, ACorruptFileFallsBackToThePreviousOne) {
  StateStore store(dir_);
  SourceState* s = store.For(kSource, kTarget);
  s->SetHighWater("x_total{}", 1);
  ASSERT_TRUE(store.Persist(*s));
  s->SetHighWater("x_total{}", 2);
  ASSERT_TRUE(store.Persist(*s));
  const std::string path = store.PathFor(kSource, kTarget);
  Spit(path, "{\"format\":");  // the newest file damaged from outside
  EXPECT_EQ(StateStore(dir_).For(kSource, kTarget)->HighWater("x_total{}"), 1);
  fs::remove(path);  // a crash between the two renames of a write
  EXPECT_EQ(StateStore(dir_).For(kSource, kTarget)->HighWater("x_total{}"), 1);
}

TEST_F(StateTest, AnUnwritableDirectoryIsLoggedOnceAndRetried) {
  // A path under a regular file fails for everyone, root included (root ignores modes).
  const std::string blocker = dir_ + "/file";
  Spit(blocker, "x");
  StateStore store(blocker + "/state");  // cannot be created: its parent is a file
  EXPECT_NE(log_.str().find("cannot create the state directory"), std::string::npos);
  SourceState* s = store.For(kSource, kTarget);
  s->SetHighWater("x_total{}", 1);
  log_.str("");
  EXPECT_FALSE(store.Persist(*s));
  EXPECT_TRUE(s->dirty());  // kept for the next attempt
  s->SetHighWater("x_total{}", 2);
  EXPECT_FALSE(store.Persist(*s));
  const std::string log = log_.str();
  const auto first = log.find("cannot write state file");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(log.find("cannot write state file", first + 1), std::string::npos) << log;
  EXPECT_EQ(s->HighWater("x_total{}"), 2);  // memory keeps working
}

// A writer killed with SIGKILL at a random moment of its write loop never leaves a file that
// cannot be read or that holds less than the last value the writer reported as persisted.
TEST_F(StateTest, SigkillDuringWritesNeverLosesAPersistedValue) {
  for (int round = 0; round < 8; ++round) {
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(pipefd[0]);
      Logger::Get().SetSink(nullptr);
      StateStore store(dir_);
      SourceState* s = store.For(kSource, kTarget);
      std::string padding(20000, 'p');  // a bigger file widens the window inside a write
      for (long v = 1;; ++v) {
        s->SetHighWater("x_total{}", static_cast<double>(v));
        s->Put("padding", padding + std::to_string(v));
        if (!store.Persist(*s)) _exit(3);
        if (write(pipefd[1], &v, sizeof v) != static_cast<ssize_t>(sizeof v)) _exit(4);
      }
    }
    close(pipefd[1]);
    // Kill it at some moment after its first complete write (whatever the machine's load).
    long first = 0;
    ASSERT_EQ(read(pipefd[0], &first, sizeof first), static_cast<ssize_t>(sizeof first));
    usleep(static_cast<useconds_t>(1000 + round * 3919));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer failed with " << status;
    long last = first, v = 0;
    while (read(pipefd[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) last = v;
    close(pipefd[0]);
    ASSERT_GT(last, 0) << "the writer persisted nothing in round " << round;
    log_.str("");
    StateStore store(dir_);
    const auto got = store.For(kSource, kTarget)->HighWater("x_total{}");
    ASSERT_TRUE(got.has_value()) << "round " << round << ": " << log_.str();
    EXPECT_GE(*got, static_cast<double>(last)) << "round " << round;
  }
}

}  // namespace
}  // namespace akash::core
