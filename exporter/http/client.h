#pragma once
// The HTTP client over libcurl: the one place that owns every libcurl option.
//
// One CurlFetcher per poll task keeps its own easy handle, so connections are reused across the
// polls of that task (keep-alive, TLS session). Responses are capped at max_body_bytes
// (ErrorReason::kTooLarge), bodies may arrive gzip/deflate-encoded, TLS peers are verified.
// Secret headers are set on the handle and never logged, not even with --log.level=debug (the
// debug line names method, URL without query, status and duration only).
//
// Redirects: at most 3, and only within the same origin (scheme, host, port); a redirect
// elsewhere is returned as the 3xx Response, so an API key never travels to another host.
//
// Error classification (Result errors; every HTTP status is a Response):
//   kTimeout   the total timeout expired after the request was sent; Abort() ("aborted")
//   kConnect   DNS, TCP or TLS failure (incl. certificate verification), a connect-phase
//              timeout, or the connection broke before a whole response arrived
//              (reset, empty reply, truncated body): transport faults a retry may cure
//   kTooLarge  the decoded body exceeds max_body_bytes (checked on Content-Length and while
//              receiving)
//   kParse     the body cannot be decoded (bad gzip) or the reply is not HTTP
// Messages read "GET <scheme://host/path>: <what>", never with query, userinfo or header values.
//
// Thread-safety: a CurlFetcher is used by one thread at a time. Abort() may be called from any
// thread (but not concurrently with the destructor) and makes the transfer in progress fail
// within ~100 ms, and later ones at once, with kTimeout "aborted"; that is how shutdown stays
// within its 2 s budget. Abort is permanent for the fetcher.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "exporter/core/fetcher.h"

namespace akash::http {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{20'000};  // used when Request::timeout is zero
  std::size_t max_body_bytes = 64u << 20;           // 64 MiB
  std::string user_agent = "akash_exporter";
  // For tests against a local TLS server only; production always verifies.
  std::string ca_file;
};

class CurlFetcher final : public core::Fetcher {
 public:
  explicit CurlFetcher(ClientOptions options);
  ~CurlFetcher() override;
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;

  core::Result<core::Response> Get(const core::Request& request) noexcept override;
  void Abort() noexcept override;
  void ReleaseConnections() noexcept override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses a Retry-After header value: delta-seconds or an IMF-fixdate/RFC 850/asctime HTTP-date,
// relative to `now`. A date in the past gives 0 s; the remainder is rounded up to whole seconds;
// values are clamped to 2^31-1 s. Nullopt when unparsable. Locale-independent.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// curl_global_init, once per process (std::call_once). Call at start-up before threads use
// libcurl; the CurlFetcher constructor calls it too, so forgetting it is harmless.
void GlobalInit();

}  // namespace akash::http
