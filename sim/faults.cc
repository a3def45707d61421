#include "sim/faults.h"

#include <algorithm>
#include <charconv>

#include "exporter/core/decimal.h"
#include "sim/router.h"

namespace akash::sim {

const std::vector<std::string>& KnownFaultKinds() {
  static const std::vector<std::string> kKinds = {"500",
                                                  "502",
                                                  "503",
                                                  "504",
                                                  "401",
                                                  "429",
                                                  "429_date",
                                                  "timeout",
                                                  "drip",
                                                  "reset",
                                                  "truncate",
                                                  "invalid_json",
                                                  "wrong_types",
                                                  "cloudflare",
                                                  "oversize",
                                                  "pagination_loop",
                                                  "numeric_strings",
                                                  "exponent_floats",
                                                  "not_found",
                                                  "earnings_005",
                                                  "no_price",
                                                  "revalue"};
  return kKinds;
}

std::optional<RevalueArg> ParseRevalueArg(std::string_view arg, std::string* error) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = arg.find(',', start);
    parts.push_back(arg.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  const auto factor = core::Decimal::Parse(parts[0]);
  if (parts.size() > 3 || !factor || factor->IsNegative() ||
      *factor > core::Decimal::FromInt(1000)) {
    *error = "revalue ARG must be FACTOR[,FROM[,TO]] with 0 <= FACTOR <= 1000: " + std::string(arg);
    return std::nullopt;
  }
  RevalueArg out;
  // Decimal keeps 18 fractional digits; ppm keeps 6 (a factor finer than that is not needed).
  out.factor_ppm = static_cast<std::int64_t>(factor->raw() / 1'000'000'000'000LL);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto d = core::Date::Parse(parts[i]);
    if (!d) {
      *error = "revalue dates must be YYYY-MM-DD: " + std::string(parts[i]);
      return std::nullopt;
    }
    (i == 1 ? out.from : out.to) = *d;
  }
  if (out.from && out.to && !(*out.from < *out.to)) {
    *error = "revalue FROM must be before TO: " + std::string(arg);
    return std::nullopt;
  }
  return out;
}

std::optional<Fault> FaultSet::ParseSpec(std::string_view spec, std::string* error) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = spec.find(':', start);
    parts.emplace_back(spec.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 4) {
    *error = "fault spec must be ROUTE:KIND[:ARG[:COUNT]]: " + std::string(spec);
    return std::nullopt;
  }
  Fault f;
  f.route = parts[0];
  f.kind = parts[1];
  if (parts.size() >= 3) f.arg = parts[2];
  if (parts.size() == 4) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), n);
    if (ec != std::errc() || p != parts[3].data() + parts[3].size() || n <= 0) {
      *error = "fault COUNT must be a positive integer: " + parts[3];
      return std::nullopt;
    }
    f.remaining = n;
  }
  return f;
}

int FaultSet::Add(Fault fault, std::string* error) {
  const auto& kinds = KnownFaultKinds();
  if (std::find(kinds.begin(), kinds.end(), fault.kind) == kinds.end()) {
    *error = "unknown fault kind: " + fault.kind;
    return -1;
  }
  if (fault.route != "*" && !IsRouteName(fault.route)) {
    *error = "unknown route: " + fault.route;
    return -1;
  }
  if (fault.remaining == 0) {
    *error = "count must be positive (omit it for a permanent fault)";
    return -1;
  }
  if (fault.kind == "revalue") {
    if (!ParseRevalueArg(fault.arg, error)) return -1;
    fault.remaining = -1;  // world state, not consumed by requests
  }
  std::lock_guard lock(mu_);
  fault.id = next_id_++;
  faults_.push_back(fault);
  ++generation_;
  return fault.id;
}

int FaultSet::Clear(std::string_view route) {
  std::lock_guard lock(mu_);
  auto before = faults_.size();
  if (route.empty()) {
    faults_.clear();
  } else {
    std::erase_if(faults_, [&](const Fault& f) { return f.route == route; });
  }
  if (faults_.size() != before) ++generation_;
  return static_cast<int>(before - faults_.size());
}

std::uint64_t FaultSet::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::vector<Fault> FaultSet::List() const {
  std::lock_guard lock(mu_);
  return faults_;
}

std::optional<Fault> FaultSet::Take(std::string_view route) {
  std::lock_guard lock(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->route != "*" && it->route != route) continue;
    if (it->kind == "revalue") continue;
    Fault f = *it;
    if (it->remaining > 0 && --it->remaining == 0) {
      faults_.erase(it);
      ++generation_;
    }
    return f;
  }
  return std::nullopt;
}

}  // namespace akash::sim
