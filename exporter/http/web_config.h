#pragma once
// The --web.config.file of the Prometheus exporter-toolkit: TLS for the listener and HTTP basic
// auth with bcrypt hashes. docs/web-security.md describes the accepted keys.
//
// Only the keys below are accepted; any other key (including exporter-toolkit keys this exporter
// does not implement, such as cipher_suites or http_server_config) makes the file invalid, so a
// setting the operator relies on is never silently ignored. Relative paths are resolved against
// the directory of the file, as the exporter-toolkit does.
//
// Thread-safety: WebConfig is a value; BasicAuth is safe to call concurrently.

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>

namespace akash::http {

enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

enum class TlsVersion { kTls12, kTls13 };

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // empty: none
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;
  std::optional<TlsVersion> max_version;
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;             // absent: plain HTTP
  std::map<std::string, std::string> basic_auth;  // user -> bcrypt hash; empty: no auth
};

// "FILE:LINE: reason" or "FILE: reason"; never contains a password hash.
class WebConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses the YAML text of `file` (named in errors; its directory anchors relative paths).
WebConfig ParseWebConfig(std::string_view yaml, const std::string& file);
// The text of `file`: regular files only, at most 1 MiB, under a deadline (core/file_read.h), so
// a FIFO or a hung mount in its place is refused instead of blocking. Throws WebConfigError.
std::string ReadWebConfigFile(const std::string& file);

// Checks "Authorization: Basic ..." values against bcrypt hashes (libxcrypt's crypt_r). A
// verified (user, password, hash) triple is remembered as a SHA-256 digest, so repeated scrapes
// with the same credentials cost one hash instead of one bcrypt; failures are never cached.
class BasicAuth {
 public:
  static constexpr std::size_t kCacheSize = 256;

  explicit BasicAuth(std::map<std::string, std::string> users);
  bool enabled() const { return !users_.empty(); }
  // True when `authorization` (the header value, if any) names a user with the right password.
  bool Check(std::optional<std::string_view> authorization);
  // Number of cached verifications (for tests).
  std::size_t cached() const;

 private:
  std::map<std::string, std::string> users_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> cache_;  // digests of verified triples; under mu_
  std::deque<std::string> order_;          // insertion order for eviction; under mu_
};

// bcrypt check of one password against one hash; constant-time comparison of the result.
bool BcryptMatches(const std::string& password, const std::string& hash);

}  // namespace akash::http
