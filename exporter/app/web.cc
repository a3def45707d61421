#include "exporter/app/web.h"

#include <ctime>

#include "exporter/core/log.h"
#include "exporter/metrics/text_format.h"

namespace akash::app {
namespace {

http::ServerReply Text(int status, std::string body) {
  http::ServerReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string FormatTime(const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return "never";
  const std::time_t secs = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string DescribeListenAddresses(const std::vector<std::string>& configured,
                                    const std::vector<int>& bound) {
  std::string out;
  for (std::size_t i = 0; i < bound.size(); ++i) {
    if (!out.empty()) out.push_back(',');
    // HOST:PORT, [V6]:PORT or :PORT; the port is what follows the last colon.
    const std::string_view addr = i < configured.size() ? std::string_view(configured[i]) : "";
    const auto colon = addr.rfind(':');
    out.append(colon == std::string_view::npos ? std::string_view() : addr.substr(0, colon));
    out.push_back(':');
    out.append(std::to_string(bound[i]));
  }
  return out;
}

http::ServerReply HandleMetrics(WebContext& ctx, const http::ServerRequest& req) {
  // Bounded concurrency as in exporter-toolkit's --web.max-requests.
  struct InFlight {
    std::atomic<int>& n;
    explicit InFlight(std::atomic<int>& c) : n(c) { ++n; }
    ~InFlight() { --n; }
  } guard(ctx.in_flight);
  if (ctx.max_requests > 0 && ctx.in_flight.load() > ctx.max_requests) {
    return Text(503, "Too many concurrent scrape requests; limit is --web.max-requests.\n");
  }
  const auto accept = req.header ? req.header("Accept-Encoding") : std::nullopt;
  const bool gzip = accept && metrics::AcceptsGzip(*accept);
  http::ServerReply r;
  r.content_type = std::string(metrics::kTextContentType);
  r.shared_body = ctx.exposition->Get(gzip);
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  return r;
}

http::ServerReply HandleLanding(WebContext& ctx, const http::ServerRequest&) {
  const auto build = metrics::CurrentBuildInfo();
  std::string h;
  h.reserve(4096);
  // Upstream error texts can be long unbroken URLs or JSON; the error cell wraps them anywhere
  // so the table stays within the window instead of running off to the right. The target cell
  // may break too, so that a 44-character address cannot squeeze the error into a narrow column.
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
       "<title>akash_exporter</title>\n<style>body{font-family:sans-serif;margin:2em;"
       "max-width:90em}table{border-collapse:collapse;width:100%}"
       "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
       "td.tgt,td.err{overflow-wrap:anywhere;word-break:break-word}td.err{width:45%}"
       ".up{color:#070}.down{color:#b00}</style></head>\n<body>\n<h1>akash_exporter</h1>\n";
  h += "<p>Prometheus exporter for Akash Network earnings, leases, market data and billing.</p>\n";
  h += "<p>Version " + HtmlEscape(build.version) + " (revision " + HtmlEscape(build.revision) +
       ")</p>\n<ul>\n";
  h += "<li><a href=\"" + HtmlEscape(ctx.telemetry_path) + "\">Metrics</a></li>\n";
  h += "<li><a href=\"/-/healthy\">Health</a></li>\n<li><a href=\"/-/ready\">Readiness</a></li>\n";
  h += "</ul>\n<h2>Sources</h2>\n<table>\n<tr><th>source</th><th>target</th><th>state</th>"
       "<th>last success (UTC)</th><th>last attempt (UTC)</th><th>last error</th><th>note</th></tr>\n";
  for (const auto& s : ctx.store->Statuses()) {
    const bool up = s.up && !s.stale;
    h += "<tr><td>" + HtmlEscape(s.key.source) + "</td><td class=\"tgt\">" +
         HtmlEscape(s.key.target) +
         "</td><td class=\"" + (up ? "up\">up" : "down\">down") + "</td><td>" +
         FormatTime(s.last_success) + "</td><td>" + FormatTime(s.last_attempt) +
         "</td><td class=\"err\">";
    if (s.last_error_reason) {
      h += HtmlEscape(std::string(core::ToString(*s.last_error_reason)) + ": " + s.last_error);
    }
    h += "</td><td>" + HtmlEscape(s.note) + "</td></tr>\n";
  }
  h += "</table>\n</body>\n</html>\n";
  http::ServerReply r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(h);
  return r;
}

http::ServerReply HandleHealthy(WebContext&, const http::ServerRequest&) {
  return Text(200, "Healthy\n");
}

http::ServerReply HandleReady(WebContext& ctx, const http::ServerRequest&) {
  if (ctx.store->AllSucceededOnce()) return Text(200, "Ready\n");
  std::string waiting;
  for (const auto& s : ctx.store->Statuses()) {
    if (!s.last_success) {
      waiting += "  " + s.key.source + (s.key.target.empty() ? "" : " " + s.key.target) + "\n";
    }
  }
  return Text(503, "Not ready: waiting for the first successful poll of:\n" + waiting);
}

http::ServerReply HandleReload(WebContext& ctx, const http::ServerRequest&) {
  if (!ctx.enable_lifecycle) return Text(403, "Lifecycle API is not enabled.\n");
  if (ctx.reload_wait) {
    if (const int wait = ctx.reload_wait(); wait > 0) {
      http::ServerReply r = Text(429, "Reloads are rate-limited; retry later.\n");
      r.headers.emplace_back("Retry-After", std::to_string(wait));
      return r;
    }
  }
  auto result = ctx.reload();
  if (result.ok()) return Text(200, "Reloaded\n");
  return Text(500, "Reload failed, the previous configuration keeps running: " +
                       result.error().message + "\n");
}

void RegisterRoutes(http::Server& server, WebContext& ctx) {
  server.Handle(ctx.telemetry_path, {"GET"},
                [&ctx](const http::ServerRequest& r) { return HandleMetrics(ctx, r); });
  server.Handle("/", {"GET"}, [&ctx](const http::ServerRequest& r) { return HandleLanding(ctx, r); });
  server.Handle("/-/healthy", {"GET"},
                [&ctx](const http::ServerRequest& r) { return HandleHealthy(ctx, r); });
  server.Handle("/-/ready", {"GET"},
                [&ctx](const http::ServerRequest& r) { return HandleReady(ctx, r); });
  server.Handle("/-/reload", {"POST"},
                [&ctx](const http::ServerRequest& r) { return HandleReload(ctx, r); });
}

}  // namespace akash::app
