// The akash_sim executable: the listening-line contract other harnesses parse, --port-file,
// --fault flags, --demo output, and a prompt stop on SIGTERM.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child Spawn(const std::vector<std::string>& args) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  c.out = fdopen(fds[0], "r");
  return c;
}

// Port of an exact "akash_sim listening on http://127.0.0.1:PORT\n" line, or -1. (No <regex>:
// GCC 12 warns inside it under the sanitizers.)
int ListeningPort(const std::string& line) {
  const std::string prefix = "akash_sim listening on http://127.0.0.1:";
  if (line.rfind(prefix, 0) != 0 || line.size() < prefix.size() + 2 || line.back() != '\n')
    return -1;
  std::string digits = line.substr(prefix.size(), line.size() - prefix.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(digits);
}

std::int64_t JsonInt(const std::string& text, const std::string& key) {
  std::size_t at = text.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size() + 3));
}

std::string ReadLine(FILE* f) {
  char buf[4096];
  if (!std::fgets(buf, sizeof buf, f)) return "";
  return buf;
}

std::string HttpGet(int port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  send(fd, req.data(), req.size(), 0);
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return resp;
}

// Sends SIGTERM and returns how long the process took to exit (and its status).
std::chrono::milliseconds Stop(const Child& c, int* status) {
  auto t0 = std::chrono::steady_clock::now();
  kill(c.pid, SIGTERM);
  waitpid(c.pid, status, 0);
  if (c.out) std::fclose(c.out);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0);
}

TEST(Binary, PrintsTheListeningLineServesAndStopsOnSigterm) {
  const std::string port_file = "/tmp/akash-sim-binary-test-" + std::to_string(getpid()) + ".port";
  Child c = Spawn({AKASH_SIM_BINARY, "--time-scale=0", "--leases=50", "--port-file=" + port_file,
                   "--fault=market:503::1"});
  std::string line = ReadLine(c.out);
  const int port = ListeningPort(line);
  ASSERT_GT(port, 0) << line;
  std::ifstream pf(port_file);
  int from_file = 0;
  pf >> from_file;
  EXPECT_EQ(from_file, port);
  EXPECT_EQ(HttpGet(port, "/v1/market-data/akt").rfind("HTTP/1.1 503", 0), 0u);  // the --fault flag
  EXPECT_EQ(HttpGet(port, "/v1/market-data/akt").rfind("HTTP/1.1 200", 0), 0u);  // count was 1
  std::string world = HttpGet(port, "/_sim/world");
  EXPECT_NE(world.find("\"lease_count\":50"), std::string::npos);
  int status = 0;
  EXPECT_LT(Stop(c, &status), std::chrono::milliseconds(4000));
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::remove(port_file.c_str());
}

TEST(Binary, DemoPrintsAConfigPointingAtItselfAndRunsAtRealSpeed) {
  char tmpl[] = "/tmp/akash-sim-binary-demo-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  Child c = Spawn({AKASH_SIM_BINARY, "--demo", std::string("--demo-dir=") + tmpl});
  std::string line = ReadLine(c.out);
  const int port = ListeningPort(line);
  ASSERT_GT(port, 0) << line;
  std::string yaml;
  for (std::string l = ReadLine(c.out); !l.empty() && l.find("tenant_billing") == std::string::npos;
       l = ReadLine(c.out)) {
    yaml += l;
  }
  EXPECT_NE(yaml.find("console_api: http://127.0.0.1:" + std::to_string(port)), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find(std::string(tmpl) + "/provider-1.earnings.key"), std::string::npos);
  // The demo clock runs at real speed: 0.7 s of wall time is 0.7 simulated seconds, not the
  // 42 s a 60x clock would show, so rates read in the demo are the real ones.
  std::string w1 = HttpGet(port, "/_sim/world");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  std::string w2 = HttpGet(port, "/_sim/world");
  ASSERT_GT(JsonInt(w1, "height"), 0);
  EXPECT_EQ(JsonInt(w1, "time_scale"), 1) << w1;
  const auto advanced_ms = JsonInt(w2, "now_unix_ms") - JsonInt(w1, "now_unix_ms");
  EXPECT_GE(advanced_ms, 600);
  EXPECT_LT(advanced_ms, 10'000);
  int status = 0;
  Stop(c, &status);
  std::system((std::string("rm -rf ") + tmpl).c_str());
}

}  // namespace
}  // namespace akash::sim::testing
