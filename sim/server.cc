#include "sim/server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace akash::sim {
namespace {

// civetweb has no public accessor for a connection's socket. To send a TCP reset we find our
// own descriptor whose peer is this request's client and local port is the listener's, then
// "disconnect" it (connect to AF_UNSPEC), which makes Linux abort the connection with RST.
void ResetConnection(const mg_request_info* ri) {
  for (int fd = 3; fd < 65536; ++fd) {
    sockaddr_storage peer{}, local{};
    socklen_t pl = sizeof peer, ll = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) continue;
    char addr[INET6_ADDRSTRLEN] = {0};
    int peer_port = 0, local_port = 0;
    if (peer.ss_family == AF_INET) {
      auto* p = reinterpret_cast<sockaddr_in*>(&peer);
      inet_ntop(AF_INET, &p->sin_addr, addr, sizeof addr);
      peer_port = ntohs(p->sin_port);
      local_port = ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
    } else if (peer.ss_family == AF_INET6) {
      auto* p = reinterpret_cast<sockaddr_in6*>(&peer);
      inet_ntop(AF_INET6, &p->sin6_addr, addr, sizeof addr);
      peer_port = ntohs(p->sin6_port);
      local_port = ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
    } else {
      continue;
    }
    if (peer_port != ri->remote_port || local_port != ri->server_port) continue;
    if (std::strcmp(addr, ri->remote_addr) != 0) continue;
    linger lg{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    connect(fd, &unspec, sizeof unspec);
    return;
  }
}

}  // namespace

Server::Server(Router& router, std::string listen, int threads)
    : router_(router), listen_(std::move(listen)), threads_(threads) {}

Server::~Server() { Stop(); }

bool Server::Start(std::string* error) {
  std::string threads = std::to_string(threads_);
  const char* options[] = {"listening_ports",
                           listen_.c_str(),
                           "num_threads",
                           threads.c_str(),
                           "enable_keep_alive",
                           "yes",
                           "keep_alive_timeout_ms",
                           "2000",
                           "request_timeout_ms",
                           "600000",
                           "tcp_nodelay",
                           "1",
                           nullptr};
  mg_callbacks callbacks{};
  ctx_ = mg_start(&callbacks, this, options);
  if (ctx_ == nullptr) {
    *error = "cannot listen on " + listen_;
    return false;
  }
  mg_set_request_handler(ctx_, "/", &Server::HandleRequest, this);
  mg_server_port ports[4];
  int n = mg_get_server_ports(ctx_, 4, ports);
  if (n < 1) {
    *error = "civetweb reported no listening port";
    return false;
  }
  port_ = ports[0].port;
  return true;
}

void Server::Stop() {
  stopping_.store(true);
  if (ctx_ != nullptr) {
    mg_stop(ctx_);
    ctx_ = nullptr;
  }
}

void Server::InterruptibleSleep(std::int64_t ms) const {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping_.load()) {
    auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
}

int Server::HandleRequest(mg_connection* conn, void* self) {
  return static_cast<Server*>(self)->Serve(conn);
}

int Server::Serve(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  Request req;
  req.method = ri->request_method ? ri->request_method : "GET";
  req.path = ri->local_uri ? ri->local_uri : "/";
  req.query = ri->query_string ? ri->query_string : "";
  for (int i = 0; i < ri->num_headers; ++i) {
    req.headers.emplace_back(ri->http_headers[i].name, ri->http_headers[i].value);
  }
  if (req.method != "GET" && req.method != "HEAD") {
    char buf[8192];
    int n;
    while (req.body.size() < (1u << 20) && (n = mg_read(conn, buf, sizeof buf)) > 0) {
      req.body.append(buf, static_cast<std::size_t>(n));
    }
  }
  Response r = router_.Handle(req);
  if (r.transport == Transport::kReset) {
    ResetConnection(ri);
    return 1;
  }
  if (r.transport == Transport::kDelay) InterruptibleSleep(r.transport_ms);
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " +
                     mg_get_response_code_text(conn, r.status) +
                     "\r\nContent-Type: " + r.content_type +
                     "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  if (req.method == "HEAD") return r.status;
  if (r.transport == Transport::kDrip && !r.body.empty()) {
    const std::size_t chunks = std::min<std::size_t>(r.body.size(), 50);
    const std::size_t step = (r.body.size() + chunks - 1) / chunks;
    const std::int64_t pause = r.transport_ms / static_cast<std::int64_t>(chunks);
    for (std::size_t off = 0; off < r.body.size() && !stopping_.load(); off += step) {
      std::size_t len = std::min(step, r.body.size() - off);
      if (mg_write(conn, r.body.data() + off, len) <= 0) break;
      InterruptibleSleep(pause);
    }
    return r.status;
  }
  std::size_t off = 0;
  while (off < r.body.size()) {
    std::size_t len = std::min<std::size_t>(r.body.size() - off, 1 << 20);
    if (mg_write(conn, r.body.data() + off, len) <= 0) break;
    off += len;
  }
  return r.status;
}

}  // namespace akash::sim
