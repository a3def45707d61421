#include "exporter/http/client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "exporter/core/log.h"
#include "tests/unit/http/test_util.h"

namespace akash::http {
namespace {

using core::ErrorReason;
using namespace std::chrono_literals;
using testing::Reply;
using testing::TestUpstream;

ClientOptions FastOptions() {
  ClientOptions o;
  o.connect_timeout = 1000ms;
  o.total_timeout = 2000ms;
  o.max_body_bytes = 1 << 20;
  return o;
}

core::Request Get(const std::string& url) {
  core::Request r;
  r.url = url;
  return r;
}

std::string Header(const mg_connection* c, const char* name) {
  const char* v = mg_get_header(c, name);
  return v ? v : "";
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string ImfDate(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

TEST(CurlFetcher, ReturnsBodyStatusAndContentType) {
  TestUpstream up([](mg_connection* c, const mg_request_info* ri) {
    EXPECT_STREQ(ri->request_method, "GET");
    return Reply(c, 200, "{\"ok\":true}", {}, "application/json");
  });
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get(up.Url("/v1/x")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"ok\":true}");
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_FALSE(r->retry_after.has_value());
}

TEST(CurlFetcher, HttpErrorsAreResponses) {
  TestUpstream up([](mg_connection* c, const mg_request_info* ri) {
    const std::string uri = ri->local_uri;
    const int status = std::stoi(uri.substr(1));
    return Reply(c, status, "status " + uri.substr(1));
  });
  CurlFetcher f(FastOptions());
  for (int status : {404, 429, 500, 503}) {
    auto r = f.Get(Get(up.Url("/" + std::to_string(status))));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->body, "status " + std::to_string(status));
  }
}

TEST(CurlFetcher, RetryAfterSecondsAndDate) {
  const std::string date = ImfDate(std::chrono::system_clock::now() + 1h);
  TestUpstream up([&](mg_connection* c, const mg_request_info* ri) {
    if (std::string(ri->local_uri) == "/seconds") {
      return Reply(c, 429, "slow down", {{"Retry-After", "120"}});
    }
    return Reply(c, 503, "later", {{"retry-after", date}});
  });
  CurlFetcher f(FastOptions());
  auto a = f.Get(Get(up.Url("/seconds")));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, 429);
  EXPECT_EQ(a->retry_after, std::chrono::seconds(120));
  auto b = f.Get(Get(up.Url("/date")));
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(b->retry_after.has_value());
  EXPECT_GE(b->retry_after->count(), 3590);
  EXPECT_LE(b->retry_after->count(), 3601);
}

TEST(CurlFetcher, TimeoutIsClassifiedWithSafeMessage) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
    self->SleepUnlessStopping(3000ms);
    return Reply(c, 200, "late");
  });
  CurlFetcher f(FastOptions());
  core::Request req = Get(up.Url("/slow?token=query-secret"));
  req.timeout = 300ms;
  req.secret_headers.emplace_back("X-API-Key", core::Secret("header-secret"));
  const auto start = std::chrono::steady_clock::now();
  auto r = f.Get(req);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTimeout);
  EXPECT_EQ(r.error().message, "GET " + up.Url("/slow") + ": timeout after 300 ms");
  EXPECT_EQ(r.error().message.find("secret"), std::string::npos);
  EXPECT_LT(took, 1500ms);
}

TEST(CurlFetcher, TimeoutOnReusedConnectionIsTimeout) {
  TestUpstream up([](mg_connection* c, const mg_request_info* ri) {
    if (std::string(ri->local_uri) == "/slow") {
      auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
      self->SleepUnlessStopping(3000ms);
    }
    return Reply(c, 200, "ok");
  });
  CurlFetcher f(FastOptions());
  ASSERT_TRUE(f.Get(Get(up.Url("/fast"))).ok());
  core::Request req = Get(up.Url("/slow"));
  req.timeout = 200ms;
  auto r = f.Get(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTimeout) << r.error().message;
  EXPECT_EQ(up.connections(), 1);
}

TEST(CurlFetcher, UndecodableBodyIsParse) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    return Reply(c, 200, "this is not gzip at all", {{"Content-Encoding", "gzip"}});
  });
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get(up.Url("/bad-gzip")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kParse) << r.error().message;
}

TEST(CurlFetcher, DefaultTimeoutFromOptions) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
    self->SleepUnlessStopping(3000ms);
    return Reply(c, 200, "late");
  });
  ClientOptions o = FastOptions();
  o.total_timeout = 200ms;
  CurlFetcher f(o);
  auto r = f.Get(Get(up.Url("/slow")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTimeout);
  EXPECT_NE(r.error().message.find("timeout after 200 ms"), std::string::npos);
}

TEST(CurlFetcher, ConnectionRefusedIsConnect) {
  const int port = testing::ClosedPort();
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get("http://127.0.0.1:" + std::to_string(port) + "/x?k=v"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kConnect);
  EXPECT_EQ(r.error().message.rfind("GET http://127.0.0.1:" + std::to_string(port) + "/x: ", 0), 0u)
      << r.error().message;
  EXPECT_EQ(r.error().message.find("k=v"), std::string::npos);
}

TEST(CurlFetcher, UnresolvableHostIsConnect) {
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get("http://does-not-exist.invalid/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kConnect);
}

TEST(CurlFetcher, ConnectionCutMidBodyIsConnect) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
    mg_disable_connection_keep_alive(c);  // civetweb closes after we return
    return 200;
  });
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get(up.Url("/cut")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kConnect) << r.error().message;
}

TEST(CurlFetcher, BodyOverCapWithContentLength) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    return Reply(c, 200, std::string(5000, 'x'));
  });
  ClientOptions o = FastOptions();
  o.max_body_bytes = 1000;
  CurlFetcher f(o);
  auto r = f.Get(Get(up.Url("/big")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTooLarge);
  EXPECT_NE(r.error().message.find("1000"), std::string::npos);
}

TEST(CurlFetcher, BodyOverCapChunked) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    mg_printf(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk(400, 'y');
    for (int i = 0; i < 10; ++i) {
      if (mg_send_chunk(c, chunk.data(), static_cast<unsigned>(chunk.size())) < 0) break;
    }
    mg_send_chunk(c, "", 0);
    return 200;
  });
  ClientOptions o = FastOptions();
  o.max_body_bytes = 1000;
  CurlFetcher f(o);
  auto r = f.Get(Get(up.Url("/chunked")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTooLarge);

  // Exactly at the cap is fine.
  o.max_body_bytes = 4000;
  CurlFetcher g(o);
  auto ok = g.Get(Get(up.Url("/chunked")));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->body.size(), 4000u);
}

TEST(CurlFetcher, GzipBodyIsDecoded) {
  const std::string plain = std::string(10000, 'a') + "end";
  const std::string gz = Gzip(plain);
  std::string accept_encoding;
  std::mutex mu;
  TestUpstream up([&](mg_connection* c, const mg_request_info*) {
    {
      std::lock_guard lock(mu);
      accept_encoding = Header(c, "Accept-Encoding");
    }
    return Reply(c, 200, gz, {{"Content-Encoding", "gzip"}});
  });
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get(up.Url("/gz")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body, plain);
  std::lock_guard lock(mu);
  EXPECT_NE(accept_encoding.find("gzip"), std::string::npos);
}

TEST(CurlFetcher, GzipBombCountsDecodedBytes) {
  const std::string gz = Gzip(std::string(100000, 'a'));
  ASSERT_LT(gz.size(), 1000u);
  TestUpstream up([&](mg_connection* c, const mg_request_info*) {
    return Reply(c, 200, gz, {{"Content-Encoding", "gzip"}});
  });
  ClientOptions o = FastOptions();
  o.max_body_bytes = 10000;
  CurlFetcher f(o);
  auto r = f.Get(Get(up.Url("/bomb")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTooLarge);
}

TEST(CurlFetcher, HeadersAndSecretHeadersAreSent) {
  std::mutex mu;
  std::string key, plain, agent;
  TestUpstream up([&](mg_connection* c, const mg_request_info*) {
    std::lock_guard lock(mu);
    key = Header(c, "X-API-Key");
    plain = Header(c, "Accept");
    agent = Header(c, "User-Agent");
    return Reply(c, 401, "no");
  });
  CurlFetcher f(FastOptions());
  core::Request req = Get(up.Url("/me"));
  req.headers.emplace_back("Accept", "application/json");
  req.secret_headers.emplace_back("X-API-Key", core::Secret("s3cr3t-key"));
  auto r = f.Get(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  std::lock_guard lock(mu);
  EXPECT_EQ(key, "s3cr3t-key");
  EXPECT_EQ(plain, "application/json");
  EXPECT_EQ(agent, "akash_exporter");
}

TEST(CurlFetcher, DebugLogNamesRequestButNoSecrets) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) { return Reply(c, 200, "abc"); });
  std::ostringstream log;
  core::Logger::Get().SetSink(&log);
  core::Logger::Get().Configure(core::LogLevel::kDebug, core::LogFormat::kLogfmt);
  {
    CurlFetcher f(FastOptions());
    core::Request req = Get(up.Url("/v1/data?api_key=query-secret"));
    req.secret_headers.emplace_back("X-API-Key", core::Secret("header-secret"));
    ASSERT_TRUE(f.Get(req).ok());
  }
  core::Logger::Get().Configure(core::LogLevel::kInfo, core::LogFormat::kLogfmt);
  core::Logger::Get().SetSink(nullptr);
  const std::string text = log.str();
  EXPECT_NE(text.find(up.Url("/v1/data")), std::string::npos) << text;
  EXPECT_NE(text.find("200"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
}

TEST(CurlFetcher, HeadersDoNotLeakIntoLaterRequests) {
  std::mutex mu;
  std::vector<std::string> keys;
  TestUpstream up([&](mg_connection* c, const mg_request_info*) {
    std::lock_guard lock(mu);
    keys.push_back(Header(c, "X-API-Key"));
    return Reply(c, 200, "ok");
  });
  CurlFetcher f(FastOptions());
  core::Request with = Get(up.Url("/a"));
  with.secret_headers.emplace_back("X-API-Key", core::Secret("k1"));
  ASSERT_TRUE(f.Get(with).ok());
  ASSERT_TRUE(f.Get(Get(up.Url("/b"))).ok());
  std::lock_guard lock(mu);
  EXPECT_EQ(keys, (std::vector<std::string>{"k1", ""}));
}

TEST(CurlFetcher, InvalidHeaderIsRejectedWithoutItsValue) {
  CurlFetcher f(FastOptions());
  core::Request req = Get("http://127.0.0.1:1/x");
  req.secret_headers.emplace_back("X-API-Key", core::Secret("bad\r\nInjected: yes"));
  auto r = f.Get(req);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("X-API-Key"), std::string::npos);
  EXPECT_EQ(r.error().message.find("Injected"), std::string::npos);
}

TEST(CurlFetcher, ReusesOneConnection) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) { return Reply(c, 200, "ok"); });
  CurlFetcher f(FastOptions());
  for (int i = 0; i < 5; ++i) {
    auto r = f.Get(Get(up.Url("/r" + std::to_string(i))));
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  // 404s and 429s keep the connection too.
  TestUpstream up2([](mg_connection* c, const mg_request_info*) { return Reply(c, 429, "x"); });
  CurlFetcher g(FastOptions());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(g.Get(Get(up2.Url("/"))).ok());
  EXPECT_EQ(up.connections(), 1);
  EXPECT_EQ(up2.connections(), 1);
}

TEST(CurlFetcher, ReleaseConnectionsClosesTheIdleConnection) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) { return Reply(c, 200, "ok"); });
  CurlFetcher f(FastOptions());
  ASSERT_TRUE(f.Get(Get(up.Url("/a"))).ok());
  ASSERT_TRUE(f.Get(Get(up.Url("/b"))).ok());
  EXPECT_EQ(up.connections(), 1);
  f.ReleaseConnections();  // between two polls far apart
  ASSERT_TRUE(f.Get(Get(up.Url("/c"))).ok());
  EXPECT_EQ(up.connections(), 2) << "the next poll opens a new connection";
  f.Abort();  // still wakes the current multi handle after the swap
  EXPECT_FALSE(f.Get(Get(up.Url("/d"))).ok());
}

TEST(CurlFetcher, FollowsSameOriginRedirectsOnly) {
  std::mutex mu;
  std::string other_key = "unset";
  TestUpstream other([&](mg_connection* c, const mg_request_info*) {
    std::lock_guard lock(mu);
    other_key = Header(c, "X-API-Key");
    return Reply(c, 200, "other");
  });
  const std::string other_url = other.Url("/landing");
  TestUpstream up([&](mg_connection* c, const mg_request_info* ri) {
    const std::string uri = ri->local_uri;
    if (uri == "/old") return Reply(c, 301, "", {{"Location", "/new"}});
    if (uri == "/new") return Reply(c, 200, "new:" + Header(c, "X-API-Key"));
    if (uri == "/away") return Reply(c, 302, "", {{"Location", other_url}});
    // /loop redirects to itself forever.
    return Reply(c, 302, "", {{"Location", "/loop"}});
  });
  CurlFetcher f(FastOptions());
  core::Request req = Get(up.Url("/old"));
  req.secret_headers.emplace_back("X-API-Key", core::Secret("k"));
  auto same = f.Get(req);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(same->status, 200);
  EXPECT_EQ(same->body, "new:k");

  req.url = up.Url("/away");
  auto away = f.Get(req);
  ASSERT_TRUE(away.ok());
  EXPECT_EQ(away->status, 302);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(other_key, "unset");  // never contacted
  }

  auto loop = f.Get(Get(up.Url("/loop")));
  ASSERT_TRUE(loop.ok());
  EXPECT_EQ(loop->status, 302);
}

TEST(CurlFetcher, AbortStopsSlowTransferQuickly) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
    // Trickle a byte every 50 ms: never idle long enough for a timeout, never done.
    for (int i = 0; i < 100 && !self->stopping(); ++i) {
      if (mg_write(c, "x", 1) <= 0) break;
      self->SleepUnlessStopping(50ms);
    }
    return 200;
  });
  ClientOptions o = FastOptions();
  o.total_timeout = 10s;
  CurlFetcher f(o);
  auto pending = std::async(std::launch::async, [&] { return f.Get(Get(up.Url("/trickle"))); });
  std::this_thread::sleep_for(300ms);
  const auto aborted_at = std::chrono::steady_clock::now();
  f.Abort();
  ASSERT_EQ(pending.wait_for(1s), std::future_status::ready);
  const auto took = std::chrono::steady_clock::now() - aborted_at;
  auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTimeout);
  EXPECT_NE(r.error().message.find("aborted"), std::string::npos);
  EXPECT_LT(took, 1s);

  // Later calls fail at once.
  const auto start = std::chrono::steady_clock::now();
  auto later = f.Get(Get(up.Url("/trickle")));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().reason, ErrorReason::kTimeout);
  EXPECT_EQ(later.error().message, "GET " + up.Url("/trickle") + ": aborted");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
}

TEST(CurlFetcher, AbortDuringIdleWaitIsPrompt) {
  TestUpstream up([](mg_connection* c, const mg_request_info*) {
    auto* self = static_cast<TestUpstream*>(mg_get_user_data(mg_get_context(c)));
    self->SleepUnlessStopping(5000ms);  // headers never come
    return Reply(c, 200, "late");
  });
  ClientOptions o = FastOptions();
  o.total_timeout = 10s;
  CurlFetcher f(o);
  auto pending = std::async(std::launch::async, [&] { return f.Get(Get(up.Url("/idle"))); });
  std::this_thread::sleep_for(200ms);
  f.Abort();
  ASSERT_EQ(pending.wait_for(500ms), std::future_status::ready);
  auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kTimeout);
}

TEST(CurlFetcher, UserinfoIsStrippedFromMessages) {
  CurlFetcher f(FastOptions());
  const int port = testing::ClosedPort();
  auto r = f.Get(Get("http://user:pw@127.0.0.1:" + std::to_string(port) + "/p#frag"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("pw"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("frag"), std::string::npos) << r.error().message;
}

TEST(CurlFetcher, UnsupportedSchemeFails) {
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get("file:///etc/passwd"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kConnect);
}

// A TLS upstream: `openssl s_server -www` with a throw-away self-signed certificate for
// DNS:localhost only. Skips the test when the openssl tool is not installed.
class TlsUpstream {
 public:
  TlsUpstream() {
    char tmpl[] = "/tmp/akash_http_tls_XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return;
    dir_ = tmpl;
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -keyout " +
        dir_ + "/key.pem -out " + dir_ + "/cert.pem >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return;
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, out[1], 2);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const std::string cert = dir_ + "/cert.pem";
    const std::string key = dir_ + "/key.pem";
    const char* argv[] = {"openssl",    "s_server", "-accept",   "127.0.0.1:0", "-cert",
                          cert.c_str(), "-key",     key.c_str(), "-www",        nullptr};
    const int rc = posix_spawnp(&pid_, "openssl", &fa, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
      pid_ = -1;
      ::close(out[0]);
      return;
    }
    // Wait up to 3 s for "ACCEPT 127.0.0.1:PORT".
    std::string text;
    const auto end = std::chrono::steady_clock::now() + 3s;
    while (port_ == 0 && std::chrono::steady_clock::now() < end) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      const auto at = text.find("ACCEPT 127.0.0.1:");
      const auto eol = at == std::string::npos ? at : text.find('\n', at);
      if (eol != std::string::npos) port_ = std::atoi(text.c_str() + at + 17);
    }
    ::close(out[0]);
  }
  ~TlsUpstream() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  int port() const { return port_; }
  std::string ca_file() const { return dir_ + "/cert.pem"; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(CurlFetcher, TlsVerifiesPeerAndHost) {
  TlsUpstream tls;
  if (tls.port() == 0) GTEST_SKIP() << "openssl s_server unavailable";
  const std::string port = std::to_string(tls.port());
  ClientOptions trusted = FastOptions();
  trusted.ca_file = tls.ca_file();

  CurlFetcher ok(trusted);
  auto good = ok.Get(Get("https://localhost:" + port + "/"));
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(good->status, 200);

  // The system CAs do not know the self-signed certificate.
  CurlFetcher untrusted(FastOptions());
  auto unknown = untrusted.Get(Get("https://localhost:" + port + "/"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().reason, ErrorReason::kConnect) << unknown.error().message;

  // Trusted certificate, wrong name: the certificate names localhost, not 127.0.0.1.
  CurlFetcher mismatch(trusted);
  auto wrong_host = mismatch.Get(Get("https://127.0.0.1:" + port + "/"));
  ASSERT_FALSE(wrong_host.ok());
  EXPECT_EQ(wrong_host.error().reason, ErrorReason::kConnect) << wrong_host.error().message;
}

TEST(CurlFetcher, TlsVerificationFailureIsConnect) {
  // A plain-HTTP listener answering a TLS handshake: the handshake fails.
  TestUpstream up([](mg_connection* c, const mg_request_info*) { return Reply(c, 200, "ok"); });
  CurlFetcher f(FastOptions());
  auto r = f.Get(Get("https://127.0.0.1:" + std::to_string(up.port()) + "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, ErrorReason::kConnect) << r.error().message;
}

}  // namespace
}  // namespace akash::http
