#pragma once
// The transport-neutral view of an HTTP GET that collectors program against. The libcurl
// implementation lives in exporter/http; tests use fakes serving fixtures. Collectors never see
// libcurl, civetweb or Asio.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/core/result.h"
#include "exporter/core/secret.h"

namespace akash::core {

struct Request {
  std::string url;  // never contains a secret; keys go in secret_headers
  std::vector<std::pair<std::string, std::string>> headers;
  // Header name → secret value, e.g. {"X-API-Key", key}. Sent, never logged or echoed.
  std::vector<std::pair<std::string, Secret>> secret_headers;
  // Zero means "use the fetcher's default" (the source's configured timeout).
  std::chrono::milliseconds timeout{0};
};

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;
  // Parsed Retry-After (delta seconds or HTTP-date, relative to receipt), when present.
  std::optional<std::chrono::seconds> retry_after;
};

// Performs a GET. Any HTTP status is a successful Result (the caller interprets 404 etc.);
// the Error cases are transport failures: timeout, connect, too_large (body over the cap).
// Thread-safety: one Fetcher is used by one poll at a time.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual Result<Response> Get(const Request& request) noexcept = 0;
  // Makes the transfer in progress and every later one fail promptly (shutdown). May be
  // called from any thread. Default: nothing to abort.
  virtual void Abort() noexcept {}
  // Closes idle connections kept for reuse. Called between the polls of a source whose next
  // poll is far away: holding a socket idle for minutes only ties up a server thread (or leaves
  // a CLOSE-WAIT socket here once the server gives up on it). Default: nothing kept.
  virtual void ReleaseConnections() noexcept {}
};

// Turns a non-2xx response into the Error the poll reports, with a safe message naming the
// URL (without query secrets) and status. Carries Retry-After for 429/503.
Error HttpError(const Request& request, const Response& response);

// Strips the query string so a message never carries user-supplied parameters verbatim.
std::string UrlForLog(const std::string& url);

}  // namespace akash::core
