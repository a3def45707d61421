// The civetweb transport on 127.0.0.1:0 with raw sockets: normal answers, delayed answers,
// dripped bodies, TCP resets, and a prompt shutdown while a request is being held.

#include "sim/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "tests/sim/sim_test_util.h"

namespace akash::sim::testing {
namespace {

using Clock = std::chrono::steady_clock;

int Connect(int port, int recv_timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{recv_timeout_ms / 1000, (recv_timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

void SendGet(int fd, const std::string& target) {
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
}

struct ReadResult {
  std::string data;
  int error = 0;  // errno of the failing recv, 0 on clean EOF
};

ReadResult ReadAll(int fd) {
  ReadResult r;
  char buf[4096];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      r.data.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0) r.error = errno;
    return r;
  }
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : server_(sim_.router(), "127.0.0.1:0", 8) {}
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
    ASSERT_GT(server_.port(), 0);
  }
  void Fault(const std::string& json) {
    ASSERT_EQ(sim_.Call("POST", "/_sim/faults", {}, json).status, 201);
  }
  Sim sim_;
  Server server_;
};

TEST_F(ServerTest, ServesTheRouterOverHttp) {
  int fd = Connect(server_.port(), 5000);
  SendGet(fd, "/v1/market-data/akt");
  ReadResult r = ReadAll(fd);
  close(fd);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data.substr(0, 100);
  EXPECT_NE(r.data.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(r.data.find("\"price\":"), std::string::npos);
}

TEST_F(ServerTest, PercentEncodedKeysSurviveTheTransport) {
  auto first = sim_.Json("/akash/market/v1beta5/leases/list?pagination.limit=3");
  std::string key = first["pagination"]["next_key"].GetString();
  int fd = Connect(server_.port(), 5000);
  SendGet(fd, "/akash/market/v1beta5/leases/list?pagination.limit=3&pagination.key=" + Enc(key));
  ReadResult r = ReadAll(fd);
  close(fd);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data.substr(0, 300);
}

TEST_F(ServerTest, TimeoutHoldsTheAnswerPastAClientTimeout) {
  Fault(R"({"route":"market","kind":"timeout","arg":"1500","count":1})");
  int fd = Connect(server_.port(), 300);
  SendGet(fd, "/v1/market-data/akt");
  auto t0 = Clock::now();
  char c;
  ssize_t n = recv(fd, &c, 1, 0);
  EXPECT_EQ(n, -1);  // nothing within the client's 300 ms
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(250));
  // A patient client gets the answer after the hold.
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ReadResult r = ReadAll(fd);
  close(fd);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u);  // the timed-out recv consumed nothing
}

TEST_F(ServerTest, DripTricklesTheWholeBody) {
  Fault(R"({"route":"market","kind":"drip","arg":"800","count":1})");
  auto t0 = Clock::now();
  int fd = Connect(server_.port(), 5000);
  SendGet(fd, "/v1/market-data/akt");
  ReadResult r = ReadAll(fd);
  close(fd);
  auto took = Clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(600));
  std::string body = r.data.substr(r.data.find("\r\n\r\n") + 4);
  EXPECT_EQ(body, sim_.Get("/v1/market-data/akt").body);
}

TEST_F(ServerTest, ResetAbortsTheConnection) {
  Fault(R"({"route":"market","kind":"reset","count":1})");
  int fd = Connect(server_.port(), 5000);
  SendGet(fd, "/v1/market-data/akt");
  ReadResult r = ReadAll(fd);
  close(fd);
  EXPECT_TRUE(r.data.empty()) << r.data.substr(0, 100);
  EXPECT_EQ(r.error, ECONNRESET);
  // The next request is served normally.
  fd = Connect(server_.port(), 5000);
  SendGet(fd, "/v1/market-data/akt");
  EXPECT_EQ(ReadAll(fd).data.rfind("HTTP/1.1 200", 0), 0u);
  close(fd);
}

TEST_F(ServerTest, StopDoesNotWaitForAHeldRequest) {
  Fault(R"({"route":"market","kind":"timeout","arg":"60000"})");
  int fd = Connect(server_.port(), 10000);
  SendGet(fd, "/v1/market-data/akt");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto t0 = Clock::now();
  server_.Stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
  close(fd);
}

}  // namespace
}  // namespace akash::sim::testing
