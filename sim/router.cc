#include "sim/router.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>

#include "sim/handlers.h"

namespace akash::sim {
namespace {

constexpr std::string_view kRouteNames[] = {"provider_console_earnings",
                                            "provider_earnings",
                                            "provider_dashboard",
                                            "provider",
                                            "market",
                                            "usage_history",
                                            "usage_stats",
                                            "stripe_transactions",
                                            "stripe_export",
                                            "balances",
                                            "user_me",
                                            "wallets",
                                            "deployments",
                                            "deployment",
                                            "console_blocks",
                                            "leases",
                                            "bids",
                                            "blocks_latest",
                                            "blocks",
                                            "chain_provider",
                                            "take_params",
                                            "discovery",
                                            "unknown"};
static_assert(std::size(kRouteNames) == static_cast<std::size_t>(Route::kCount));

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

enum class Family { kProviderConsole, kConsole, kChain };

Family FamilyOf(Route r) {
  switch (r) {
    case Route::kProviderConsoleEarnings:
      return Family::kProviderConsole;
    case Route::kLeases:
    case Route::kBids:
    case Route::kBlocksLatest:
    case Route::kBlocks:
    case Route::kChainProvider:
    case Route::kTakeParams:
    case Route::kDiscovery:
      return Family::kChain;
    default:
      return Family::kConsole;
  }
}

bool IsConsole(Route r) { return FamilyOf(r) == Family::kConsole && r != Route::kUnknown; }

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::int64_t ArgInt(const std::string& arg, std::int64_t fallback) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), v);
  if (arg.empty() || ec != std::errc() || p != arg.data() + arg.size() || v < 0) return fallback;
  return v;
}

Response ControlJson(int status, std::string body) { return JsonResponse(status, std::move(body)); }

}  // namespace

std::string_view RouteName(Route r) { return kRouteNames[static_cast<std::size_t>(r)]; }

bool IsRouteName(std::string_view name) {
  for (auto n : kRouteNames) {
    if (n == name) return true;
  }
  return false;
}

std::optional<std::string> Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) return v;
  }
  return std::nullopt;
}

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) return v;
  }
  return std::nullopt;
}

int RouterOptions::NodeMajor() const {
  std::string v = NodeVersion();
  std::size_t i = (!v.empty() && v[0] == 'v') ? 1 : 0;
  int major = 0;
  std::from_chars(v.data() + i, v.data() + v.size(), major);
  return major;
}

std::string RouterOptions::NodeVersion() const {
  if (!node_version.empty()) return node_version;
  return legacy_chain ? "v0.38.0" : "v2.1.0";
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Query::Query(std::string_view raw) {
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t amp = raw.find('&', i);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view part = raw.substr(i, amp - i);
    if (!part.empty()) {
      std::size_t eq = part.find('=');
      std::string key = PercentDecode(part.substr(0, eq), true);
      std::string value =
          eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1), true);
      params_.emplace_back(std::move(key), std::move(value));
    }
    i = amp + 1;
  }
}

std::optional<std::string> Query::Get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return v;
  }
  return std::nullopt;
}

// --- response builders ---

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response TextResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=UTF-8";
  r.body = std::move(body);
  return r;
}

Response ConsoleError(int status, std::string_view error, std::string_view message,
                      std::string_view code, std::string_view type) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "error");
  WriteStr(w, error);
  WriteKey(w, "message");
  WriteStr(w, message);
  WriteKey(w, "code");
  WriteStr(w, code);
  WriteKey(w, "type");
  WriteStr(w, type);
  w.EndObject();
  return JsonResponse(status, b.GetString());
}

Response ConsoleNotFound(std::string_view message) {
  return ConsoleError(404, "NotFoundError", message, "not_found", "client_error");
}

Response ConsoleValidation(const std::vector<ZodIssue>& issues) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "error");
  WriteStr(w, "BadRequestError");
  WriteKey(w, "message");
  WriteStr(w, "Validation error");
  WriteKey(w, "code");
  WriteStr(w, "validation_error");
  WriteKey(w, "type");
  WriteStr(w, "validation_error");
  WriteKey(w, "data");
  w.StartArray();
  for (const auto& i : issues) {
    w.StartObject();
    WriteKey(w, "code");
    WriteStr(w, i.code);
    WriteKey(w, "message");
    WriteStr(w, i.message);
    WriteKey(w, "path");
    w.StartArray();
    for (const auto& p : i.path) WriteStr(w, p);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return JsonResponse(400, b.GetString());
}

Response ChainError(int http_status, int grpc_code, std::string_view message) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "code");
  w.Int(grpc_code);
  WriteKey(w, "message");
  WriteStr(w, message);
  WriteKey(w, "details");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return JsonResponse(http_status, b.GetString());
}

Response FastApiError(int status, std::string_view error, std::string_view message,
                      std::string_view error_code) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartObject();
  WriteKey(w, "detail");
  w.StartObject();
  WriteKey(w, "error");
  WriteStr(w, error);
  WriteKey(w, "message");
  WriteStr(w, message);
  if (!error_code.empty()) {
    WriteKey(w, "error_code");
    WriteStr(w, error_code);
  }
  w.EndObject();
  w.EndObject();
  return JsonResponse(status, b.GetString());
}

// --- router ---

Router::Router(const World& world, SimClock& clock, RouterOptions options)
    : world_(world), clock_(clock), options_(std::move(options)) {}

std::int64_t Router::ChainHeight() const { return world_.HeightAt(clock_.NowMs()); }

std::int64_t Router::IndexedHeight() const {
  return world_.HeightAt(clock_.NowMs() - options_.indexer_lag_ms);
}

void Router::SyncPriceRevisions() {
  const std::uint64_t generation = faults_.generation();
  const std::int64_t now_ms = clock_.NowMs();
  const std::int64_t day = (now_ms >= 0 ? now_ms : now_ms - kDayMs + 1) / kDayMs;
  std::lock_guard lock(revision_mu_);
  if (generation == revision_generation_ && day == revision_day_) return;
  revision_generation_ = generation;
  revision_day_ = day;
  std::vector<PriceRevision> revisions;
  for (const Fault& f : faults_.List()) {
    if (f.kind != "revalue") continue;
    std::string error;
    const auto arg = ParseRevalueArg(f.arg, &error);
    if (!arg) continue;  // FaultSet::Add rejected it already
    PriceRevision r;
    r.from = arg->from.value_or(core::Date::FromDays(std::numeric_limits<std::int32_t>::min()));
    r.to = arg->to.value_or(core::Date::FromDays(day));
    r.factor_ppm = arg->factor_ppm;
    if (r.from < r.to) revisions.push_back(r);
  }
  if (revisions != world_.PriceRevisions()) world_.SetPriceRevisions(std::move(revisions));
}

Response Router::Handle(const Request& request) {
  SyncPriceRevisions();
  if (StartsWith(request.path, "/_sim/")) return HandleControl(request);
  Route route = Route::kUnknown;
  Response r = Dispatch(request, &route);
  r.route = route;
  return r;
}

Response Router::Dispatch(const Request& req, Route* route_out) {
  const std::vector<std::string> seg = Split(req.path);
  const std::string& p = req.path;
  Route route = Route::kUnknown;
  std::vector<std::string> rest;
  auto tail = [&](std::size_t n) {
    return std::vector<std::string>(
        seg.begin() + static_cast<std::ptrdiff_t>(std::min(n, seg.size())), seg.end());
  };
  bool legacy_path = false;
  std::optional<std::int64_t> block_height;
  bool block_bad = false;
  std::string block_raw;

  if (p == "/provider-earnings") {
    route = Route::kProviderConsoleEarnings;
  } else if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "provider-earnings") {
    route = Route::kProviderEarnings;
  } else if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "provider-dashboard") {
    route = Route::kProviderDashboard;
  } else if (seg.size() == 3 && seg[0] == "v1" && seg[1] == "providers") {
    route = Route::kProvider;
  } else if (p == "/v1/market-data/akt" || p == "/v1/market-data" ||
             p == "/v1/market-data/akash-network") {
    route = Route::kMarket;
  } else if (p == "/v1/usage/history") {
    route = Route::kUsageHistory;
  } else if (p == "/v1/usage/history/stats") {
    route = Route::kUsageStats;
  } else if (p == "/v1/stripe/transactions") {
    route = Route::kStripeTransactions;
  } else if (p == "/v1/stripe/transactions/export") {
    route = Route::kStripeExport;
  } else if (p == "/v1/balances") {
    route = Route::kBalances;
  } else if (p == "/v1/user/me") {
    route = Route::kUserMe;
  } else if (p == "/v1/wallets") {
    route = Route::kWallets;
  } else if (p == "/v1/deployments") {
    route = Route::kDeployments;
  } else if (seg.size() == 4 && seg[0] == "v1" && seg[1] == "deployment") {
    route = Route::kDeployment;
  } else if (p == "/v1/blocks") {
    route = Route::kConsoleBlocks;
  } else if (p == "/akash/market/v1beta5/leases/list" || p == "/akash/market/v1beta4/leases/list") {
    route = Route::kLeases;
    legacy_path = p.find("v1beta4") != std::string::npos;
  } else if (p == "/akash/market/v1beta5/bids/list" || p == "/akash/market/v1beta4/bids/list") {
    route = Route::kBids;
    legacy_path = p.find("v1beta4") != std::string::npos;
  } else if (p == "/cosmos/base/tendermint/v1beta1/blocks/latest") {
    route = Route::kBlocksLatest;
  } else if (seg.size() == 6 && StartsWith(p, "/cosmos/base/tendermint/v1beta1/blocks/")) {
    route = Route::kBlocks;
    block_raw = seg[5];
    std::int64_t h = 0;
    auto [q, ec] = std::from_chars(block_raw.data(), block_raw.data() + block_raw.size(), h);
    if (ec != std::errc() || q != block_raw.data() + block_raw.size())
      block_bad = true;
    else
      block_height = h;
  } else if (seg.size() == 5 && StartsWith(p, "/akash/provider/v1beta4/providers/")) {
    route = Route::kChainProvider;
  } else if (p == "/akash/take/v1/params" || p == "/akash/take/v1beta3/params") {
    route = Route::kTakeParams;
    legacy_path = p.find("v1beta3") != std::string::npos;
  } else if (p == "/akash/discovery/v1/info") {
    route = Route::kDiscovery;
  }
  *route_out = route;
  counts_[static_cast<std::size_t>(route)].fetch_add(1);

  std::optional<Fault> fault = faults_.Take(RouteName(route));
  const std::int64_t now_ms = clock_.NowMs();
  Query query(req.query);
  Ctx c{world_,
        req,
        query,
        options_,
        now_ms,
        world_.HeightAt(now_ms),
        world_.HeightAt(now_ms - options_.indexer_lag_ms),
        -1,
        {},
        false};
  c.pagination_loop = fault && fault->kind == "pagination_loop";

  Response normal;
  // Status-only faults answer without running the handler (the upstream never got there).
  static const std::vector<std::string> kShortCircuit = {
      "500",      "502",        "503",   "504",       "401",          "429",
      "429_date", "cloudflare", "reset", "not_found", "earnings_005", "no_price"};
  bool short_circuit = fault && std::find(kShortCircuit.begin(), kShortCircuit.end(),
                                          fault->kind) != kShortCircuit.end();
  if (short_circuit) return ApplyFault(*fault, route, req, Response{});

  if (req.method != "GET") {
    normal = route == Route::kUnknown || FamilyOf(route) == Family::kChain
                 ? ChainError(501, 12, "Method Not Allowed")
                 : ConsoleError(404, "NotFoundError", "Not Found", "not_found", "client_error");
  } else if (route == Route::kUnknown) {
    normal = StartsWith(p, "/v1/") ? TextResponse(404, "404 Not Found")
                                   : ChainError(501, 12, "Not Implemented");
  } else {
    bool handled = false;
    if (IsConsole(route)) {
      auto key = req.Header("x-api-key");
      auto bearer = req.Header("authorization");
      if (key && bearer) {
        normal = ConsoleError(400, "BadRequestError",
                              "Only one of x-api-key or Authorization may be sent", "bad_request",
                              "client_error");
        handled = true;
      } else if (key) {
        c.tenant = world_.TenantByConsoleKey(*key);
        if (c.tenant < 0) {
          normal = ConsoleError(401, "UnauthorizedError", "Invalid API key", "unauthorized",
                                "client_error");
          handled = true;
        }
      } else if (bearer) {
        // The simulator issues no JWTs: any bearer token is invalid.
        normal =
            ConsoleError(401, "UnauthorizedError", "Invalid token", "unauthorized", "client_error");
        handled = true;
      }
      bool protected_route = route == Route::kStripeTransactions || route == Route::kStripeExport ||
                             route == Route::kUserMe || route == Route::kWallets ||
                             route == Route::kDeployments;
      if (!handled && protected_route && c.tenant < 0) {
        normal =
            ConsoleError(401, "UnauthorizedError", "Unauthorized", "unauthorized", "client_error");
        handled = true;
      }
    }
    if (!handled) {
      switch (route) {
        case Route::kProviderConsoleEarnings:
          normal = HandleProviderConsoleEarnings(c);
          break;
        case Route::kProviderEarnings:
          c.segments = tail(2);
          normal = HandleProviderEarnings(c);
          break;
        case Route::kProviderDashboard:
          c.segments = tail(2);
          normal = HandleProviderDashboard(c);
          break;
        case Route::kProvider:
          c.segments = tail(2);
          normal = HandleProvider(c);
          break;
        case Route::kMarket:
          normal = HandleMarket(c);
          break;
        case Route::kUsageHistory:
          normal = HandleUsageHistory(c);
          break;
        case Route::kUsageStats:
          normal = HandleUsageStats(c);
          break;
        case Route::kStripeTransactions:
          normal = HandleStripeTransactions(c);
          break;
        case Route::kStripeExport:
          normal = HandleStripeExport(c);
          break;
        case Route::kBalances:
          normal = HandleBalances(c);
          break;
        case Route::kUserMe:
          normal = HandleUserMe(c);
          break;
        case Route::kWallets:
          normal = HandleWallets(c);
          break;
        case Route::kDeployments:
          normal = HandleDeployments(c);
          break;
        case Route::kDeployment:
          c.segments = tail(2);
          normal = HandleDeployment(c);
          break;
        case Route::kConsoleBlocks:
          normal = HandleConsoleBlocks(c);
          break;
        case Route::kLeases:
        case Route::kBids:
          if (legacy_path != options_.legacy_chain) {
            normal = ChainError(501, 12, "Not Implemented");
          } else if (route == Route::kLeases) {
            normal = HandleLeases(c, legacy_path);
          } else {
            normal = HandleBids(c, legacy_path);
          }
          break;
        case Route::kBlocksLatest:
          normal = HandleBlock(c, std::nullopt);
          break;
        case Route::kBlocks:
          if (block_bad) {
            normal =
                ChainError(400, 3,
                           "type mismatch, parameter: height, error: strconv.ParseInt: parsing \"" +
                               block_raw + "\": invalid syntax");
          } else {
            normal = HandleBlock(c, block_height);
          }
          break;
        case Route::kChainProvider:
          c.segments = tail(4);
          normal = HandleChainProvider(c);
          break;
        case Route::kTakeParams:
          // take/v1 exists on v1.x nodes, take/v1beta3 on the pre-Mainnet-14 ones, neither on v2.
          if (options_.NodeMajor() >= 2 || legacy_path != options_.legacy_chain) {
            normal = ChainError(501, 12, "Not Implemented");
          } else {
            normal = HandleTakeParams(c);
          }
          break;
        case Route::kDiscovery:
          normal =
              options_.legacy_chain ? ChainError(501, 12, "Not Implemented") : HandleDiscovery(c);
          break;
        default:
          break;
      }
    }
  }
  if (fault) return ApplyFault(*fault, route, req, std::move(normal));
  return normal;
}

Response Router::ApplyFault(const Fault& f, Route route, const Request&, Response normal) {
  const Family family = FamilyOf(route);
  const std::string& k = f.kind;
  if (k == "500" || k == "502" || k == "503" || k == "504" || k == "401") {
    int status = std::stoi(k);
    if (family == Family::kProviderConsole) {
      switch (status) {
        case 500:
          return FastApiError(500, "Internal Server Error", "Failed to fetch provider earnings",
                              "EARNINGS_001");
        case 502:
          return FastApiError(
              502, "Internal Service Error",
              "Failed to fetch provider earnings from internal service (Status: 500)",
              "EARNINGS_006");
        case 503:
          return FastApiError(503, "Service Unavailable",
                              "Internal service is currently unavailable", "EARNINGS_008");
        case 504:
          return FastApiError(504, "Gateway Timeout", "Internal service request timed out",
                              "EARNINGS_007");
        default:
          return FastApiError(401, "Invalid API Key",
                              "The provided API key is invalid, expired, or inactive", "");
      }
    }
    if (family == Family::kConsole) {
      switch (status) {
        case 500:
          return ConsoleError(500, "InternalServerError", "Internal server error",
                              "internal_server_error", "server_error");
        case 502:
          return ConsoleError(502, "BadGatewayError", "Database connection timeout",
                              "database_timeout", "service_unavailable");
        case 503:
          return ConsoleError(503, "ServiceUnavailableError", "Service Unavailable",
                              "service_unavailable", "service_unavailable");
        case 504: {
          Response r = TextResponse(504, "error code: 504");
          return r;
        }
        default:
          // arg "simple": the shape the public docs show instead of the Hono envelope.
          if (f.arg == "simple")
            return JsonResponse(401, R"({"error":"Unauthorized","message":"Invalid API key"})");
          return ConsoleError(401, "UnauthorizedError", "Invalid API key", "unauthorized",
                              "client_error");
      }
    }
    switch (status) {
      case 500:
        return ChainError(500, 13, "internal error");
      case 401:
        return TextResponse(401, "Unauthorized");
      default: {
        Response r;
        r.status = status;
        r.content_type = "text/html";
        const char* reason = status == 502   ? "Bad Gateway"
                             : status == 503 ? "Service Temporarily Unavailable"
                                             : "Gateway Time-out";
        r.body = "<html>\r\n<head><title>" + std::to_string(status) + " " + reason +
                 "</title></head>\r\n<body>\r\n<center><h1>" + std::to_string(status) + " " +
                 reason + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        return r;
      }
    }
  }
  if (k == "not_found") {
    // The 404s the real services answer besides "Provider not found" (upstream-apis.md 1, 2.1).
    if (family == Family::kProviderConsole) {
      return FastApiError(404, "Provider Earnings Not Found",
                          "No earnings data found for wallet in the specified date range",
                          "EARNINGS_004");
    }
    if (family == Family::kChain) return ChainError(404, 5, "not found");
    static const std::pair<const char*, const char*> kMessages[] = {
        {"provider", "Provider not found"},           {"latest_block", "Latest block not found"},
        {"block_24h", "Earlier block 24h not found"}, {"block_48h", "Earlier block 48h not found"},
        {"from_block", "From block not found"},       {"to_block", "To block not found"},
    };
    const char* message = kMessages[0].second;
    for (const auto& [arg, text] : kMessages) {
      if (f.arg == arg) message = text;
    }
    return ConsoleNotFound(message);
  }
  if (k == "earnings_005") {
    // The Console answered 400; the Provider Console passes its body through as `detail` and
    // adds its own code.
    return JsonResponse(
        400,
        R"({"detail":{"error":"BadRequestError","message":"Validation error",)"
        R"("code":"validation_error","type":"validation_error","data":[{"code":"invalid_string",)"
        R"("message":"Invalid date, must be in the following format: YYYY-MM-DD","path":["to"]}],)"
        R"("error_code":"EARNINGS_005"}})");
  }
  if (k == "no_price") {
    // /v1/market-data when neither the oracle nor the stored daily price answers.
    return JsonResponse(200, R"({"price":0,"volume":0,"marketCap":0,"marketCapRank":0,)"
                             R"("priceChange24h":0,"priceChangePercentage24":0})");
  }
  if (k == "429" || k == "429_date") {
    Response r = TextResponse(429, "error code: 1015");
    std::int64_t secs = ArgInt(f.arg, 30);
    if (k == "429") {
      r.headers.emplace_back("Retry-After", std::to_string(secs));
    } else {
      r.headers.emplace_back("Retry-After", HttpDate(std::time(nullptr) + secs));
    }
    return r;
  }
  if (k == "cloudflare") {
    Response r;
    r.status = 403;
    r.content_type = "text/html; charset=UTF-8";
    r.headers.emplace_back("cf-mitigated", "challenge");
    r.headers.emplace_back("Server", "cloudflare");
    r.headers.emplace_back("CF-RAY", "8f1e2d3c4b5a6978-FRA");
    r.headers.emplace_back("Cache-Control",
                           "private, max-age=0, no-store, no-cache, must-revalidate");
    r.body =
        "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head>"
        "<body><div class=\"main-wrapper\" role=\"main\"><div class=\"main-content\">"
        "<h1 class=\"zone-name-title h1\">console-api.akash.network</h1>"
        "<h2 class=\"h2\">Verifying you are human. This may take a few seconds.</h2>"
        "</div></div><script>window._cf_chl_opt={cType:'managed'};</script></body></html>";
    return r;
  }
  if (k == "reset") {
    Response r;
    r.transport = Transport::kReset;
    return r;
  }
  if (k == "timeout") {
    normal.transport = Transport::kDelay;
    normal.transport_ms = ArgInt(f.arg, 30'000);
    return normal;
  }
  if (k == "drip") {
    normal.transport = Transport::kDrip;
    normal.transport_ms = ArgInt(f.arg, 5'000);
    return normal;
  }
  if (k == "truncate") {
    std::size_t keep =
        static_cast<std::size_t>(ArgInt(f.arg, static_cast<std::int64_t>(normal.body.size() / 2)));
    if (keep >= normal.body.size()) keep = normal.body.size() > 0 ? normal.body.size() - 1 : 0;
    normal.body.resize(keep);
    return normal;
  }
  if (k == "invalid_json") {
    normal.content_type = "application/json";
    normal.body = "{\"data\": {\"value\": NaN, \"items\": [1, 2,, 3}, 'single': undefined";
    return normal;
  }
  if (k == "oversize") {
    std::size_t mib = static_cast<std::size_t>(ArgInt(f.arg, 16));
    // Still valid JSON: trailing whitespace, so only a size cap rejects it.
    normal.body.append(mib * 1024 * 1024, ' ');
    return normal;
  }
  if (k == "numeric_strings" || k == "exponent_floats" || k == "wrong_types") {
    JsonRewrite mode = k == "numeric_strings"   ? JsonRewrite::kNumericStrings
                       : k == "exponent_floats" ? JsonRewrite::kExponentFloats
                                                : JsonRewrite::kWrongTypes;
    if (auto rewritten = RewriteJson(normal.body, mode)) normal.body = std::move(*rewritten);
    return normal;
  }
  return normal;  // pagination_loop was applied by the handler
}

Response Router::HandleControl(const Request& req) {
  const std::vector<std::string> seg = Split(req.path);
  const std::int64_t now_ms = clock_.NowMs();
  Query query(req.query);
  Ctx c{world_,
        req,
        query,
        options_,
        now_ms,
        world_.HeightAt(now_ms),
        world_.HeightAt(now_ms - options_.indexer_lag_ms),
        -1,
        {},
        false};
  const std::string& p = req.path;

  if (p == "/_sim/world" && req.method == "GET") {
    return HandleTruthWorld(c, clock_.scale());
  }
  if (seg.size() == 4 && seg[1] == "truth" && req.method == "GET") {
    c.segments = {seg[3]};
    if (seg[2] == "provider") return HandleTruthProvider(c);
    if (seg[2] == "provider_status") return HandleTruthProviderStatus(c);
    if (seg[2] == "earnings") return HandleTruthEarnings(c);
    if (seg[2] == "tenant") return HandleTruthTenant(c);
  }
  if (p == "/_sim/faults") {
    if (req.method == "GET") {
      rapidjson::StringBuffer b;
      JsonWriter w(b);
      w.StartObject();
      WriteKey(w, "faults");
      w.StartArray();
      for (const Fault& f : faults_.List()) {
        w.StartObject();
        WriteKey(w, "id");
        w.Int(f.id);
        WriteKey(w, "route");
        WriteStr(w, f.route);
        WriteKey(w, "kind");
        WriteStr(w, f.kind);
        WriteKey(w, "arg");
        WriteStr(w, f.arg);
        WriteKey(w, "count");
        w.Int64(f.remaining);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      return ControlJson(200, b.GetString());
    }
    if (req.method == "DELETE") {
      int n = faults_.Clear(query.Get("route").value_or(""));
      return ControlJson(200, "{\"cleared\":" + std::to_string(n) + "}");
    }
    if (req.method == "POST") {
      rapidjson::Document d;
      d.Parse(req.body.c_str(), req.body.size());
      auto bad = [](const std::string& msg) {
        rapidjson::StringBuffer b;
        JsonWriter w(b);
        w.StartObject();
        WriteKey(w, "error");
        WriteStr(w, msg);
        w.EndObject();
        return ControlJson(400, b.GetString());
      };
      if (d.HasParseError() || !d.IsObject()) return bad("body must be a JSON object");
      Fault f;
      if (!d.HasMember("route") || !d["route"].IsString()) return bad("route (string) is required");
      if (!d.HasMember("kind") || !d["kind"].IsString()) return bad("kind (string) is required");
      f.route = d["route"].GetString();
      f.kind = d["kind"].GetString();
      if (d.HasMember("arg")) {
        if (d["arg"].IsString())
          f.arg = d["arg"].GetString();
        else if (d["arg"].IsInt64())
          f.arg = std::to_string(d["arg"].GetInt64());
        else
          return bad("arg must be a string or an integer");
      }
      if (d.HasMember("count") && !d["count"].IsNull()) {
        if (!d["count"].IsInt64() || d["count"].GetInt64() <= 0)
          return bad("count must be a positive integer");
        f.remaining = d["count"].GetInt64();
      }
      std::string error;
      int id = faults_.Add(f, &error);
      if (id < 0) return bad(error);
      return ControlJson(201, "{\"id\":" + std::to_string(id) + "}");
    }
  }
  if (p == "/_sim/time") {
    if (req.method == "POST") {
      auto adv = query.Get("advance");
      std::int64_t secs = 0;
      if (!adv || std::from_chars(adv->data(), adv->data() + adv->size(), secs).ec != std::errc() ||
          secs < 0) {
        return ControlJson(400, "{\"error\":\"advance must be a non-negative number of seconds\"}");
      }
      clock_.Advance(secs * 1000);
    }
    if (req.method == "POST" || req.method == "GET") {
      std::int64_t now = clock_.NowMs();
      rapidjson::StringBuffer b;
      JsonWriter w(b);
      w.StartObject();
      WriteKey(w, "now");
      WriteStr(w, FormatIsoMillis(now));
      WriteKey(w, "now_unix_ms");
      w.Int64(now);
      WriteKey(w, "height");
      w.Int64(world_.HeightAt(now));
      WriteKey(w, "indexed_height");
      w.Int64(world_.HeightAt(now - options_.indexer_lag_ms));
      w.EndObject();
      return ControlJson(200, b.GetString());
    }
  }
  if (p == "/_sim/stats") {
    if (req.method == "DELETE") {
      for (auto& n : counts_) n.store(0);
      return ControlJson(200, "{\"reset\":true}");
    }
    if (req.method == "GET") {
      rapidjson::StringBuffer b;
      JsonWriter w(b);
      w.StartObject();
      WriteKey(w, "requests");
      w.StartObject();
      std::uint64_t total = 0;
      for (std::size_t i = 0; i < counts_.size(); ++i) {
        std::uint64_t n = counts_[i].load();
        total += n;
        WriteKey(w, kRouteNames[i]);
        w.Uint64(n);
      }
      w.EndObject();
      WriteKey(w, "total");
      w.Uint64(total);
      w.EndObject();
      return ControlJson(200, b.GetString());
    }
  }
  return ControlJson(404, "{\"error\":\"unknown control route\"}");
}

}  // namespace akash::sim
