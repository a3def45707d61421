#pragma once
// What tenant_usage and tenant_billing share: Console requests with or without the tenant's key,
// and the account address of a tenant configured with only a Console API key.
//
// Address resolution (upstream-apis.md 2.2): GET /v1/user/me (key) gives the user id, then
// GET /v1/wallets?userId=<id> (key) lists the user's managed wallet with its `address`. Each
// source resolves for itself (they poll independently and one may run while the other fails)
// and keeps the answer in memory and in its SourceState blob "account", tagged with a
// fingerprint of the key so that a changed key resolves again. The fingerprint is a 64-bit
// FNV-1a digest of a 256-bit random key: it identifies the key, it cannot reveal it.
//
// Thread-safety: TenantAccount is owned by one Source, whose Poll is never concurrent.

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

#include "exporter/core/fetcher.h"
#include "exporter/core/result.h"
#include "exporter/core/secret.h"
#include "exporter/core/state.h"

namespace akash::collectors {

// Everything a tenant source needs from the config.
struct TenantOptions {
  std::string console_api;
  std::string target;   // the configured address, or "tenants[I]" for a key-only tenant
  std::string address;  // configured address; empty when only the key is set
  core::Secret console_api_key;
};

// A GET of `path` (with its query) on the Console, JSON accepted, the key attached when given.
core::Request ConsoleRequest(std::string_view console_api, std::string_view path,
                             const core::Secret* key);

// Fetches `request`, maps a non-2xx status to its Error and parses the JSON body.
core::Result<rapidjson::Document> FetchConsoleJson(core::Fetcher& fetcher,
                                                   const core::Request& request);

// 16 hex digits identifying a key without revealing it.
std::string KeyFingerprint(const core::Secret& key);

class TenantAccount {
 public:
  explicit TenantAccount(const TenantOptions& options);

  // The account address: the configured one, else the resolved one (memory, then `state`,
  // then the two Console requests). Errors are the Console's (401 → auth).
  core::Result<std::string> Resolve(core::Fetcher& fetcher, core::SourceState* state);

 private:
  std::string console_api_;
  std::string configured_;
  core::Secret key_;
  std::optional<std::string> resolved_;
};

}  // namespace akash::collectors
