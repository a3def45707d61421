// The user's path, end to end: runs scripts/run.sh itself in demo mode against the Release build
// in build-release/ (scripts/test.sh builds it first, with run.sh's own configure line), reads
// the address run.sh prints, waits for provider series there, stops run.sh with SIGTERM and
// checks that nothing it started is left running.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/integration/harness.h"

namespace akash::itest {
namespace {

using std::chrono::seconds;

struct ProcInfo {
  pid_t ppid = 0;
  std::string comm;
};

// Parent pid and command name from /proc/PID/stat ("pid (comm) state ppid ...").
std::optional<ProcInfo> ReadProc(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  ProcInfo info;
  info.comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 2));
  char state = 0;
  rest >> state >> info.ppid;
  if (state == 'Z') return std::nullopt;  // exited, only waiting to be reaped
  return info;
}

bool Alive(pid_t pid) { return ReadProc(pid).has_value(); }

// Every live descendant of `root`, with its command name.
std::map<pid_t, std::string> Descendants(pid_t root) {
  std::map<pid_t, ProcInfo> all;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(name);
    if (auto info = ReadProc(pid)) all[pid] = *info;
  }
  std::map<pid_t, std::string> out;
  std::set<pid_t> frontier{root};
  while (!frontier.empty()) {
    std::set<pid_t> next;
    for (const auto& [pid, info] : all) {
      if (frontier.count(info.ppid) && !out.count(pid)) {
        out[pid] = info.comm;
        next.insert(pid);
      }
    }
    frontier = std::move(next);
  }
  return out;
}

// Kills whatever a failed test left behind, so a failure cannot leak processes.
// Kills whatever the test started, also when an assertion ends it early: the processes seen so
// far and, while run.sh is still alive, every descendant it has now.
struct KillOnExit {
  std::map<pid_t, std::string>* pids;
  pid_t root;
  ~KillOnExit() {
    if (Alive(root)) {
      for (const auto& [pid, comm] : Descendants(root)) (*pids)[pid] = comm;
    }
    for (const auto& [pid, comm] : *pids) {
      if (Alive(pid)) kill(pid, SIGKILL);
    }
  }
};

bool HasCommand(const std::map<pid_t, std::string>& procs, const std::string& comm) {
  for (const auto& [pid, c] : procs) {
    if (c == comm) return true;
  }
  return false;
}

TEST(RunSh, DemoServesProviderMetricsAtThePrintedAddressAndStopsEverything) {
  const std::string release = AKASH_RELEASE_BUILD_DIR;
  ASSERT_TRUE(std::filesystem::exists(release + "/exporter/akash_exporter") &&
              std::filesystem::exists(release + "/sim/akash_sim"))
      << release << " has no Release binaries: scripts/test.sh builds them before the suite "
      << "(or run scripts/build_release.sh)";

  TempDir dir;
  Process run({"/bin/bash", std::string(AKASH_SOURCE_DIR) + "/scripts/run.sh",
               "--web.listen-address=127.0.0.1:0"},
              dir.path());
  std::map<pid_t, std::string> seen;
  KillOnExit cleanup{&seen, run.pid()};

  // run.sh rebuilds nothing when build-release is current; allow for a rebuild anyway.
  const std::string marker = "demo: metrics at http://";
  ASSERT_TRUE(run.WaitForOutput(marker, seconds(480))) << run.Stderr();
  const std::string err = run.Stderr();
  const auto at = err.find(marker) + marker.size() - std::string("http://").size();
  const std::string url = err.substr(at, err.find_first_of(", \n", at) - at);
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  ASSERT_EQ(url.substr(url.size() - 8), "/metrics") << url;
  const std::string port = url.substr(17, url.size() - 17 - 8);
  EXPECT_NE(port, "0") << "run.sh printed the requested port, not the bound one";

  for (const auto& [pid, comm] : Descendants(run.pid())) seen[pid] = comm;
  EXPECT_TRUE(HasCommand(seen, "akash_exporter")) << err;
  EXPECT_TRUE(HasCommand(seen, "akash_sim")) << err;

  std::string body;
  EXPECT_TRUE(Eventually(
      [&] {
        const auto r = Http("GET", url);
        body = r.body;
        return r.status == 200 &&
               body.find("akash_provider_earned_usd_total{provider=\"akash1") != std::string::npos;
      },
      seconds(60)))
      << body.substr(0, 2000);

  for (const auto& [pid, comm] : Descendants(run.pid())) seen[pid] = comm;
  run.Signal(SIGTERM);
  const auto status = run.Wait(seconds(15));
  ASSERT_TRUE(status.has_value()) << "run.sh did not stop within 15 s of SIGTERM";
  EXPECT_EQ(*status, 128 + SIGTERM);
  // run.sh waits for what it started before it exits: nothing may be left, not even briefly.
  for (const auto& [pid, comm] : seen) {
    EXPECT_FALSE(Alive(pid)) << comm << " (pid " << pid << ") outlived run.sh";
  }
  EXPECT_NE(run.Stderr().find("stop signal received"), std::string::npos)
      << "the exporter was not stopped by a signal:\n"
      << run.Stderr();
  EXPECT_NE(Http("GET", url, {}, seconds(2)).status, 200);
}

TEST(RunSh, RejectsABadDemoSpeedBeforeStartingAnything) {
  TempDir dir;
  Process run({"/bin/bash", std::string(AKASH_SOURCE_DIR) + "/scripts/run.sh", "--demo-speed=fast"},
              dir.path());
  const auto status = run.Wait(seconds(30));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 2);
  EXPECT_NE(run.Stderr().find("--demo-speed must be a positive number"), std::string::npos)
      << run.Stderr();
}

}  // namespace
}  // namespace akash::itest
