#include "exporter/core/fetcher.h"

namespace akash::core {

std::string UrlForLog(const std::string& url) {
  const auto q = url.find('?');
  return q == std::string::npos ? url : url.substr(0, q);
}

Error HttpError(const Request& request, const Response& response) {
  Error e;
  e.reason = ReasonForHttpStatus(response.status);
  e.message = "GET " + UrlForLog(request.url) + ": HTTP " + std::to_string(response.status);
  // An API answers 403 in JSON; a 403 HTML page comes from the edge in front of it (a
  // Cloudflare challenge or block), which says nothing about the key: back off, do not report
  // the key as rejected.
  if (response.status == 403 && response.content_type.rfind("text/html", 0) == 0) {
    e.reason = ErrorReason::kRateLimited;
    e.message += " (an HTML page from the edge, not the API: blocked or challenged)";
  }
  e.retry_after = response.retry_after;
  return e;
}

}  // namespace akash::core
