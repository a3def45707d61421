#pragma once
// The HTTP(S) server of the daemon: an event-driven server on Boost.Asio and Boost.Beast with
// exact-path routes; handlers return a whole reply. docs/web-security.md has the limits.
//
// Why not civetweb: it gives every connection one of its threads until the request timeout, so
// a few dozen idle sockets starve /metrics, and Debian 12's build cannot do TLS with OpenSSL 3.
// Here one I/O thread multiplexes every connection; only parsed requests reach the handler pool.
//
// Listen addresses use the exporter-toolkit forms: "HOST:PORT", ":PORT" (all interfaces, IPv6
// and IPv4 when the host has IPv6), "[::1]:PORT". HOST may be a name; it is resolved at Start()
// (the first IPv4 address, else the first IPv6 one). Port 0 asks the OS for a free port;
// BoundPorts() tells which, in the order of listen_addresses (or listen_fds).
// Start() throws std::runtime_error naming the address when one is malformed or cannot be bound,
// or "FILE: reason" when the web config is invalid; no listener is left open then.
//
// Per request: unknown paths get 404, a method a route does not allow gets 405 with Allow, a
// handler that throws gets a generic 500 (and an error log line), malformed or ambiguous
// requests (two Content-Length, Content-Length with Transfer-Encoding) get 400 and the
// connection is closed, headers over max_header_bytes get 431, bodies over max_body_bytes 413.
// With basic_auth_users in the web config every path needs credentials (401 otherwise).
// Nothing else is served: there is no document root. HEAD runs the GET handler and sends its
// headers (Content-Length of the full body) only.
//
// Slow clients: a connection must deliver its request headers (and, over TLS, finish its
// handshake) within header_timeout of connecting or of its first byte on a kept-alive
// connection, the whole request within request_timeout, and is closed after idle_timeout
// without a new request. Connections per client address (per /64 for IPv6) are capped at
// max_connections_per_address and in total at max_connections; excess ones are closed at once.
//
// Thread-safety: handlers run on a pool of worker_threads threads, concurrently; they must be
// thread-safe. Handle() must be called before Start() (afterwards it throws std::logic_error).
// Stop() is idempotent, blocks until running handlers return, and is called by the destructor.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/core/result.h"

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
  // Already listening sockets (systemd socket activation); when set, listen_addresses is unused.
  std::vector<int> listen_fds;
  int worker_threads = 8;
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  // Above what one Prometheus or a load test with 64 connections needs from one address.
  int max_connections_per_address = 128;
  int max_connections = 4096;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  // exporter-toolkit web config (TLS, basic auth); empty: plain HTTP without auth.
  std::string web_config_file;
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
  // Re-reads the web config now (it is also re-read when it changes, checked at most once a
  // second as connections arrive). A bad file is refused, logged, and the current one kept;
  // switching TLS on or off needs a restart and is refused too.
  core::Result<core::Ok> ReloadWebConfig();
  // Connections open now (for tests and diagnostics).
  int OpenConnections() const;

  struct Impl;  // opaque; public only so the implementation's helpers can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// The listening sockets passed by systemd socket activation (sd_listen_fds(3)): fds 3.. when
// LISTEN_PID is this process and LISTEN_FDS > 0. Marks them close-on-exec and unsets the
// variables. Throws std::runtime_error when none were passed.
std::vector<int> SystemdListenFds();

// Loads a --web.config.file exactly as the server does (YAML, certificate, key and client CA
// files, the key matching the certificate) and describes it in one line without secrets, for
// --config.check. Throws WebConfigError naming the file at fault.
std::string CheckWebConfig(const std::string& file);

}  // namespace akash::http
