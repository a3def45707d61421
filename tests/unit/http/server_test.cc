#include "exporter/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "exporter/http/client.h"
#include "tests/unit/http/test_util.h"

namespace akash::http {
namespace {

using namespace std::chrono_literals;
using testing::RawRequest;

ServerOptions Loopback(int threads = 4) {
  ServerOptions o;
  o.listen_addresses = {"127.0.0.1:0"};
  o.worker_threads = threads;
  o.request_timeout = 2000ms;
  return o;
}

ServerReply Text(std::string body) {
  ServerReply r;
  r.body = std::move(body);
  return r;
}

std::string Req(const std::string& method, const std::string& target) {
  return method + " " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
}

TEST(Server, BindsPortZeroAndServes) {
  Server s(Loopback());
  s.Handle("/metrics", {"GET"}, [](const ServerRequest&) {
    ServerReply r = Text("up 1\n");
    r.content_type = "text/plain; version=0.0.4";
    r.headers.emplace_back("X-Extra", "yes");
    return r;
  });
  s.Start();
  const auto ports = s.BoundPorts();
  ASSERT_EQ(ports.size(), 1u);
  ASSERT_GT(ports[0], 0);
  const auto r = RawRequest(ports[0], Req("GET", "/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "up 1\n");
  EXPECT_EQ(r.headers.at("content-type"), "text/plain; version=0.0.4");
  EXPECT_EQ(r.headers.at("content-length"), "5");
  EXPECT_EQ(r.headers.at("x-extra"), "yes");
}

TEST(Server, TwoListenAddresses) {
  ServerOptions o = Loopback();
  o.listen_addresses = {"127.0.0.1:0", ":0"};
  Server s(o);
  s.Handle("/", {"GET"}, [](const ServerRequest&) { return Text("home"); });
  s.Start();
  const auto ports = s.BoundPorts();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], ports[1]);
  for (int p : ports) {
    const auto r = RawRequest(p, Req("GET", "/"));
    EXPECT_EQ(r.status, 200) << p;
    EXPECT_EQ(r.body, "home");
  }
}

TEST(Server, HostnameAddressIsResolved) {
  ServerOptions o = Loopback();
  o.listen_addresses = {"localhost:0"};
  Server s(o);
  s.Handle("/", {"GET"}, [](const ServerRequest&) { return Text("home"); });
  s.Start();
  const auto ports = s.BoundPorts();
  ASSERT_EQ(ports.size(), 1u);
  EXPECT_EQ(RawRequest(ports[0], Req("GET", "/")).status, 200);
}

TEST(Server, Ipv6LiteralAndAllInterfacesServeIpv6) {
  ServerOptions o = Loopback();
  o.listen_addresses = {"[::1]:0", ":0"};
  Server s(o);
  s.Handle("/", {"GET"}, [](const ServerRequest& r) { return Text(r.remote_addr); });
  try {
    s.Start();
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "no IPv6 on this host: " << e.what();
  }
  const auto ports = s.BoundPorts();
  ASSERT_EQ(ports.size(), 2u);
  for (int p : ports) {
    const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    a.sin6_port = htons(static_cast<uint16_t>(p));
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << p;
    const std::string req = Req("GET", "/");
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string raw;
    char buf[1024];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, n);
    ::close(fd);
    EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
    EXPECT_NE(raw.find("\r\n\r\n::1"), std::string::npos) << raw;
  }
  // ":PORT" is dual-stack: IPv4 clients reach it too and are reported as IPv4.
  EXPECT_EQ(RawRequest(ports[1], Req("GET", "/")).body, "127.0.0.1");
}

TEST(Server, MalformedAddressesAreRejected) {
  for (const char* a : {"9110", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:80s", "[::1:80",
                        "::1:80", "[nonsense]:80", "no-such-host.invalid:80"}) {
    ServerOptions o = Loopback();
    o.listen_addresses = {a};
    Server s(o);
    try {
      s.Start();
      ADD_FAILURE() << a << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(a), std::string::npos) << e.what();
    }
  }
}

TEST(Server, BindConflictThrowsNamingTheAddress) {
  Server first(Loopback());
  first.Start();
  const int port = first.BoundPorts().at(0);
  ServerOptions o = Loopback();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  o.listen_addresses = {address};
  Server second(o);
  try {
    second.Start();
    FAIL() << "expected a bind error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(address), std::string::npos) << e.what();
  }
  EXPECT_TRUE(second.BoundPorts().empty());
}

TEST(Server, UnknownPathIs404) {
  Server s(Loopback());
  s.Handle("/metrics", {"GET"}, [](const ServerRequest&) { return Text("x"); });
  s.Start();
  const int port = s.BoundPorts().at(0);
  EXPECT_EQ(RawRequest(port, Req("GET", "/nope")).status, 404);
  EXPECT_EQ(RawRequest(port, Req("GET", "/metrics/")).status, 404);  // exact match only
  EXPECT_EQ(RawRequest(port, Req("GET", "/metric")).status, 404);
  // Nothing from the file system is served.
  EXPECT_EQ(RawRequest(port, Req("GET", "/etc/passwd")).status, 404);
  EXPECT_EQ(RawRequest(port, Req("GET", "/../../etc/passwd")).status, 404);
}

TEST(Server, WrongMethodIs405WithAllow) {
  Server s(Loopback());
  s.Handle("/metrics", {"GET"}, [](const ServerRequest&) { return Text("x"); });
  s.Handle("/-/reload", {"POST"}, [](const ServerRequest&) { return Text("reloaded"); });
  s.Start();
  const int port = s.BoundPorts().at(0);
  auto r = RawRequest(port, Req("POST", "/metrics"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET, HEAD");
  r = RawRequest(port, Req("GET", "/-/reload"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "POST");
  r = RawRequest(port, Req("HEAD", "/-/reload"));
  EXPECT_EQ(r.status, 405);
  r = RawRequest(port,
                 "POST /-/reload HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                 "Content-Length: 4\r\n\r\nbody");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "reloaded");
}

TEST(Server, HeadSendsLengthButNoBody) {
  Server s(Loopback());
  std::atomic<int> calls{0};
  s.Handle("/metrics", {"GET"}, [&](const ServerRequest& req) {
    ++calls;
    EXPECT_EQ(req.method, "HEAD");
    return Text("0123456789");
  });
  s.Start();
  const auto r = RawRequest(s.BoundPorts().at(0), Req("HEAD", "/metrics"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-length"), "10");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(calls.load(), 1);
}

TEST(Server, HandlerExceptionIs500AndServerSurvives) {
  Server s(Loopback());
  s.Handle("/boom", {"GET"}, [](const ServerRequest&) -> ServerReply {
    throw std::runtime_error("secret internal detail");
  });
  s.Handle("/int", {"GET"}, [](const ServerRequest&) -> ServerReply { throw 42; });
  s.Handle("/ok", {"GET"}, [](const ServerRequest&) { return Text("fine"); });
  s.Start();
  const int port = s.BoundPorts().at(0);
  auto r = RawRequest(port, Req("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(RawRequest(port, Req("GET", "/int")).status, 500);
  EXPECT_EQ(RawRequest(port, Req("GET", "/ok")).body, "fine");
}

TEST(Server, RequestFieldsQueryAndHeaders) {
  Server s(Loopback());
  s.Handle("/q", {"GET"}, [](const ServerRequest& req) {
    std::string out = req.method + "|" + req.path + "|" + req.query + "|" + req.remote_addr + "|";
    out += req.header("x-custom").value_or("none") + "|";
    out += req.header("X-CUSTOM").value_or("none") + "|";
    out += req.header("X-Missing").value_or("none");
    return Text(out);
  });
  s.Start();
  const auto r = RawRequest(s.BoundPorts().at(0),
                            "GET /q?a=1&b=%20x HTTP/1.1\r\nHost: t\r\nX-Custom: v1\r\n"
                            "Connection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET|/q|a=1&b=%20x|127.0.0.1|v1|v1|none");
}

TEST(Server, SharedBodyAndStatusAndBadHeaders) {
  auto shared = std::make_shared<const std::string>("cached bytes");
  Server s(Loopback());
  s.Handle("/shared", {"GET"}, [&](const ServerRequest&) {
    ServerReply r;
    r.status = 503;
    r.body = "ignored";
    r.shared_body = shared;
    r.headers.emplace_back("X-Bad", "a\r\nInjected: 1");
    r.headers.emplace_back("X-Good", "g");
    return r;
  });
  s.Start();
  const auto r = RawRequest(s.BoundPorts().at(0), Req("GET", "/shared"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "cached bytes");
  EXPECT_EQ(r.headers.count("injected"), 0u);
  EXPECT_EQ(r.headers.count("x-bad"), 0u);
  EXPECT_EQ(r.headers.at("x-good"), "g");
}

TEST(Server, InvalidRepliesBecome500) {
  Server s(Loopback());
  s.Handle("/status", {"GET"}, [](const ServerRequest&) {
    ServerReply r;
    r.status = 42;
    return r;
  });
  s.Handle("/ctype", {"GET"}, [](const ServerRequest&) {
    ServerReply r;
    r.content_type = "text/plain\r\nSet-Cookie: x=1";
    return r;
  });
  s.Handle("/empty", {"GET"}, [](const ServerRequest&) {
    ServerReply r;
    r.status = 204;
    return r;
  });
  s.Start();
  const int port = s.BoundPorts().at(0);
  EXPECT_EQ(RawRequest(port, Req("GET", "/status")).status, 500);
  const auto c = RawRequest(port, Req("GET", "/ctype"));
  EXPECT_EQ(c.status, 500);
  EXPECT_EQ(c.headers.count("set-cookie"), 0u);
  const auto e = RawRequest(port, Req("GET", "/empty"));
  EXPECT_EQ(e.status, 204);
  EXPECT_EQ(e.headers.count("content-length"), 0u);
}

TEST(Server, ConcurrentRequestsRunInParallel) {
  Server s(Loopback(8));
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  s.Handle("/slow", {"GET"}, [&](const ServerRequest& req) {
    const int now = ++in_flight;
    int prev = max_in_flight.load();
    while (prev < now && !max_in_flight.compare_exchange_weak(prev, now)) {
    }
    std::this_thread::sleep_for(200ms);
    --in_flight;
    return Text("q=" + req.query);
  });
  s.Start();
  const int port = s.BoundPorts().at(0);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      CurlFetcher f(ClientOptions{});
      for (int i = 0; i < 2; ++i) {
        core::Request req;
        req.url = "http://127.0.0.1:" + std::to_string(port) + "/slow?" + std::to_string(t);
        auto r = f.Get(req);
        if (r.ok() && r->status == 200 && r->body == "q=" + std::to_string(t)) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(good.load(), 12);
  EXPECT_GE(max_in_flight.load(), 2);
  EXPECT_LT(took, 1500ms);  // 12 × 200 ms sequentially would be 2.4 s
}

TEST(Server, KeepAliveServesSeveralRequestsOnOneConnection) {
  Server s(Loopback());
  s.Handle("/", {"GET"}, [](const ServerRequest&) { return Text("k"); });
  s.Start();
  const int port = s.BoundPorts().at(0);
  const auto r = RawRequest(port,
                            "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
                            "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  // Two whole responses on one connection.
  std::size_t count = 0;
  for (std::size_t pos = r.raw.find("HTTP/1.1 200"); pos != std::string::npos;
       pos = r.raw.find("HTTP/1.1 200", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << r.raw;
}

// A client that asks "Expect: 100-continue" must get the interim 100 before it sends its body;
// before, the server waited for the body the client was holding back until the request timeout.
TEST(Server, ExpectContinueGetsAnInterim100AndOtherExpectationsA417) {
  Server s(Loopback());
  std::atomic<int> calls{0};
  s.Handle("/-/reload", {"POST"}, [&calls](const ServerRequest&) {
    ++calls;
    return Text("reloaded");
  });
  s.Start();
  const int port = s.BoundPorts().at(0);
  const int fd = testing::ConnectLoopback(port);
  ASSERT_GE(fd, 0);
  const std::string head =
      "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
      "Connection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  std::string got;
  testing::ReceiveUntil(
      fd, got, [](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; });
  EXPECT_EQ(got, "HTTP/1.1 100 Continue\r\n\r\n") << "no interim answer within 2 s";
  EXPECT_EQ(calls.load(), 0) << "the handler ran before the body arrived";
  ASSERT_EQ(::send(fd, "hello", 5, MSG_NOSIGNAL), 5);
  got.clear();
  testing::ReceiveUntil(fd, got, [](const std::string&) { return false; });
  ::close(fd);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("reloaded"), std::string::npos) << got;
  EXPECT_EQ(calls.load(), 1);

  const auto r = RawRequest(port,
                            "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                            "Expect: something-else\r\nConnection: close\r\n\r\nhello");
  EXPECT_EQ(r.status, 417);
  EXPECT_EQ(calls.load(), 1) << "a refused expectation does not reach the handler";
}

TEST(Server, RequestBodiesAreDrainedForKeepAlive) {
  Server s(Loopback());
  s.Handle("/-/reload", {"POST"}, [](const ServerRequest&) { return Text("reloaded"); });
  s.Start();
  const auto r = RawRequest(s.BoundPorts().at(0),
                            "POST /-/reload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                            "\r\n5\r\nhello\r\n0\r\n\r\n"
                            "POST /-/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                            "Connection: close\r\n\r\nabc");
  std::size_t count = 0;
  for (std::size_t pos = r.raw.find("reloaded"); pos != std::string::npos;
       pos = r.raw.find("reloaded", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << r.raw;
}

TEST(Server, StopIsQuick) {
  Server s(Loopback());
  s.Handle("/", {"GET"}, [](const ServerRequest&) { return Text("x"); });
  s.Start();
  EXPECT_EQ(RawRequest(s.BoundPorts().at(0), Req("GET", "/")).status, 200);
  const auto start = std::chrono::steady_clock::now();
  s.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST(Server, StopIsIdempotentAndRestartable) {
  Server s(Loopback());
  s.Handle("/", {"GET"}, [](const ServerRequest&) { return Text("x"); });
  s.Stop();  // before Start: no-op
  s.Start();
  const int port = s.BoundPorts().at(0);
  EXPECT_EQ(RawRequest(port, Req("GET", "/")).status, 200);
  s.Stop();
  s.Stop();
  EXPECT_TRUE(s.BoundPorts().empty());
  EXPECT_EQ(RawRequest(port, Req("GET", "/")).status, 0);  // connection refused
}

TEST(Server, HandleAfterStartIsAProgrammingError) {
  Server s(Loopback());
  s.Start();
  EXPECT_THROW(s.Handle("/", {"GET"}, [](const ServerRequest&) { return Text("x"); }),
               std::logic_error);
  EXPECT_THROW(s.Start(), std::logic_error);
}

}  // namespace
}  // namespace akash::http
