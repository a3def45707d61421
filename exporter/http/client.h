#pragma once
// The HTTP client over libcurl: the one place that owns every libcurl option.
//
// One CurlFetcher per poll task keeps its own easy handle, so connections are reused across the
// polls of that task (keep-alive, TLS session). Responses are capped at max_body_bytes
// (ErrorReason::kTooLarge), bodies may arrive gzip/deflate-encoded, TLS peers are verified.
// Secret headers are set on the handle and never logged, not even with --log.level=debug (the
// debug line names method, URL without query, status and duration only).
//
// Thread-safety: a CurlFetcher is used by one thread at a time. Abort() may be called from any
// thread and makes the transfer in progress (and later ones) fail promptly with kTimeout, which
// is how shutdown stays within its 2 s budget.

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
  void Abort() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses a Retry-After header value: delta-seconds or an IMF-fixdate/RFC 850/asctime HTTP-date,
// relative to `now`. A date in the past gives 0 s. Nullopt when unparsable.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// Call once at start-up before any thread uses libcurl.
void GlobalInit();

}  // namespace akash::http
