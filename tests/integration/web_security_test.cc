// The daemon's web server with real clients: curl, openssl s_client and wrk over plain HTTP
// and TLS with basic auth, a thousand slow connections, and systemd socket activation.

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"
#include "tests/integration/stub_upstream.h"

extern char** environ;

namespace akash::itest {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMarketBody =
    "{\"price\":3.21,\"volume\":1000,\"marketCap\":800000000,\"marketCapRank\":150,"
    "\"priceChange24h\":0.1,\"priceChangePercentage24\":3.2}";

std::string Bcrypt(const std::string& password) {
  crypt_data data{};
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  crypt_gensalt_rn("$2y$", 5, nullptr, 0, salt.data(), static_cast<int>(salt.size()));
  return crypt_r(password.c_str(), salt.data(), &data);
}

int Port(const std::string& base_url) {
  return std::stoi(base_url.substr(base_url.rfind(':') + 1));
}

// A TCP connection from `source` to 127.0.0.1:port; -1 on failure.
int Connect(int port, const char* source) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool Closed(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

class WebSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    up_.Set("/v1/market-data/akt", {200, kMarketBody, 0});
    cert_ = dir_.path() + "/server.crt";
    key_ = dir_.path() + "/server.key";
    std::string out;
    // An EC key keeps the handshakes of the load test cheap.
    const int rc = RunCommand(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
            key_ + " -out " + cert_,
        &out);
    ASSERT_EQ(rc, 0) << out;
  }
  std::string Config() const {
    return "endpoints:\n  console_api: " + up_.url() + "\n  provider_console_api: " + up_.url() +
           "\nsources:\n  market: {interval: 1s}\n";
  }
  std::string WebConfig(bool tls) const {
    std::string y;
    if (tls) y += "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
    y += "basic_auth_users:\n  prometheus: " + hash_ + "\n";
    return y;
  }
  // curl's HTTP status (as text) or its failure; `args` go before the URL.
  std::string Curl(const std::string& args, const std::string& url, int* rc = nullptr) const {
    std::string out;
    const int code = RunCommand(
        "curl -sS -o /dev/null -w '%{http_code}' --max-time 5 " + args + " '" + url + "'", &out);
    if (rc) *rc = code;
    return out;
  }
  TempDir dir_;
  StubUpstream up_;
  std::string cert_, key_;
  std::string hash_ = Bcrypt("s3cret pass");
};

TEST_F(WebSecurityTest, TlsAndBasicAuthWithCurlAndOpenssl) {
  dir_.Write("web.yml", WebConfig(true));
  auto ex = StartExporter(dir_, Config(), {"--web.config.file=" + dir_.path() + "/web.yml"});
  const int port = Port(ex.base_url);
  const std::string https = "https://127.0.0.1:" + std::to_string(port) + "/metrics";
  const std::string ca = "--cacert " + cert_ + " ";
  EXPECT_EQ(Curl(ca + "-u 'prometheus:s3cret pass'", https), "200");
  EXPECT_EQ(Curl(ca + "-u 'prometheus:wrong'", https), "401");
  EXPECT_EQ(Curl(ca + "-u 'nobody:s3cret pass'", https), "401");
  EXPECT_EQ(Curl(ca, https), "401");
  EXPECT_EQ(Curl(ca + "-u 'prometheus:s3cret pass'",
                 "https://127.0.0.1:" + std::to_string(port) + "/-/healthy"),
            "200");
  // Plain HTTP to the TLS port gets no HTTP answer at all.
  int rc = 0;
  const auto plain = Curl("-u 'prometheus:s3cret pass'", ex.base_url + "/metrics", &rc);
  EXPECT_NE(rc, 0) << plain;
  EXPECT_EQ(plain.find("200"), std::string::npos) << plain;

  std::string out;
  EXPECT_EQ(RunCommand("echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                           " -CAfile " + cert_ + " -verify_return_error -brief",
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("Protocol version: TLSv1.3"), std::string::npos) << out;
  // TLS 1.2 is accepted by default.
  EXPECT_EQ(RunCommand("echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                           " -CAfile " + cert_ + " -tls1_2 -brief",
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("Protocol version: TLSv1.2"), std::string::npos) << out;
}

TEST_F(WebSecurityTest, MinVersionTls13RefusesTls12) {
  dir_.Write("web.yml",
             "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
             "  min_version: TLS13\n");
  auto ex = StartExporter(dir_, Config(), {"--web.config.file=" + dir_.path() + "/web.yml"});
  const std::string connect =
      "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(Port(ex.base_url)) +
      " -CAfile " + cert_ + " -brief ";
  std::string out;
  EXPECT_NE(RunCommand(connect + "-tls1_2", &out), 0) << out;
  EXPECT_EQ(RunCommand(connect + "-tls1_3", &out), 0) << out;
  EXPECT_NE(out.find("Protocol version: TLSv1.3"), std::string::npos) << out;
}

TEST_F(WebSecurityTest, BadWebConfigIsRefusedAtStart) {
  const auto path = dir_.Write("web.yml", "basic_auth_users:\n  prometheus: plaintext\n");
  Process p({AKASH_EXPORTER_BIN, "--web.listen-address=127.0.0.1:0", "--web.config.file=" + path},
            dir_.path());
  ASSERT_EQ(p.Wait(10s), 1);
  EXPECT_NE(p.Stderr().find(path + ":2: basic_auth_users"), std::string::npos) << p.Stderr();
  EXPECT_EQ(p.Stderr().find("plaintext"), std::string::npos) << "a secret leaked to the log";
}

// --config.check loads the web config as the server would; before, it did not look at it, so a
// pre-start check passed a certificate that did not match its key.
TEST_F(WebSecurityTest, ConfigCheckLoadsTheWebConfigAsTheServerWould) {
  const auto config = dir_.Write("config.yml", Config());
  const auto check = [&](const std::string& web) {
    auto p = std::make_unique<Process>(
        std::vector<std::string>{AKASH_EXPORTER_BIN, "--config.check", "--config.file=" + config,
                                 "--web.config.file=" + web},
        dir_.path());
    return p;
  };
  auto ok = check(dir_.Write("web.yml", WebConfig(true)));
  ASSERT_EQ(ok->Wait(10s), 0) << ok->Stderr();
  EXPECT_NE(ok->Stdout().find("TLS (certificate " + cert_ + ")"), std::string::npos)
      << ok->Stdout();
  EXPECT_NE(ok->Stdout().find("basic auth for 1 user(s)"), std::string::npos);
  EXPECT_EQ(ok->Stdout().find(hash_), std::string::npos) << "the hash is not printed";

  // A key of another certificate.
  std::string out;
  ASSERT_EQ(RunCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                       "-nodes -days 2 -subj /CN=other -keyout " +
                           dir_.path() + "/other.key -out " + dir_.path() + "/other.crt",
                       &out),
            0)
      << out;
  auto mismatch = check(dir_.Write(
      "mismatch.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n"));
  ASSERT_EQ(mismatch->Wait(10s), 1);
  // OpenSSL notices while loading the key ("key values mismatch"), naming the key file.
  EXPECT_NE(mismatch->Stderr().find("other.key: cannot load private key"), std::string::npos)
      << mismatch->Stderr();
  EXPECT_NE(mismatch->Stderr().find("mismatch"), std::string::npos) << mismatch->Stderr();

  // A FIFO in place of the web config is refused at once, not read until a writer comes.
  const std::string fifo = dir_.path() + "/fifo.yml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto blocked = check(fifo);
  ASSERT_EQ(blocked->Wait(5s), 1) << "--config.check hung on a FIFO web config";
  EXPECT_NE(blocked->Stderr().find("not a regular file"), std::string::npos) << blocked->Stderr();
}

TEST_F(WebSecurityTest, PromtoolAcceptsTheShippedExample) {
  // The example names its certificate files relative to itself; put real ones beside a copy.
  std::string example;
  ASSERT_EQ(RunCommand("cat " AKASH_SOURCE_DIR "/examples/web-config.yml", &example), 0);
  const auto path = dir_.Write("web-config.yml", example);
  std::string out;
  ASSERT_EQ(RunCommand("cp " + cert_ + " " + dir_.path() + "/tls.crt && cp " + key_ + " " +
                           dir_.path() + "/tls.key",
                       &out),
            0);
  EXPECT_EQ(RunCommand(std::string(AKASH_PROMTOOL) + " check web-config " + path, &out), 0) << out;
  // And the exporter itself starts with it.
  auto ex = StartExporter(dir_, Config(), {"--web.config.file=" + path});
  EXPECT_EQ(Curl("--cacert " + cert_ + " -u 'prometheus:changeme'",
                 "https://127.0.0.1:" + std::to_string(Port(ex.base_url)) + "/-/healthy"),
            "200");
}

struct WrkResult {
  long requests = 0;
  std::string output;
};

WrkResult Wrk(const std::string& url, const std::string& auth_header) {
  WrkResult r;
  RunCommand("wrk -t2 -c64 -d2s --timeout 2s -H 'Authorization: " + auth_header + "' '" + url + "'",
             &r.output);
  std::smatch m;
  if (std::regex_search(r.output, m, std::regex(R"((\d+) requests in)"))) {
    r.requests = std::stol(m[1]);
  }
  return r;
}

TEST_F(WebSecurityTest, WrkWith64ConnectionsHasNoSocketErrors) {
  // "prometheus:s3cret pass" in base64.
  const std::string auth = "Basic cHJvbWV0aGV1czpzM2NyZXQgcGFzcw==";
  for (bool tls : {false, true}) {
    TempDir dir;
    RunCommand("cp " + cert_ + " " + key_ + " " + dir.path(), nullptr);
    dir.Write("web.yml", WebConfig(tls));
    auto ex = StartExporter(
        dir, Config(), {"--web.config.file=" + dir.path() + "/web.yml", "--web.max-requests=0"});
    const std::string url = std::string(tls ? "https" : "http") +
                            "://127.0.0.1:" + std::to_string(Port(ex.base_url)) + "/metrics";
    const auto r = Wrk(url, auth);
    EXPECT_GT(r.requests, 100) << r.output;
    EXPECT_EQ(r.output.find("Socket errors"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("Non-2xx"), std::string::npos) << r.output;
  }
}

TEST_F(WebSecurityTest, ThousandIdleConnectionsDoNotStarveAScrape) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
  setrlimit(RLIMIT_NOFILE, &rl);
  dir_.Write("web.yml", WebConfig(true));
  auto ex = StartExporter(dir_, Config(), {"--web.config.file=" + dir_.path() + "/web.yml"});
  const int port = Port(ex.base_url);
  std::vector<int> fds;
  for (int i = 0; i < 1000; ++i) {
    const int fd = Connect(port, "127.0.0.1");
    if (fd >= 0) fds.push_back(fd);
  }
  ASSERT_GE(fds.size(), 900u);
  // A few drip the start of a ClientHello; the rest never send a byte.
  for (std::size_t i = 0; i < 20; ++i) ::send(fds[i], "\x16\x03\x01", 3, MSG_NOSIGNAL);
  std::size_t refused = 0;
  EXPECT_TRUE(Eventually(
      [&] {
        refused = 0;
        for (int fd : fds) refused += Closed(fd) ? 1 : 0;
        return refused >= fds.size() - 128;
      },
      3s));
  EXPECT_EQ(refused, fds.size() - 128) << "the per-address cap is 128";

  const auto start = std::chrono::steady_clock::now();
  const auto status =
      Curl("--interface 127.0.0.2 --cacert " + cert_ + " -u 'prometheus:s3cret pass'",
           "https://127.0.0.1:" + std::to_string(port) + "/metrics");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status, "200");
  EXPECT_LT(took, 1s);

  // Without a finished handshake and request headers within 5 s, every connection is closed.
  EXPECT_TRUE(Eventually(
      [&] {
        for (int fd : fds) {
          if (!Closed(fd)) return false;
        }
        return true;
      },
      8s));
  for (int fd : fds) ::close(fd);
}

TEST_F(WebSecurityTest, SystemdSocketActivation) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  socklen_t len = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  const std::string config = dir_.Write("config.yml", Config());
  const std::string err = dir_.path() + "/activated.err";

  // The launcher: what systemd does for a socket unit, LISTEN_PID being the child's own pid.
  // Everything the child needs is prepared before fork (the test process has threads).
  const std::string config_arg = "--config.file=" + config;
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.emplace_back("LISTEN_FDS=1");
  std::array<char, 32> pid_var{};
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(pid_var.data());
  env.push_back(nullptr);
  const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(err_fd, 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, nullptr);
    ::dup2(err_fd, 2);
    ::dup2(listener, 3);  // dup2 clears close-on-exec on the copy
    if (listener != 3) ::close(listener);
    // "LISTEN_PID=<pid>" without allocating.
    char digits[16];
    int n = 0;
    for (pid_t v = ::getpid(); v > 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
    const char prefix[] = "LISTEN_PID=";
    std::size_t at = 0;
    for (const char* c = prefix; *c != '\0'; ++c) pid_var[at++] = *c;
    while (n > 0) pid_var[at++] = digits[--n];
    pid_var[at] = '\0';
    ::execle(AKASH_EXPORTER_BIN, AKASH_EXPORTER_BIN, "--web.systemd-socket", config_arg.c_str(),
             static_cast<char*>(nullptr), env.data());
    ::_exit(127);
  }
  ::close(err_fd);
  ::close(listener);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_TRUE(Eventually([&] { return Http("GET", url + "/-/healthy").status == 200; }));
  const auto m = Http("GET", url + "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("akash_exporter_build_info"), std::string::npos);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // Without the variables, --web.systemd-socket is a start-up error.
  Process p({AKASH_EXPORTER_BIN, "--web.systemd-socket"}, dir_.path());
  EXPECT_EQ(p.Wait(10s), 1);
  EXPECT_NE(p.Stderr().find("LISTEN_PID"), std::string::npos) << p.Stderr();
}

}  // namespace
}  // namespace akash::itest
