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
  e.retry_after = response.retry_after;
  return e;
}

}  // namespace akash::core
