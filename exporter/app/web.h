#pragma once
// The HTTP endpoints of the daemon, as plain functions of the store and exposition so they are
// tested without a socket. metrics.md "HTTP endpoints".
// Thread-safety: every handler is safe to call concurrently.

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/result.h"
#include "exporter/http/server.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/store.h"

namespace akash::app {

struct WebContext {
  metrics::Store* store = nullptr;
  metrics::Exposition* exposition = nullptr;
  std::string telemetry_path = "/metrics";
  int max_requests = 128;  // 0: unlimited
  std::function<core::Result<core::Ok>()> reload;
  bool enable_lifecycle = false;  // without it POST /-/reload is 403, as in Prometheus
  // Seconds until the next reload may run; 0 when one may run now (claims the slot).
  std::function<int()> reload_wait;
  std::atomic<int> in_flight{0};
};

http::ServerReply HandleMetrics(WebContext& ctx, const http::ServerRequest& req);
http::ServerReply HandleLanding(WebContext& ctx, const http::ServerRequest& req);
http::ServerReply HandleHealthy(WebContext& ctx, const http::ServerRequest& req);
http::ServerReply HandleReady(WebContext& ctx, const http::ServerRequest& req);
http::ServerReply HandleReload(WebContext& ctx, const http::ServerRequest& req);

// Registers every route on the server.
void RegisterRoutes(http::Server& server, WebContext& ctx);

std::string HtmlEscape(std::string_view s);

// The addresses the server really listens on, comma-separated: each configured address with its
// port replaced by the bound one (`127.0.0.1:0` becomes `127.0.0.1:40123`, `:9733` stays
// `:9733`, meaning every IPv4 interface). `bound` is in the order of `configured`.
std::string DescribeListenAddresses(const std::vector<std::string>& configured,
                                    const std::vector<int>& bound);

}  // namespace akash::app
