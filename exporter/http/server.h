#pragma once
// The HTTP server over civetweb: exact-path routes, handlers return a whole reply.
//
// Listen addresses use the exporter-toolkit forms: "HOST:PORT", ":PORT" (all interfaces),
// "[::1]:PORT". HOST may be a name; it is resolved to one IPv4 address at Start(). Port 0 asks
// the OS for a free port; BoundPorts() tells which, in the order of listen_addresses.
// IPv6 needs a civetweb built with USE_IPV6; Debian 12's libcivetweb1 is not, so a bracketed
// address makes Start() fail with a message saying so, and ":PORT" listens on IPv4 only.
// Start() throws std::runtime_error naming the address when one is malformed or cannot be
// bound (a start-up error); no listener is left open then.
// Requests for unknown paths get 404, malformed requests get 400 from civetweb itself, a
// method a route does not allow gets 405 with an Allow header, a handler that throws gets a
// generic 500 (and an error log line). Nothing else is served: there is no document root.
// HEAD runs the GET handler and sends its headers (Content-Length of the full body) only.
//
// Thread-safety: handlers run on civetweb worker threads, concurrently; they must be
// thread-safe. Handle() must be called before Start() (afterwards it throws std::logic_error).
// Stop() is idempotent, blocks until running handlers return, and is called by the destructor.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akash::http {

struct ServerRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path, no query
  std::string query;   // raw query string, no '?'
  std::string remote_addr;
  // Case-insensitive header lookup.
  std::function<std::optional<std::string>(std::string_view)> header;
};

struct ServerReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, sent instead of `body` (lets /metrics hand out a cached buffer without a copy).
  std::shared_ptr<const std::string> shared_body;
};

using Handler = std::function<ServerReply(const ServerRequest&)>;

struct ServerOptions {
  std::vector<std::string> listen_addresses{":9110"};
  int worker_threads = 8;
  std::chrono::milliseconds request_timeout{10'000};
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // `methods` lists the allowed methods (HEAD is allowed wherever GET is).
  void Handle(std::string path, std::vector<std::string> methods, Handler handler);
  void Start();  // throws std::runtime_error on a bad address or bind failure
  void Stop();   // idempotent; a stopped server may be started again
  std::vector<int> BoundPorts() const;

 private:
  std::vector<int> BoundPortsLocked() const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace akash::http
