#pragma once
// Error values shared by every layer. Steady-state code returns these instead of throwing.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace akash::core {

// The closed set of failure reasons exported as
// akash_exporter_source_errors_total{reason=...}. Keep in sync with metrics.md.
enum class ErrorReason {
  kTimeout,
  kConnect,
  kRateLimited,
  kAuth,
  kHttp4xx,
  kHttp5xx,
  kParse,
  kTooLarge,
};

inline constexpr ErrorReason kAllErrorReasons[] = {
    ErrorReason::kTimeout, ErrorReason::kConnect,  ErrorReason::kRateLimited,
    ErrorReason::kAuth,    ErrorReason::kHttp4xx,  ErrorReason::kHttp5xx,
    ErrorReason::kParse,   ErrorReason::kTooLarge,
};

std::string_view ToString(ErrorReason reason) noexcept;

// Maps a non-2xx HTTP status to its reason: 401/403 auth, 429 rate_limited, other 4xx http_4xx,
// 5xx http_5xx. Must not be called with a 2xx status.
ErrorReason ReasonForHttpStatus(int status) noexcept;

struct Error {
  ErrorReason reason;
  // Human-readable, safe to log: never contains a secret (URLs carry no keys; keys travel in headers).
  std::string message;
  // Upstream asked us to wait (429 Retry-After) before polling again.
  std::optional<std::chrono::seconds> retry_after;
};

}  // namespace akash::core
