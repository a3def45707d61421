#include "exporter/http/server.h"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "exporter/core/log.h"
#include "exporter/http/web_config.h"

namespace akash::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

bool ValidPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return false;
  }
  return std::stoi(std::string(port)) <= 65535;
}

bool HostHasIpv6() {
  static const bool has = [] {
    const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }();
  return has;
}

// Converts one exporter-toolkit address to an endpoint; `dual` is set for ":PORT" on IPv6.
tcp::endpoint ParseListenAddress(const std::string& address, bool* dual) {
  *dual = false;
  const auto bad = [&](const std::string& why) {
    return std::runtime_error("listen address " + address + ": " + why);
  };
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) throw bad("expected HOST:PORT, :PORT or [IPV6]:PORT");
  const std::string host = address.substr(0, colon);
  const std::string port_text = address.substr(colon + 1);
  if (!ValidPort(port_text)) throw bad("invalid port '" + port_text + "'");
  const auto port = static_cast<std::uint16_t>(std::stoi(port_text));
  if (host.empty()) {
    if (HostHasIpv6()) {
      *dual = true;
      return {asio::ip::address_v6::any(), port};
    }
    return {asio::ip::address_v4::any(), port};
  }
  boost::system::error_code ec;
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) throw bad("malformed IPv6 address");
    const auto a6 = asio::ip::make_address_v6(host.substr(1, host.size() - 2), ec);
    if (ec) throw bad("malformed IPv6 address");
    return {a6, port};
  }
  if (host.find(':') != std::string::npos) throw bad("IPv6 addresses must be written [ADDR]:PORT");
  const auto a4 = asio::ip::make_address_v4(host, ec);
  if (!ec) return {a4, port};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) {
    throw bad("cannot resolve host " + host);
  }
  const addrinfo* pick = res;
  for (const addrinfo* p = res; p != nullptr; p = p->ai_next) {
    if (p->ai_family == AF_INET) {
      pick = p;
      break;
    }
  }
  tcp::endpoint ep;
  if (pick->ai_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(pick->ai_addr);
    ep = {asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)), port};
  } else {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(pick->ai_addr);
    asio::ip::address_v6::bytes_type b{};
    std::memcpy(b.data(), &sin6->sin6_addr, b.size());
    ep = {asio::ip::address_v6(b), port};
  }
  freeaddrinfo(res);
  return ep;
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

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path; nullopt for a broken escape or an encoded NUL.
std::optional<std::string> DecodePath(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    const int hi = HexDigit(in[i + 1]);
    const int lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return std::nullopt;
    out.push_back(c);
    i += 2;
  }
  return out;
}

// Normal form of a peer address: v4-mapped IPv6 as IPv4.
asio::ip::address Normal(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

// The key connections are counted under: the address, or its /64 for IPv6 (one host usually
// holds a whole /64).
std::string CapKey(const asio::ip::address& a) {
  if (a.is_v4()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

struct FileStamp {
  std::string path;
  long long mtime_ns = -1;
  long long size = -1;
  long long inode = -1;
  bool operator==(const FileStamp&) const = default;
};

FileStamp Stamp(const std::string& path) {
  FileStamp s;
  s.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
    s.size = static_cast<long long>(st.st_size);
    s.inode = static_cast<long long>(st.st_ino);
  }
  return s;
}

std::string OpenSslError(const std::string& what, const boost::system::error_code& ec) {
  return what + ": " + ec.message();
}

int ToOpenSslVersion(TlsVersion v) {
  return v == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

// Builds the TLS context of a web config; throws WebConfigError naming the file at fault.
std::shared_ptr<ssl::context> MakeTlsContext(const TlsServerConfig& t) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  // Renegotiation lets one client make the server do handshakes at will.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_min_proto_version(native, ToOpenSslVersion(t.min_version));
  if (t.max_version) SSL_CTX_set_max_proto_version(native, ToOpenSslVersion(*t.max_version));
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(t.cert_file, ec);
  if (ec) throw WebConfigError(OpenSslError(t.cert_file + ": cannot load certificate", ec));
  ctx->use_private_key_file(t.key_file, ssl::context::pem, ec);
  if (ec) throw WebConfigError(OpenSslError(t.key_file + ": cannot load private key", ec));
  if (SSL_CTX_check_private_key(native) != 1) {
    throw WebConfigError(t.key_file + ": the private key does not match " + t.cert_file);
  }
  static const unsigned char kSessionContext[] = "akash_exporter";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  if (!t.client_ca_file.empty()) {
    ctx->load_verify_file(t.client_ca_file, ec);
    if (ec) throw WebConfigError(OpenSslError(t.client_ca_file + ": cannot load client CA", ec));
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(t.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
  }
  switch (t.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER, &AcceptAnyCertificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         &AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  return ctx;
}

// One loaded web config: what a connection needs, fixed for its lifetime.
struct Security {
  std::shared_ptr<ssl::context> tls;  // null: plain HTTP
  std::shared_ptr<BasicAuth> auth;    // null: no auth
  std::string content;                // file bytes, to notice changes
  WebConfig config;                   // what they say
  std::vector<FileStamp> stamps;      // certificate, key and CA files
};

std::shared_ptr<const Security> LoadSecurity(const std::string& file) {
  auto s = std::make_shared<Security>();
  s->content = ReadWebConfigFile(file);
  s->config = ParseWebConfig(s->content, file);
  const WebConfig& config = s->config;
  if (config.tls) {
    s->tls = MakeTlsContext(*config.tls);
    s->stamps.push_back(Stamp(config.tls->cert_file));
    s->stamps.push_back(Stamp(config.tls->key_file));
    if (!config.tls->client_ca_file.empty()) s->stamps.push_back(Stamp(config.tls->client_ca_file));
  }
  if (!config.basic_auth.empty()) s->auth = std::make_shared<BasicAuth>(config.basic_auth);
  return s;
}

// Lets the process hold the connections the limits allow: Debian's default soft limit of 1024
// open files is below max_connections.
void RaiseFileLimit(int wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  const rlim_t target = std::min<rlim_t>(rl.rlim_max, static_cast<rlim_t>(wanted));
  if (rl.rlim_cur < target) {
    rl.rlim_cur = target;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int FileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1 << 20;
  return static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 1 << 20));
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Close() = 0;  // on the I/O thread
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::map<std::string, Route, std::less<>> routes;
  mutable std::mutex mu;  // guards the running state below
  bool running = false;
  std::vector<int> ports;
  std::unique_ptr<asio::io_context> ioc;
  std::unique_ptr<asio::thread_pool> pool;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::thread io_thread;
  std::atomic<bool> stopping{false};

  // Connection accounting; any thread (a session may die on a pool thread).
  mutable std::mutex conn_mu;
  std::unordered_map<std::string, int> per_address;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  int total = 0;
  int max_total = 0;

  // Web config.
  std::mutex security_mu;
  std::shared_ptr<const Security> security;  // under security_mu
  SteadyClock::time_point last_check{};      // I/O thread only
  std::string last_bad;                      // content+stamps of the last refused file

  bool Admit(const std::string& key) {
    std::lock_guard lock(conn_mu);
    if (total >= max_total) return false;
    int& n = per_address[key];
    if (n >= options.max_connections_per_address) return false;
    ++n;
    ++total;
    return true;
  }

  void Register(SessionBase* s, std::weak_ptr<SessionBase> w) {
    std::lock_guard lock(conn_mu);
    sessions.emplace(s, std::move(w));
  }

  void Release(SessionBase* s, const std::string& key) {
    std::lock_guard lock(conn_mu);
    sessions.erase(s);
    const auto it = per_address.find(key);
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
    --total;
  }

  std::shared_ptr<const Security> CurrentSecurity() {
    std::lock_guard lock(security_mu);
    return security;
  }

  // Loads the web config; refuses a file that switches TLS on or off while running.
  core::Result<core::Ok> Reload(bool log_failure_once) {
    if (options.web_config_file.empty()) return core::Ok{};
    std::shared_ptr<const Security> fresh;
    std::string error;
    try {
      fresh = LoadSecurity(options.web_config_file);
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::lock_guard lock(security_mu);
    if (fresh && security && (fresh->tls != nullptr) != (security->tls != nullptr)) {
      error = options.web_config_file + ": turning TLS on or off needs a restart";
      fresh.reset();
    }
    if (!fresh) {
      const std::string signature = error;
      if (!log_failure_once || signature != last_bad) {
        core::LogError("web config reload failed; keeping the previous one", {{"err", error}});
      }
      last_bad = signature;
      return core::MakeError(core::ErrorReason::kParse, error);
    }
    last_bad.clear();
    const bool changed =
        !security || security->content != fresh->content || security->stamps != fresh->stamps;
    security = std::move(fresh);
    if (changed) core::LogInfo("web config loaded", {{"file", options.web_config_file}});
    return core::Ok{};
  }

  // Called on the I/O thread as connections arrive: re-reads the web config when the file or
  // a certificate changed, at most once a second.
  void MaybeRefresh() {
    if (options.web_config_file.empty()) return;
    const auto now = SteadyClock::now();
    if (now - last_check < std::chrono::seconds(1)) return;
    last_check = now;
    auto current = CurrentSecurity();
    bool changed = !current;
    if (current) {
      std::string content;
      try {
        content = ReadWebConfigFile(options.web_config_file);
      } catch (const std::exception&) {
        content = "\x01unreadable";
      }
      changed = content != current->content;
      for (const auto& s : current->stamps) changed = changed || !(Stamp(s.path) == s);
    }
    if (changed) (void)Reload(true);
  }

  ServerReply Process(const ServerRequest& req, const Security* sec) {
    if (sec != nullptr && sec->auth && !sec->auth->Check(req.header("Authorization"))) {
      ServerReply r = TextReply(401, "Unauthorized\n");
      r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"akash_exporter\"");
      return r;
    }
    const bool head = req.method == "HEAD";
    const auto it = routes.find(req.path);
    if (it == routes.end()) return TextReply(404, "Not Found\n");
    const auto& methods = it->second.methods;
    const bool allows_get = std::find(methods.begin(), methods.end(), "GET") != methods.end();
    const bool allowed = std::find(methods.begin(), methods.end(), req.method) != methods.end() ||
                         (head && allows_get);
    if (!allowed) {
      ServerReply reply = TextReply(405, "Method Not Allowed\n");
      std::vector<std::string> allow = methods;
      if (allows_get && std::find(allow.begin(), allow.end(), "HEAD") == allow.end()) {
        allow.emplace_back("HEAD");
      }
      reply.headers.emplace_back("Allow", Join(allow, ", "));
      return reply;
    }
    try {
      return it->second.handler(req);
    } catch (const std::exception& e) {
      core::LogError("http handler failed", {{"path", req.path}, {"error", e.what()}});
    } catch (...) {
      core::LogError("http handler failed", {{"path", req.path}, {"error", "unknown exception"}});
    }
    return TextReply(500, "Internal Server Error\n");
  }

  void Accept(std::size_t i);
  void OnAccept(tcp::socket socket);
};

namespace {

std::string FormatHead(ServerReply& reply, std::size_t body_size, bool keep_alive, bool http10) {
  // A handler gives a final answer: 1xx or out-of-range codes are bugs, as are header values
  // that would split the response.
  if (reply.status < 200 || reply.status > 599 ||
      !ValidHeaderField("Content-Type", reply.content_type)) {
    core::LogError("http handler returned an invalid reply",
                   {{"status", std::to_string(reply.status)}});
    reply = TextReply(500, "Internal Server Error\n");
    body_size = reply.body.size();
  }
  const bool no_body = reply.status == 204 || reply.status == 304;
  std::string h;
  h.reserve(256);
  h += "HTTP/1.1 ";
  h += std::to_string(reply.status);
  h += ' ';
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(reply.status));
  h.append(reason.data(), reason.size());
  h += "\r\n";
  if (!reply.content_type.empty() && !no_body) {
    h += "Content-Type: " + reply.content_type + "\r\n";
  }
  if (!no_body) h += "Content-Length: " + std::to_string(body_size) + "\r\n";
  for (const auto& [name, value] : reply.headers) {
    if (!ValidHeaderField(name, value)) {
      core::LogError("http handler set an invalid header; dropped", {{"name", name}});
      continue;
    }
    h += name + ": " + value + "\r\n";
  }
  if (!keep_alive) {
    h += "Connection: close\r\n";
  } else if (http10) {
    h += "Connection: keep-alive\r\n";
  }
  h += "\r\n";
  return h;
}

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(Server::Impl& server, tcp::socket socket, std::string key, std::string remote,
          std::shared_ptr<const Security> security)
      : server_(server),
        security_(std::move(security)),
        stream_(MakeStream(std::move(socket), security_.get())),
        key_(std::move(key)),
        remote_(std::move(remote)),
        start_(SteadyClock::now()) {
    buffer_.max_size(server_.options.max_header_bytes + 8192);
  }

  ~Session() override { server_.Release(this, key_); }

  void Begin() {
    Lowest().expires_at(start_ + server_.options.header_timeout);
    if constexpr (kTls) {
      // The handshake counts against the header timeout: a client that never sends its
      // ClientHello is closed like one that never sends its headers.
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHeader(self->start_);
                              });
    } else {
      ReadHeader(start_);
    }
  }

  void Close() override {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

 private:
  static Stream MakeStream(tcp::socket socket, const Security* sec) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *sec->tls);
    } else {
      (void)sec;
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Waits for the first byte of the next request on a kept-alive connection (idle timeout),
  // then gives the request its header timeout.
  void WaitForNext() {
    if (buffer_.size() > 0) return ReadHeader(SteadyClock::now());
    Lowest().expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader(SteadyClock::now());
                            });
  }

  void ReadHeader(SteadyClock::time_point start) {
    if (server_.stopping.load()) return Close();
    request_start_ = start;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    Lowest().expires_at(start + server_.options.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return Fail(431, "Request Header Fields Too Large\n");
    if (ec == bhttp::error::body_limit) return Fail(413, "Payload Too Large\n");  // Content-Length
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec) return Fail(400, "Bad Request\n");
    const auto& req = parser_->get();
    // Two lengths, or a length beside a transfer coding, let a proxy and this server disagree
    // on where the request ends (request smuggling).
    const auto lengths = req.count(bhttp::field::content_length);
    const bool has_te = req.count(bhttp::field::transfer_encoding) > 0;
    if (lengths > 1 || (lengths > 0 && has_te)) return Fail(400, "Bad Request: ambiguous length\n");
    if (has_te && !beast::iequals(req[bhttp::field::transfer_encoding], "chunked")) {
      return Fail(400, "Bad Request: unsupported Transfer-Encoding\n");
    }
    if (parser_->is_done()) return Dispatch();
    Lowest().expires_at(request_start_ + server_.options.request_timeout);
    // A client that sent "Expect: 100-continue" waits for an interim 100 before it sends the
    // body (curl for a few hundred milliseconds, others until their timeout). Any other
    // expectation cannot be met: 417 (RFC 9110, 10.1.1). Limits were checked on the headers
    // above, so a body that would be refused is refused before the client sends it.
    if (req.count(bhttp::field::expect) > 0) {
      if (!beast::iequals(req[bhttp::field::expect], "100-continue")) {
        return Fail(417, "Expectation Failed\n");
      }
      if (req.version() >= 11) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->Close();
                            self->ReadBody();
                          });
        return;
      }
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec2, std::size_t) {
                        if (ec2 == bhttp::error::body_limit) {
                          return self->Fail(413, "Payload Too Large\n");
                        }
                        if (ec2 == beast::error::timeout || ec2 == asio::error::eof ||
                            ec2 == asio::error::operation_aborted) {
                          return self->Close();
                        }
                        if (ec2) return self->Fail(400, "Bad Request\n");
                        self->Dispatch();
                      });
  }

  void Dispatch() {
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    http10_ = msg.version() < 11;
    const auto target = msg.target();
    if (target.empty() || target.front() != '/') return Fail(400, "Bad Request\n");
    const auto q = target.find('?');
    auto path = DecodePath(std::string_view(target.data(), std::min(q, target.size())));
    if (!path) return Fail(400, "Bad Request\n");
    auto fields = std::make_shared<std::unordered_map<std::string, std::string>>();
    for (const auto& f : msg) {
      auto [it, fresh] =
          fields->emplace(Lower(View(f.name_string())), std::string(View(f.value())));
      if (!fresh) it->second += ", " + std::string(View(f.value()));
    }
    auto req = std::make_shared<ServerRequest>();
    req->method = std::string(msg.method_string());
    req->path = std::move(*path);
    if (q != beast::string_view::npos) req->query = std::string(target.substr(q + 1));
    req->remote_addr = remote_;
    req->header = [fields](std::string_view name) -> std::optional<std::string> {
      const auto it = fields->find(Lower(name));
      if (it == fields->end()) return std::nullopt;
      return it->second;
    };
    parser_.reset();
    // Handlers may block (a reload); they run on the pool, never on the I/O thread.
    // Users are checked against the current web config, not the one the connection started
    // with: a kept-alive scraper must not keep a revoked password working.
    server_.MaybeRefresh();
    auto sec = server_.CurrentSecurity();
    asio::post(*server_.pool, [self = this->shared_from_this(), req = std::move(req),
                               sec = std::move(sec)]() mutable {
      ServerReply reply = self->server_.Process(*req, sec.get());
      const bool head = req->method == "HEAD";
      auto executor = self->Lowest().get_executor();
      asio::post(executor, [self = std::move(self), reply = std::move(reply), head]() mutable {
        self->Write(std::move(reply), head);
      });
    });
  }

  void Fail(int status, std::string body) {
    keep_alive_ = false;
    parser_.reset();
    Write(TextReply(status, std::move(body)), false);
  }

  void Write(ServerReply reply, bool head) {
    if (server_.stopping.load()) keep_alive_ = false;
    reply_ = std::move(reply);
    const std::string& body = reply_.shared_body ? *reply_.shared_body : reply_.body;
    head_ = FormatHead(reply_, body.size(), keep_alive_, http10_);
    const std::string& sent = reply_.shared_body ? *reply_.shared_body : reply_.body;
    const bool no_body = head || reply_.status == 204 || reply_.status == 304;
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                              no_body ? asio::const_buffer() : asio::buffer(sent)};
    Lowest().expires_after(server_.options.write_timeout);
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        self->reply_ = ServerReply{};
                        if (!self->keep_alive_) return self->Finish();
                        self->WaitForNext();
                      });
  }

  // Ends the connection after a reply: TLS sends close_notify; plain TCP half-closes and drains
  // what the client still sends, so a reset does not destroy the reply in flight.
  void Finish() {
    Lowest().expires_after(std::chrono::seconds(1));
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Drain();
    }
  }

  void Drain() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  Server::Impl& server_;
  std::shared_ptr<const Security> security_;  // keeps the TLS context alive; before stream_
  Stream stream_;
  std::string key_;
  std::string remote_;
  SteadyClock::time_point start_;
  SteadyClock::time_point request_start_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  bool http10_ = false;
  ServerReply reply_;
  std::string head_;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

bool TransientAcceptError(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

void Server::Impl::Accept(std::size_t i) {
  acceptors[i]->async_accept([this, i](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping.load()) return;
    if (ec) {
      if (TransientAcceptError(ec)) {
        // Out of descriptors: pause this listener briefly instead of spinning.
        core::LogWarn("accept failed; retrying", {{"err", ec.message()}});
        auto timer = std::make_shared<asio::steady_timer>(*ioc, std::chrono::milliseconds(100));
        timer->async_wait([this, i, timer](boost::system::error_code) {
          if (!stopping.load()) Accept(i);
        });
        return;
      }
      return Accept(i);
    }
    OnAccept(std::move(socket));
    Accept(i);
  });
}

void Server::Impl::OnAccept(tcp::socket socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;
  const auto address = Normal(peer.address());
  std::string key = CapKey(address);
  if (!Admit(key)) {
    socket.close(ec);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  MaybeRefresh();
  auto sec = CurrentSecurity();
  if (sec && sec->tls) {
    auto s = std::make_shared<TlsSession>(*this, std::move(socket), std::move(key),
                                          address.to_string(), sec);
    Register(s.get(), s);
    s->Begin();
  } else {
    auto s = std::make_shared<PlainSession>(*this, std::move(socket), std::move(key),
                                            address.to_string(), sec);
    Register(s.get(), s);
    s->Begin();
  }
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { Stop(); }

void Server::Handle(std::string path, std::vector<std::string> methods, Handler handler) {
  std::lock_guard lock(impl_->mu);
  if (impl_->running) throw std::logic_error("Server::Handle called after Start");
  impl_->routes[std::move(path)] = Route{std::move(methods), std::move(handler)};
}

void Server::Start() {
  std::lock_guard lock(impl_->mu);
  auto& d = *impl_;
  if (d.running) throw std::logic_error("Server::Start called twice");
  const auto& o = d.options;
  if (o.listen_fds.empty() && o.listen_addresses.empty()) {
    throw std::runtime_error("no listen address given");
  }
  {
    std::lock_guard sec_lock(d.security_mu);
    d.security.reset();
    d.last_bad.clear();
  }
  if (!o.web_config_file.empty()) {
    try {
      auto sec = LoadSecurity(o.web_config_file);
      std::lock_guard sec_lock(d.security_mu);
      d.security = std::move(sec);
    } catch (const std::exception& e) {
      throw std::runtime_error(e.what());
    }
  }
  RaiseFileLimit(o.max_connections + 256);
  d.max_total = std::max(1, std::min(o.max_connections, FileLimit() - 64));

  auto ioc = std::make_unique<asio::io_context>(1);
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<int> ports;
  if (!o.listen_fds.empty()) {
    for (int fd : o.listen_fds) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        throw std::runtime_error("inherited listener fd " + std::to_string(fd) + ": " +
                                 std::strerror(errno));
      }
      auto acc = std::make_unique<tcp::acceptor>(*ioc);
      boost::system::error_code ec;
      acc->assign(ss.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
      if (ec) {
        throw std::runtime_error("inherited listener fd " + std::to_string(fd) + ": " +
                                 ec.message());
      }
      ports.push_back(acc->local_endpoint(ec).port());
      acceptors.push_back(std::move(acc));
    }
  } else {
    for (const auto& address : o.listen_addresses) {
      bool dual = false;
      const auto ep = ParseListenAddress(address, &dual);
      auto acc = std::make_unique<tcp::acceptor>(*ioc);
      boost::system::error_code ec;
      const auto fail = [&](const char* what) {
        return std::runtime_error("cannot listen on " + address + ": " + what + ": " +
                                  ec.message());
      };
      acc->open(ep.protocol(), ec);
      if (ec) throw fail("socket");
      if (dual) acc->set_option(asio::ip::v6_only(false), ec);
      acc->set_option(asio::socket_base::reuse_address(true), ec);
      acc->bind(ep, ec);
      if (ec) throw fail("bind");
      acc->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) throw fail("listen");
      ports.push_back(acc->local_endpoint(ec).port());
      acceptors.push_back(std::move(acc));
    }
  }
  d.stopping.store(false);
  d.ioc = std::move(ioc);
  d.acceptors = std::move(acceptors);
  d.ports = std::move(ports);
  d.pool = std::make_unique<asio::thread_pool>(std::max(1, o.worker_threads));
  d.last_check = SteadyClock::now();
  for (std::size_t i = 0; i < d.acceptors.size(); ++i) d.Accept(i);
  d.io_thread = std::thread([ioc = d.ioc.get()] { ioc->run(); });
  d.running = true;
}

void Server::Stop() {
  std::lock_guard lock(impl_->mu);
  auto& d = *impl_;
  if (!d.running) return;
  d.stopping.store(true);
  // Listeners and connections are closed on the I/O thread, which owns them.
  std::promise<void> closed;
  asio::post(*d.ioc, [&d, &closed] {
    boost::system::error_code ec;
    for (auto& a : d.acceptors) a->close(ec);
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard conn_lock(d.conn_mu);
      for (auto& [ptr, weak] : d.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->Close();
    closed.set_value();
  });
  closed.get_future().wait();
  d.pool->join();  // running handlers finish; their replies meet closed sockets
  d.ioc->stop();
  d.io_thread.join();
  d.acceptors.clear();
  d.pool.reset();
  d.ioc.reset();  // destroys the sessions still referenced by pending handlers
  d.ports.clear();
  d.running = false;
}

std::vector<int> Server::BoundPorts() const {
  std::lock_guard lock(impl_->mu);
  return impl_->ports;
}

core::Result<core::Ok> Server::ReloadWebConfig() { return impl_->Reload(false); }

int Server::OpenConnections() const {
  std::lock_guard lock(impl_->conn_mu);
  return impl_->total;
}

std::string CheckWebConfig(const std::string& file) {
  const auto security = LoadSecurity(file);
  const WebConfig& config = security->config;
  std::string out = "web config " + file + ": ";
  out += config.tls ? "TLS (certificate " + config.tls->cert_file + ")" : "plain HTTP";
  if (config.tls && config.tls->client_auth != ClientAuth::kNoClientCert) {
    out += ", client certificates checked";
  }
  out += config.basic_auth.empty()
             ? ", no basic auth"
             : ", basic auth for " + std::to_string(config.basic_auth.size()) + " user(s)";
  return out;
}

std::vector<int> SystemdListenFds() {
  constexpr int kFirstFd = 3;  // SD_LISTEN_FDS_START
  const char* pid_text = std::getenv("LISTEN_PID");
  const char* fds_text = std::getenv("LISTEN_FDS");
  if (pid_text == nullptr || fds_text == nullptr) {
    throw std::runtime_error(
        "--web.systemd-socket: LISTEN_PID/LISTEN_FDS are not set (not started by a systemd "
        "socket unit)");
  }
  char* end = nullptr;
  const long pid = std::strtol(pid_text, &end, 10);
  if (end == pid_text || *end != '\0' || pid != static_cast<long>(::getpid())) {
    throw std::runtime_error("--web.systemd-socket: LISTEN_PID does not name this process");
  }
  const long n = std::strtol(fds_text, &end, 10);
  if (end == fds_text || *end != '\0' || n <= 0 || n > 64) {
    throw std::runtime_error("--web.systemd-socket: LISTEN_FDS is not a positive count");
  }
  std::vector<int> fds;
  for (int fd = kFirstFd; fd < kFirstFd + n; ++fd) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) {
      throw std::runtime_error("--web.systemd-socket: fd " + std::to_string(fd) +
                               " is not a stream socket");
    }
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    fds.push_back(fd);
  }
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  return fds;
}

}  // namespace akash::http
