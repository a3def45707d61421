#include "exporter/http/server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "exporter/core/log.h"

namespace akash::http {
namespace {

// Request bodies are not handed to handlers; a small one is read and dropped so the
// connection stays reusable, a larger one ends keep-alive instead.
constexpr long long kMaxDrainedBodyBytes = 64 * 1024;
constexpr int kMaxPorts = 64;

bool HasIpv6() { return mg_check_feature(MG_FEATURES_IPV6) != 0; }

void InitCivetwebOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(0); });
}

bool ValidPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

// Resolves a host name to one IPv4 literal; civetweb only takes addresses.
std::string ResolveIpv4(const std::string& host, const std::string& address) {
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) == 1) return host;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    throw std::runtime_error("listen address " + address + ": cannot resolve host " + host +
                             " to an IPv4 address");
  }
  std::array<char, INET_ADDRSTRLEN> buf{};
  const auto* sin = reinterpret_cast<const sockaddr_in*>(res->ai_addr);
  inet_ntop(AF_INET, &sin->sin_addr, buf.data(), buf.size());
  freeaddrinfo(res);
  return buf.data();
}

struct Listen {
  std::string civetweb;   // entry of civetweb's listening_ports
  std::string wake_host;  // an address on which a local connect reaches this listener
};

// Converts one exporter-toolkit address to civetweb's listening_ports syntax.
Listen ToCivetwebPort(const std::string& address) {
  const auto bad = [&](const std::string& why) {
    return std::runtime_error("listen address " + address + ": " + why);
  };
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) throw bad("expected HOST:PORT, :PORT or [IPV6]:PORT");
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (!ValidPort(port)) throw bad("invalid port '" + port + "'");
  if (host.empty()) {
    // All interfaces; "+" adds IPv6 (dual stack) when civetweb was built with it.
    return {(HasIpv6() ? "+" : "") + port, "127.0.0.1"};
  }
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) throw bad("malformed IPv6 address");
    const std::string literal = host.substr(1, host.size() - 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, literal.c_str(), &a6) != 1) throw bad("malformed IPv6 address");
    if (!HasIpv6()) {
      throw bad("IPv6 is not supported: the civetweb library was built without USE_IPV6");
    }
    return {"[" + literal + "]:" + port, IN6_IS_ADDR_UNSPECIFIED(&a6) ? "::1" : literal};
  }
  if (host.find(':') != std::string::npos) throw bad("IPv6 addresses must be written [ADDR]:PORT");
  const std::string ip = ResolveIpv4(host, address);
  return {ip + ":" + port, ip == "0.0.0.0" ? "127.0.0.1" : ip};
}

// Opens and closes one TCP connection to host:port; errors are irrelevant.
void Poke(const std::string& host, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in6);
  } else {
    return;
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  ::close(fd);
}

struct Route {
  std::vector<std::string> methods;
  Handler handler;
};

bool ValidHeaderField(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

ServerReply TextReply(int status, std::string body) {
  ServerReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::map<std::string, Route, std::less<>> routes;
  std::mutex mu;  // guards ctx and routes
  mg_context* ctx = nullptr;
  std::atomic<bool> starting{false};
  std::mutex log_mu;                              // guards start_log
  std::vector<std::string> start_log;             // civetweb messages while starting (bind errors)
  std::vector<std::pair<std::string, int>> wake;  // host, port of each listener; under mu

  static Impl* From(const mg_connection* conn) {
    return static_cast<Impl*>(mg_get_user_data(mg_get_context(conn)));
  }

  static int OnLogMessage(const mg_connection* conn, const char* message) {
    Impl* self = conn != nullptr ? From(conn) : nullptr;
    if (self != nullptr && self->starting.load()) {
      std::lock_guard lock(self->log_mu);
      self->start_log.emplace_back(message);
    } else {
      core::LogDebug("civetweb", {{"message", message}});
    }
    return 1;  // never let civetweb write its own log
  }

  static int OnBeginRequest(mg_connection* conn) {
    Impl* self = From(conn);
    try {
      return self->Serve(conn);
    } catch (...) {
      // Writing the reply failed half-way (allocation); the connection is unusable.
      mg_disable_connection_keep_alive(conn);
      return 500;
    }
  }

  int Serve(mg_connection* conn) {
    const mg_request_info* ri = mg_get_request_info(conn);
    ServerRequest req;
    req.method = ri->request_method != nullptr ? ri->request_method : "";
    req.path = ri->local_uri != nullptr ? ri->local_uri : "";
    req.query = ri->query_string != nullptr ? ri->query_string : "";
    req.remote_addr = ri->remote_addr;
    req.header = [conn](std::string_view name) -> std::optional<std::string> {
      const std::string key(name);
      const char* v = mg_get_header(conn, key.c_str());
      if (v == nullptr) return std::nullopt;
      return std::string(v);
    };
    DrainBody(conn, ri->content_length);

    const bool head = req.method == "HEAD";
    ServerReply reply;
    const auto it = routes.find(req.path);
    if (it == routes.end()) {
      reply = TextReply(404, "Not Found\n");
    } else {
      const auto& methods = it->second.methods;
      const bool allows_get = std::find(methods.begin(), methods.end(), "GET") != methods.end();
      const bool allowed = std::find(methods.begin(), methods.end(), req.method) != methods.end() ||
                           (head && allows_get);
      if (!allowed) {
        reply = TextReply(405, "Method Not Allowed\n");
        std::vector<std::string> allow = methods;
        if (allows_get && std::find(allow.begin(), allow.end(), "HEAD") == allow.end()) {
          allow.emplace_back("HEAD");
        }
        reply.headers.emplace_back("Allow", Join(allow, ", "));
      } else {
        reply = Invoke(it->second.handler, req);
      }
    }
    return Send(conn, reply, head);
  }

  static ServerReply Invoke(const Handler& handler, const ServerRequest& req) {
    try {
      return handler(req);
    } catch (const std::exception& e) {
      core::LogError("http handler failed", {{"path", req.path}, {"error", e.what()}});
    } catch (...) {
      core::LogError("http handler failed", {{"path", req.path}, {"error", "unknown exception"}});
    }
    return TextReply(500, "Internal Server Error\n");
  }

  static void DrainBody(mg_connection* conn, long long content_length) {
    if (content_length == 0) return;
    if (content_length < 0) {
      // No Content-Length: only a chunked request has a body; reading anything else would
      // wait for the client to close.
      const char* te = mg_get_header(conn, "Transfer-Encoding");
      if (te == nullptr || std::string_view(te).find("chunked") == std::string_view::npos) return;
    }
    if (content_length > kMaxDrainedBodyBytes) {
      mg_disable_connection_keep_alive(conn);
      return;
    }
    std::array<char, 8192> buf{};
    long long total = 0;
    for (;;) {
      const int n = mg_read(conn, buf.data(), buf.size());
      if (n <= 0) break;
      total += n;
      if (total > kMaxDrainedBodyBytes) {  // chunked and long: give up on keep-alive
        mg_disable_connection_keep_alive(conn);
        break;
      }
    }
  }

  static int Send(mg_connection* conn, ServerReply& reply, bool head) {
    // A handler gives a final answer: 1xx or out-of-range codes are bugs, as are header
    // values that would split the response.
    if (reply.status < 200 || reply.status > 599 ||
        !ValidHeaderField("Content-Type", reply.content_type)) {
      core::LogError("http handler returned an invalid reply",
                     {{"status", std::to_string(reply.status)}});
      reply = TextReply(500, "Internal Server Error\n");
    }
    const std::string& body = reply.shared_body ? *reply.shared_body : reply.body;
    const bool no_body = reply.status == 204 || reply.status == 304;
    mg_response_header_start(conn, reply.status);
    if (!reply.content_type.empty() && !no_body) {
      mg_response_header_add(conn, "Content-Type", reply.content_type.c_str(), -1);
    }
    const std::string length = std::to_string(body.size());
    if (!no_body) mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
    for (const auto& [name, value] : reply.headers) {
      if (!ValidHeaderField(name, value)) {
        core::LogError("http handler set an invalid header; dropped", {{"name", name}});
        continue;
      }
      mg_response_header_add(conn, name.c_str(), value.c_str(), static_cast<int>(value.size()));
    }
    mg_response_header_send(conn);
    if (!head && !no_body && !body.empty()) mg_write(conn, body.data(), body.size());
    return reply.status;
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { Stop(); }

void Server::Handle(std::string path, std::vector<std::string> methods, Handler handler) {
  std::lock_guard lock(impl_->mu);
  if (impl_->ctx != nullptr) throw std::logic_error("Server::Handle called after Start");
  impl_->routes[std::move(path)] = Route{std::move(methods), std::move(handler)};
}

void Server::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->ctx != nullptr) throw std::logic_error("Server::Start called twice");
  const auto& addresses = impl_->options.listen_addresses;
  if (addresses.empty()) throw std::runtime_error("no listen address given");
  std::vector<std::string> ports;
  std::vector<std::string> wake_hosts;
  for (const auto& a : addresses) {
    Listen l = ToCivetwebPort(a);
    ports.push_back(std::move(l.civetweb));
    wake_hosts.push_back(std::move(l.wake_host));
  }
  const std::string listening_ports = Join(ports, ",");
  const std::string threads = std::to_string(std::max(1, impl_->options.worker_threads));
  const std::string request_timeout =
      std::to_string(std::max<long long>(1, impl_->options.request_timeout.count()));

  // No document_root: civetweb serves no files, and begin_request answers every request
  // anyway, so nothing but the registered handlers is reachable.
  const char* config[] = {"listening_ports",
                          listening_ports.c_str(),
                          "num_threads",
                          threads.c_str(),
                          "request_timeout_ms",
                          request_timeout.c_str(),
                          "enable_keep_alive",
                          "yes",
                          "enable_directory_listing",
                          "no",
                          "enable_auth_domain_check",
                          "no",
                          // Headers and body leave in separate writes; without TCP_NODELAY,
                          // Nagle's algorithm holds the body until the client's delayed ACK
                          // (~40 ms on Linux) on every keep-alive request.
                          "tcp_nodelay",
                          "1",
                          nullptr};
  mg_callbacks callbacks{};
  callbacks.begin_request = &Impl::OnBeginRequest;
  callbacks.log_message = &Impl::OnLogMessage;

  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = impl_.get();
  init.configuration_options = config;
  std::array<char, 256> error_text{};
  mg_error_data error{};
  error.text = error_text.data();
  error.text_buffer_size = error_text.size();

  InitCivetwebOnce();
  {
    std::lock_guard log_lock(impl_->log_mu);
    impl_->start_log.clear();
  }
  impl_->starting.store(true);
  mg_context* ctx = mg_start2(&init, &error);
  impl_->starting.store(false);
  if (ctx == nullptr) {
    // civetweb's own error text is generic ("Failed to setup server ports"); the log lines it
    // emitted while binding name the failing address and errno.
    std::string detail = error_text.data();
    std::lock_guard log_lock(impl_->log_mu);
    for (const auto& line : impl_->start_log) {
      if (line != detail) detail += "; " + line;
    }
    throw std::runtime_error("cannot listen on " + Join(addresses, ", ") + ": " + detail);
  }
  impl_->ctx = ctx;
  impl_->wake.clear();
  const auto bound = BoundPortsLocked();
  for (std::size_t i = 0; i < bound.size(); ++i) {
    impl_->wake.emplace_back(i < wake_hosts.size() ? wake_hosts[i] : "127.0.0.1", bound[i]);
  }
}

void Server::Stop() {
  mg_context* ctx = nullptr;
  std::vector<std::pair<std::string, int>> wake;
  {
    std::lock_guard lock(impl_->mu);
    std::swap(ctx, impl_->ctx);
    wake.swap(impl_->wake);
  }
  if (ctx == nullptr) return;
  // civetweb's master thread notices the stop flag only when its poll() on the listening
  // sockets returns, which without traffic takes up to 2 s (SOCKET_TIMEOUT_QUANTUM). That
  // alone would spend the whole shutdown budget, so connect to our own listeners until
  // mg_stop (which also waits for running handlers) has returned.
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    mg_stop(ctx);
    stopped.store(true);
  });
  while (!stopped.load()) {
    for (const auto& [host, port] : wake) Poke(host, port);
    for (int i = 0; i < 10 && !stopped.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  stopper.join();
}

std::vector<int> Server::BoundPorts() const {
  std::lock_guard lock(impl_->mu);
  return BoundPortsLocked();
}

std::vector<int> Server::BoundPortsLocked() const {
  std::vector<int> out;
  if (impl_->ctx == nullptr) return out;
  std::array<mg_server_port, kMaxPorts> ports{};
  const int n = mg_get_server_ports(impl_->ctx, kMaxPorts, ports.data());
  for (int i = 0; i < n; ++i) out.push_back(ports[static_cast<std::size_t>(i)].port);
  return out;
}

}  // namespace akash::http
