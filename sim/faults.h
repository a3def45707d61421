#pragma once
// Fault injection: a list of faults, each bound to a route name (or "*"), applied to the next
// `count` matching requests (or forever with count < 0). The first matching fault wins.
// Thread-safety: all methods lock an internal mutex.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/core/date.h"

namespace akash::sim {

struct Fault {
  int id = 0;
  std::string route;            // a route name from RouteName(), or "*"
  std::string kind;             // see KnownFaultKinds()
  std::string arg;              // kind-specific, may be empty
  std::int64_t remaining = -1;  // requests left; -1 = until cleared
};

// Every fault kind the simulator understands.
const std::vector<std::string>& KnownFaultKinds();

// The `revalue` fault is not a per-request fault: while it is set, the world's past AKT prices
// are rewritten (World::SetPriceRevisions), so lifetime USD totals drop. Its ARG is
// "FACTOR[,FROM[,TO]]" (FROM/TO "YYYY-MM-DD", TO exclusive; without dates every day before the
// simulated today, without TO every day from FROM before today), FACTOR a decimal ≥ 0 ("0.8").
struct RevalueArg {
  std::int64_t factor_ppm = 1'000'000;
  std::optional<core::Date> from;
  std::optional<core::Date> to;
};
std::optional<RevalueArg> ParseRevalueArg(std::string_view arg, std::string* error);

class FaultSet {
 public:
  // Parses "ROUTE:KIND[:ARG[:COUNT]]" (the --fault flag). Error text on failure.
  static std::optional<Fault> ParseSpec(std::string_view spec, std::string* error);
  // Validates kind and route; returns the id or -1 with `error` set.
  int Add(Fault fault, std::string* error);
  // Removes every fault of `route`, or all when route is empty. Returns how many were removed.
  int Clear(std::string_view route);
  std::vector<Fault> List() const;
  // Consumes one use of the first per-request fault matching `route` (never `revalue`).
  std::optional<Fault> Take(std::string_view route);
  // Changes whenever a fault is added or removed (for callers that derive state from List()).
  std::uint64_t generation() const;

 private:
  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  int next_id_ = 1;
  std::uint64_t generation_ = 0;
};

}  // namespace akash::sim
