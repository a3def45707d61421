#pragma once
// Test helpers for the http module: a raw civetweb upstream on 127.0.0.1:0 whose handler gets
// the connection itself (so a test can trickle, chunk, stall or cut a response), and a raw
// socket client that sends exact request bytes and reads the reply until the server closes.

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace akash::http::testing {

class TestUpstream {
 public:
  using Fn = std::function<int(mg_connection*, const mg_request_info*)>;

  explicit TestUpstream(Fn fn, int threads = 8) : fn_(std::move(fn)) {
    mg_init_library(0);
    const std::string n = std::to_string(threads);
    const char* options[] = {"listening_ports",
                             "127.0.0.1:0",
                             "num_threads",
                             n.c_str(),
                             "enable_keep_alive",
                             "yes",
                             "keep_alive_timeout_ms",
                             "1000",
                             nullptr};
    mg_callbacks cb{};
    cb.begin_request = [](mg_connection* c) {
      auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
      return self->fn_(c, mg_get_request_info(c));
    };
    cb.init_connection = [](const mg_connection* c, void**) {
      auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
      self->connections_.fetch_add(1);
      return 0;
    };
    cb.log_message = [](const mg_connection*, const char*) { return 1; };
    ctx_ = mg_start(&cb, this, options);
    if (ctx_ == nullptr) throw std::runtime_error("test upstream failed to start");
    mg_server_port ports[4];
    if (mg_get_server_ports(ctx_, 4, ports) < 1) throw std::runtime_error("no port");
    port_ = ports[0].port;
  }
  ~TestUpstream() {
    stopping_.store(true);
    // civetweb polls its listener in 2 s slices; connecting wakes it so mg_stop is quick.
    std::atomic<bool> stopped{false};
    std::thread stopper([&] {
      mg_stop(ctx_);
      stopped.store(true);
    });
    while (!stopped.load()) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<uint16_t>(port_));
      (void)::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
      ::close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stopper.join();
  }
  TestUpstream(const TestUpstream&) = delete;
  TestUpstream& operator=(const TestUpstream&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int connections() const { return connections_.load(); }
  bool stopping() const { return stopping_.load(); }
  // Sleeps up to `d`, returning early once the upstream is being destroyed so that mg_stop
  // never waits long on a deliberately slow handler.
  void SleepUnlessStopping(std::chrono::milliseconds d) const {
    const auto end = std::chrono::steady_clock::now() + d;
    while (!stopping() && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

 private:
  Fn fn_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
};

// Writes a complete response with Content-Length.
inline int Reply(mg_connection* c, int status, const std::string& body,
                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                 const std::string& content_type = "text/plain") {
  mg_printf(c, "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", status,
            content_type.c_str(), body.size());
  for (const auto& [k, v] : headers) mg_printf(c, "%s: %s\r\n", k.c_str(), v.c_str());
  mg_printf(c, "\r\n");
  mg_write(c, body.data(), body.size());
  return status;
}

// A port on 127.0.0.1 that was free a moment ago and now has no listener.
inline int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string raw;
};

// A TCP connection to 127.0.0.1:port whose reads give up after 2 s; -1 if it cannot connect.
inline int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
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

// Appends what `fd` receives to `out` until `done(out)` holds, the peer closes or a read times
// out.
template <typename Done>
void ReceiveUntil(int fd, std::string& out, Done done) {
  char buf[4096];
  while (!done(out)) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// Sends `request` verbatim to 127.0.0.1:port and reads until the peer closes (send requests
// with "Connection: close"); gives up after 2 s.
inline RawResponse RawRequest(int port, const std::string& request) {
  RawResponse r;
  const int fd = ConnectLoopback(port);
  if (fd < 0) return r;
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  ReceiveUntil(fd, r.raw, [](const std::string&) { return false; });
  ::close(fd);
  const auto end = r.raw.find("\r\n\r\n");
  if (end == std::string::npos) return r;
  const std::string head = r.raw.substr(0, end);
  r.body = r.raw.substr(end + 4);
  std::size_t pos = head.find("\r\n");
  const std::string status_line = head.substr(0, pos);
  if (status_line.size() >= 12) r.status = std::stoi(status_line.substr(9, 3));
  while (pos != std::string::npos) {
    const std::size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    pos = next;
  }
  return r;
}

}  // namespace akash::http::testing
