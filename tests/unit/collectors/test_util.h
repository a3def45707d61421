#pragma once
// Test helpers for the collectors: fixture loading, a fake Fetcher that serves fixtures by
// exact URL and records every call, and lookups into PollOutput.

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "collectors/families.h"
#include "collectors/source.h"
#include "exporter/core/date.h"
#include "exporter/core/fetcher.h"

namespace akash::collectors::testing {

inline std::string Fixture(const std::string& relative) {
  const std::string path = std::string(AKASH_FIXTURES_DIR) + "/collectors/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing fixture " << path;
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline core::Response Respond(int status, std::string body,
                              std::string content_type = "application/json") {
  core::Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

struct RecordedCall {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  // Secret headers by name, revealed: tests are allowed to look.
  std::map<std::string, std::string> secret_headers;
};

// Serves responses by exact URL. A handler, when set, is asked first and may decline
// (nullopt). An unknown URL fails the test and answers 599 so the poll errors out visibly.
class FakeFetcher final : public core::Fetcher {
 public:
  using Handler = std::function<std::optional<core::Result<core::Response>>(const core::Request&)>;

  void Set(const std::string& url, core::Response response) { routes_[url] = std::move(response); }
  void SetError(const std::string& url, core::Error error) { errors_[url] = std::move(error); }
  void SetHandler(Handler handler) { handler_ = std::move(handler); }

  core::Result<core::Response> Get(const core::Request& request) noexcept override {
    RecordedCall call{request.url, request.headers, {}};
    for (const auto& [name, secret] : request.secret_headers) {
      call.secret_headers[name] = secret.reveal();
    }
    calls_.push_back(std::move(call));
    if (handler_) {
      if (auto r = handler_(request)) return std::move(*r);
    }
    if (const auto it = errors_.find(request.url); it != errors_.end()) return it->second;
    if (const auto it = routes_.find(request.url); it != routes_.end()) return it->second;
    ADD_FAILURE() << "unexpected request " << request.url;
    return Respond(599, "");
  }

  const std::vector<RecordedCall>& calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }

 private:
  std::map<std::string, core::Response> routes_;
  std::map<std::string, core::Error> errors_;
  Handler handler_;
  std::vector<RecordedCall> calls_;
};

inline const prometheus::MetricFamily* FindFamily(const PollOutput& out, const std::string& name) {
  for (const auto& f : out.families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

inline bool LabelsMatch(const prometheus::ClientMetric& m, const Labels& labels) {
  if (m.label.size() != labels.size()) return false;
  for (const auto& [k, v] : labels) {
    bool found = false;
    for (const auto& l : m.label) found = found || (l.name == k && l.value == v);
    if (!found) return false;
  }
  return true;
}

// The value of the series with exactly these labels; nullopt when absent.
inline std::optional<double> Value(const PollOutput& out, const std::string& name,
                                   const Labels& labels) {
  const auto* f = FindFamily(out, name);
  if (f == nullptr) return std::nullopt;
  for (const auto& m : f->metric) {
    if (!LabelsMatch(m, labels)) continue;
    switch (f->type) {
      case prometheus::MetricType::Counter:
        return m.counter.value;
      case prometheus::MetricType::Gauge:
        return m.gauge.value;
      default:
        return m.untyped.value;
    }
  }
  return std::nullopt;
}

inline std::chrono::system_clock::time_point At(int y, unsigned m, unsigned d, int hour = 0,
                                                int minute = 0) {
  return core::Date::FromYmd(y, m, d).Midnight() + std::chrono::hours(hour) +
         std::chrono::minutes(minute);
}

}  // namespace akash::collectors::testing
