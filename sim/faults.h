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

class FaultSet {
 public:
  // Parses "ROUTE:KIND[:ARG[:COUNT]]" (the --fault flag). Error text on failure.
  static std::optional<Fault> ParseSpec(std::string_view spec, std::string* error);
  // Validates kind and route; returns the id or -1 with `error` set.
  int Add(Fault fault, std::string* error);
  // Removes every fault of `route`, or all when route is empty. Returns how many were removed.
  int Clear(std::string_view route);
  std::vector<Fault> List() const;
  // Consumes one use of the first fault matching `route`.
  std::optional<Fault> Take(std::string_view route);

 private:
  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  int next_id_ = 1;
};

}  // namespace akash::sim
