// The server against hostile clients: ambiguous framing, oversized requests, slow and idle
// connections, per-address caps, and web config (basic auth) reloads.

#include <arpa/inet.h>
#include <crypt.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "exporter/http/server.h"
#include "tests/unit/http/test_util.h"

namespace akash::http {
namespace {

using namespace std::chrono_literals;
using testing::RawRequest;

ServerOptions Loopback() {
  ServerOptions o;
  o.listen_addresses = {"127.0.0.1:0"};
  o.worker_threads = 2;
  return o;
}

ServerReply Text(std::string body) {
  ServerReply r;
  r.body = std::move(body);
  return r;
}

// A TCP connection from `source` (any 127.0.0.0/8 address) to 127.0.0.1:port; -1 on failure.
int Connect(int port, const char* source = "127.0.0.1") {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source, &src.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
    ::close(fd);
    return -1;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the server closed `fd` (EOF or reset) within `limit`.
bool ClosedWithin(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

// One whole request on a fresh connection from `source`; returns the raw reply.
std::string Exchange(int port, const std::string& request, const char* source = "127.0.0.1") {
  const int fd = Connect(port, source);
  if (fd < 0) return "";
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, n);
  ::close(fd);
  return raw;
}

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit = 3000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

int StatusOf(const std::string& raw) {
  return raw.size() >= 12 && raw.rfind("HTTP/1.", 0) == 0 ? std::stoi(raw.substr(9, 3)) : 0;
}

void RaiseFdLimit(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

class LimitsTest : public ::testing::Test {
 protected:
  void Start(ServerOptions o) {
    server_ = std::make_unique<Server>(std::move(o));
    server_->Handle("/metrics", {"GET"}, [](const ServerRequest&) { return Text("up 1\n"); });
    server_->Handle("/-/reload", {"POST"}, [](const ServerRequest&) { return Text("ok"); });
    server_->Start();
    port_ = server_->BoundPorts().at(0);
  }
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
  }
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::vector<int> fds_;
};

TEST_F(LimitsTest, AmbiguousFramingIs400) {
  Start(Loopback());
  const std::string two_lengths =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab";
  EXPECT_EQ(StatusOf(Exchange(port_, two_lengths)), 400);
  const std::string differing =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc";
  EXPECT_EQ(StatusOf(Exchange(port_, differing)), 400);
  const std::string length_and_chunked =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(StatusOf(Exchange(port_, length_and_chunked)), 400);
  const std::string chunked_then_length =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 5\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(StatusOf(Exchange(port_, chunked_then_length)), 400);
  const std::string gzip_coding =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nxx";
  EXPECT_EQ(StatusOf(Exchange(port_, gzip_coding)), 400);
  EXPECT_EQ(StatusOf(Exchange(port_, "GET metrics HTTP/1.1\r\nHost: t\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port_, "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port_, "GET /a%00 HTTP/1.1\r\nHost: t\r\n\r\n")), 400);
  EXPECT_EQ(StatusOf(Exchange(port_, "NONSENSE\r\n\r\n")), 400);
  // The server still answers well-formed requests.
  EXPECT_EQ(
      StatusOf(Exchange(port_, "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")),
      200);
}

TEST_F(LimitsTest, OversizedHeadersAre431AndBodiesAre413) {
  ServerOptions o = Loopback();
  o.max_header_bytes = 4096;
  o.max_body_bytes = 1024;
  Start(o);
  const std::string big_header =
      "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n";
  EXPECT_EQ(StatusOf(Exchange(port_, big_header)), 431);
  const std::string big_body =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b');
  EXPECT_EQ(StatusOf(Exchange(port_, big_body)), 413);
  const std::string small_body =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 10\r\n\r\n" +
      std::string(10, 'b');
  EXPECT_EQ(StatusOf(Exchange(port_, small_body)), 200);
}

TEST_F(LimitsTest, SilentAndDrippingConnectionsAreClosedAfterTheHeaderTimeout) {
  ServerOptions o = Loopback();
  o.header_timeout = 400ms;
  Start(o);
  const int silent = Connect(port_);
  const int dripping = Connect(port_);
  ASSERT_GE(silent, 0);
  ASSERT_GE(dripping, 0);
  fds_ = {silent, dripping};
  const std::string partial = "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  // Well inside the timeout nothing is closed, even while bytes keep arriving.
  for (char c : partial.substr(0, 8)) {
    ::send(dripping, &c, 1, MSG_NOSIGNAL);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_FALSE(ClosedWithin(silent, 50ms));
  EXPECT_TRUE(ClosedWithin(silent, 2000ms));
  for (char c : partial.substr(8, 4)) ::send(dripping, &c, 1, MSG_NOSIGNAL);
  EXPECT_TRUE(ClosedWithin(dripping, 2000ms));
  EXPECT_TRUE(Eventually([&] { return server_->OpenConnections() == 0; }));
}

TEST_F(LimitsTest, IdleKeepAliveConnectionsAreClosed) {
  ServerOptions o = Loopback();
  o.idle_timeout = 300ms;
  Start(o);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  fds_ = {fd};
  const std::string req = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  char buf[1024];
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)).rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_FALSE(ClosedWithin(fd, 100ms));  // kept alive for a while
  EXPECT_TRUE(ClosedWithin(fd, 2000ms));
}

TEST_F(LimitsTest, ConnectionsPerAddressAreCapped) {
  ServerOptions o = Loopback();
  o.max_connections_per_address = 8;
  Start(o);
  for (int i = 0; i < 20; ++i) fds_.push_back(Connect(port_));
  int closed = 0;
  for (int fd : fds_) closed += ClosedWithin(fd, 200ms) ? 1 : 0;
  EXPECT_EQ(closed, 12);
  EXPECT_EQ(server_->OpenConnections(), 8);
  // Another client address is not affected.
  EXPECT_EQ(
      StatusOf(Exchange(port_, "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                        "127.0.0.2")),
      200);
}

TEST_F(LimitsTest, ThousandSlowConnectionsDoNotStarveAScrape) {
  RaiseFdLimit(4096);
  Start(Loopback());  // default limits
  for (int i = 0; i < 1000; ++i) {
    const int fd = Connect(port_);
    if (fd >= 0) fds_.push_back(fd);
  }
  ASSERT_GE(fds_.size(), 900u);
  // Some of the admitted ones drip a request a byte at a time.
  const std::string partial = "GET /metrics HTTP/1.1\r\nHost: t\r\n";
  for (std::size_t i = 0; i < 20; ++i) ::send(fds_[i], partial.data(), 5, MSG_NOSIGNAL);
  EXPECT_TRUE(Eventually([&] { return server_->OpenConnections() <= 128; }));
  EXPECT_EQ(server_->OpenConnections(), 128);  // the default per-address cap
  const auto start = std::chrono::steady_clock::now();
  const auto raw =
      Exchange(port_, "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", "127.0.0.2");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(StatusOf(raw), 200);
  EXPECT_LT(took, 1s);
}

std::string Bcrypt(const std::string& password) {
  crypt_data data{};
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  crypt_gensalt_rn("$2y$", 4, nullptr, 0, salt.data(), static_cast<int>(salt.size()));
  return crypt_r(password.c_str(), salt.data(), &data);
}

std::string Basic(const std::string& user_colon_password) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  const auto& s = user_colon_password;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) |
                       (static_cast<unsigned char>(s[i + 1]) << 8) |
                       static_cast<unsigned char>(s[i + 2]);
    for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
  }
  if (i + 1 == s.size()) {
    const unsigned v = static_cast<unsigned char>(s[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == s.size()) {
    const unsigned v =
        (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return "Basic " + out;
}

TEST_F(LimitsTest, BasicAuthAndWebConfigReloadOnChange) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("akash_webcfg_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "web.yml").string();
  std::ofstream(file) << "basic_auth_users:\n  alice: " << Bcrypt("wonderland") << "\n";
  ServerOptions o = Loopback();
  o.web_config_file = file;
  Start(o);
  const auto get = [&](const std::string& auth) {
    std::string req = "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
    if (!auth.empty()) req += "Authorization: " + auth + "\r\n";
    return Exchange(port_, req + "\r\n");
  };
  const auto none = get("");
  EXPECT_EQ(StatusOf(none), 401);
  EXPECT_NE(none.find("WWW-Authenticate: Basic realm=\"akash_exporter\""), std::string::npos);
  EXPECT_EQ(StatusOf(get(Basic("alice:wrong"))), 401);
  EXPECT_EQ(StatusOf(get(Basic("bob:wonderland"))), 401);
  EXPECT_EQ(StatusOf(get(Basic("alice:wonderland"))), 200);
  EXPECT_EQ(StatusOf(get(Basic("alice:wonderland"))), 200);  // from the cache

  // A broken file is refused and the running config kept.
  std::ofstream(file) << "basic_auth_users:\n  alice: plaintext\n";
  EXPECT_FALSE(server_->ReloadWebConfig().ok());
  EXPECT_EQ(StatusOf(get(Basic("alice:wonderland"))), 200);

  // A kept-alive connection authenticated as alice.
  const int kept = Connect(port_);
  ASSERT_GE(kept, 0);
  fds_.push_back(kept);
  const auto ask = [&](const std::string& auth) {
    const std::string req =
        "GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: " + auth + "\r\n\r\n";
    ::send(kept, req.data(), req.size(), MSG_NOSIGNAL);
    std::string raw;
    char buf[2048];
    pollfd p{kept, POLLIN, 0};
    // Reads one response: the head, then Content-Length bytes of body.
    const auto complete = [&] {
      const auto end = raw.find("\r\n\r\n");
      if (end == std::string::npos) return false;
      const auto cl = raw.find("Content-Length: ");
      if (cl == std::string::npos || cl > end) return true;
      return raw.size() >= end + 4 + std::stoul(raw.substr(cl + 16));
    };
    while (!complete()) {
      if (::poll(&p, 1, 3000) != 1) break;
      const ssize_t n = ::recv(kept, buf, sizeof buf, 0);
      if (n <= 0) break;
      raw.append(buf, static_cast<std::size_t>(n));
    }
    return raw;
  };
  EXPECT_EQ(StatusOf(ask(Basic("alice:wonderland"))), 200);

  // A changed file is noticed (checked at most once a second) by new connections and by
  // requests on open ones.
  std::ofstream(file) << "basic_auth_users:\n  bob: " << Bcrypt("builder") << "\n";
  EXPECT_TRUE(Eventually([&] { return StatusOf(get(Basic("bob:builder"))) == 200; }, 5s));
  EXPECT_EQ(StatusOf(get(Basic("alice:wonderland"))), 401);
  EXPECT_EQ(StatusOf(ask(Basic("alice:wonderland"))), 401);
  std::filesystem::remove_all(dir);
}

TEST(ServerStart, BadWebConfigFailsStartNamingTheFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("akash_badweb_" + std::to_string(::getpid()) + ".yml");
  std::ofstream(path) << "tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /x.key\n";
  ServerOptions o = Loopback();
  o.web_config_file = path.string();
  Server s(o);
  try {
    s.Start();
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent.crt"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s.BoundPorts().empty());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace akash::http
