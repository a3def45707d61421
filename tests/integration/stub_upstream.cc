#include "tests/integration/stub_upstream.h"

#include <civetweb.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace akash::itest {

StubUpstream::StubUpstream() {
  const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "16", nullptr};
  mg_callbacks cb{};
  ctx_ = mg_start(&cb, nullptr, options);
  if (!ctx_) throw std::runtime_error("stub upstream failed to start");
  mg_server_port ports[4];
  const int n = mg_get_server_ports(ctx_, 4, ports);
  if (n < 1) throw std::runtime_error("stub upstream has no port");
  port_ = ports[0].port;
  mg_set_request_handler(ctx_, "/", &StubUpstream::Handle, this);
}

StubUpstream::~StubUpstream() {
  stopping_ = true;
  mg_stop(ctx_);
}

void StubUpstream::Set(const std::string& path, Route route) {
  std::lock_guard lock(mu_);
  routes_[path] = std::move(route);
}

int StubUpstream::hits(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = hits_.find(path);
  return it == hits_.end() ? 0 : it->second;
}

std::string StubUpstream::last_header(const std::string& path, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = headers_.find(path);
  if (it == headers_.end()) return "";
  auto h = it->second.find(name);
  return h == it->second.end() ? "" : h->second;
}

void StubUpstream::SetHeaders(const std::string& path,
                              std::map<std::string, std::string> headers) {
  std::lock_guard lock(mu_);
  response_headers_[path] = std::move(headers);
}

int StubUpstream::Handle(mg_connection* conn, void* self_ptr) {
  auto* self = static_cast<StubUpstream*>(self_ptr);
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string path = info->local_uri ? info->local_uri : "";
  Route route{404, "{\"error\":\"NotFoundError\",\"message\":\"no stub\"}", 0};
  {
    std::lock_guard lock(self->mu_);
    ++self->hits_[path];
    auto& hdrs = self->headers_[path];
    hdrs.clear();
    for (int i = 0; i < info->num_headers; ++i) {
      std::string name = info->http_headers[i].name;
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      hdrs[name] = info->http_headers[i].value;
    }
    auto it = self->routes_.find(path);
    if (it != self->routes_.end()) route = it->second;
  }
  // Sleep in small steps so the stub can shut down while a request is held.
  for (int waited = 0; waited < route.delay_ms && !self->stopping_; waited += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string extra;
  {
    std::lock_guard lock(self->mu_);
    for (const auto& [name, value] : self->response_headers_[path]) {
      extra += name + ": " + value + "\r\n";
    }
  }
  mg_printf(conn,
            "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
            "%sConnection: close\r\n\r\n",
            route.status, route.body.size(), extra.c_str());
  mg_write(conn, route.body.data(), route.body.size());
  return route.status;
}

}  // namespace akash::itest
