#pragma once
// Small helpers shared by the provider collectors: URL joining, HTTP error mapping with the
// upstream's error code, the take-rate schedule and exact ratio arithmetic.
// Thread-safety: free functions over value types.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/core/config.h"
#include "exporter/core/date.h"
#include "exporter/core/decimal.h"
#include "exporter/core/error.h"
#include "exporter/core/fetcher.h"
#include "exporter/core/result.h"

// Evaluates `expr` (a core::Result<T>); on error returns the Error from the enclosing function,
// else assigns the value to `lhs` (which may be a declaration such as `auto x`).
#define AKASH_COLL_CONCAT_INNER(a, b) a##b
#define AKASH_COLL_CONCAT(a, b) AKASH_COLL_CONCAT_INNER(a, b)
#define AKASH_COLL_ASSIGN_OR_RETURN(lhs, expr) \
  AKASH_COLL_ASSIGN_OR_RETURN_IMPL(AKASH_COLL_CONCAT(coll_result_, __LINE__), lhs, expr)
#define AKASH_COLL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return std::move(tmp).error();          \
  lhs = std::move(tmp).value()

namespace akash::collectors {

// "https://host/" + "/v1/x" → "https://host/v1/x" (exactly one slash between them).
std::string JoinUrl(std::string_view base, std::string_view path);

// core::HttpError plus the upstream's short error code when the body has one
// ("GET https://host/provider-earnings: HTTP 404 (EARNINGS_004)"). Never quotes the body.
core::Error UpstreamHttpError(const core::Request& request, const core::Response& response);

inline bool IsSuccess(int status) { return status >= 200 && status < 300; }

// The take-rate regime in force on `day`: the first whose (exclusive) `until` is after `day`,
// else the open-ended last one. An empty schedule means no take (0/0).
core::TakeRateRegime RegimeFor(core::Date day, const std::vector<core::TakeRateRegime>& regimes);

// amount × ratio, exact to the 18th fractional digit (truncated), for ratios in [0, 1] and any
// realistic amount. Decimal has no general multiplication because two 1e18-scaled values
// overflow 128 bits; splitting the amount into integer and fractional parts avoids that.
core::Decimal MulRatio(core::Decimal amount, core::Decimal ratio);

// Micro-units (uakt, uact, micro-USD) → whole units.
inline core::Decimal FromMicro(core::Decimal micro) { return micro.ShiftDown(6); }

}  // namespace akash::collectors
