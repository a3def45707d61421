#pragma once
// Shared fixture: a small deterministic world, a frozen clock and a router, called directly.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/clock.h"
#include "sim/options.h"
#include "sim/router.h"
#include "sim/world.h"

namespace akash::sim::testing {

inline std::int64_t StartMs() { return *ParseRfc3339Ms("2026-08-20T12:00:00Z"); }

inline WorldConfig SmallConfig(std::uint64_t seed = 7) {
  WorldConfig c;
  c.seed = seed;
  c.providers = 3;
  c.tenants = 6;
  c.leases = 900;
  c.days = 400;
  c.start_ms = StartMs();
  c.block_ms = 6000;
  return c;
}

inline rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body.substr(0, 300);
  return d;
}

class Sim {
 public:
  explicit Sim(WorldConfig config = SmallConfig(), RouterOptions options = {},
               std::int64_t now_ms = StartMs())
      : world_(World::Generate(config)),
        clock_(now_ms, 0),
        router_(world_, clock_, std::move(options)) {}

  Response Get(const std::string& target,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Call("GET", target, std::move(headers), "");
  }
  Response Call(const std::string& method, const std::string& target,
                std::vector<std::pair<std::string, std::string>> headers, const std::string& body) {
    Request r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.headers = std::move(headers);
    r.body = body;
    return router_.Handle(r);
  }
  rapidjson::Document Json(const std::string& target,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    Response r = Get(target, std::move(headers));
    EXPECT_EQ(r.status, 200) << target << " -> " << r.body.substr(0, 300);
    return Parse(r.body);
  }

  const World& world() const { return world_; }
  Router& router() { return router_; }
  SimClock& clock() { return clock_; }
  const Provider& provider(int i = 0) const {
    return world_.providers()[static_cast<std::size_t>(i)];
  }
  const Tenant& tenant(int i = 0) const { return world_.tenants()[static_cast<std::size_t>(i)]; }
  std::vector<std::pair<std::string, std::string>> Key(int tenant) const {
    return {{"x-api-key", world_.tenants()[static_cast<std::size_t>(tenant)].console_api_key}};
  }
  core::Date Today() const { return core::Date::FromDays(clock_.NowMs() / 86'400'000); }

 private:
  World world_;
  SimClock clock_;
  Router router_;
};

// URL-encodes a query value (what a correct client does with next_key).
inline std::string Enc(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

inline double Num(const rapidjson::Value& v) { return v.GetDouble(); }

// Relative comparison for JSON doubles against exact decimals.
inline void ExpectClose(double a, double b, const std::string& what = "") {
  double tol = std::max(1e-9, std::abs(b) * 1e-12);
  EXPECT_NEAR(a, b, tol) << what;
}

inline double DecimalToDouble(const std::string& s) { return std::stod(s); }

}  // namespace akash::sim::testing
