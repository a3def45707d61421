#pragma once
// A tiny upstream for exporter integration tests that need precise control (delays, status
// codes) independent of the simulator. Serves registered exact paths on 127.0.0.1:0.

#include <atomic>
#include <map>
#include <mutex>
#include <string>

struct mg_context;
struct mg_connection;

namespace akash::itest {

class StubUpstream {
 public:
  struct Route {
    int status = 200;
    std::string body;
    int delay_ms = 0;
  };
  StubUpstream();
  ~StubUpstream();
  void Set(const std::string& path, Route route);
  // Extra response headers for `path` ("Retry-After" ...), sent with whatever Route it has.
  void SetHeaders(const std::string& path, std::map<std::string, std::string> headers);
  int hits(const std::string& path) const;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Header value seen on the last request to `path` (lower-case name).
  std::string last_header(const std::string& path, const std::string& name) const;

 private:
  static int Handle(mg_connection* conn, void* self);
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, Route> routes_;
  std::map<std::string, int> hits_;
  std::map<std::string, std::map<std::string, std::string>> response_headers_;
  std::map<std::string, std::map<std::string, std::string>> headers_;
  std::atomic<bool> stopping_{false};
};

}  // namespace akash::itest
