#include "exporter/core/error.h"

namespace akash::core {

std::string_view ToString(ErrorReason reason) noexcept {
  switch (reason) {
    case ErrorReason::kTimeout: return "timeout";
    case ErrorReason::kConnect: return "connect";
    case ErrorReason::kRateLimited: return "rate_limited";
    case ErrorReason::kAuth: return "auth";
    case ErrorReason::kHttp4xx: return "http_4xx";
    case ErrorReason::kHttp5xx: return "http_5xx";
    case ErrorReason::kParse: return "parse";
    case ErrorReason::kTooLarge: return "too_large";
  }
  return "parse";
}

ErrorReason ReasonForHttpStatus(int status) noexcept {
  if (status == 401 || status == 403) return ErrorReason::kAuth;
  if (status == 429) return ErrorReason::kRateLimited;
  if (status >= 500) return ErrorReason::kHttp5xx;
  return ErrorReason::kHttp4xx;
}

}  // namespace akash::core
