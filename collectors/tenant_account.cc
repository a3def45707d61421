#include "collectors/tenant_account.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <utility>

#include "collectors/common.h"
#include "collectors/json.h"

namespace akash::collectors {
namespace {

constexpr const char* kAccountBlob = "account";
constexpr int kAccountBlobVersion = 1;

std::string EncodeAccount(const std::string& fingerprint, const std::string& address) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("v");
  w.Int(kAccountBlobVersion);
  w.Key("key");
  w.String(fingerprint.c_str());
  w.Key("address");
  w.String(address.c_str());
  w.EndObject();
  return b.GetString();
}

std::optional<std::string> DecodeAccount(const std::string& blob, const std::string& fingerprint) {
  rapidjson::Document d;
  if (!ParseVersionedBlob(blob, kAccountBlobVersion, d)) return std::nullopt;
  const auto key = std::as_const(d).FindMember("key");
  const auto address = std::as_const(d).FindMember("address");
  if (key == std::as_const(d).MemberEnd() || !key->value.IsString() || key->value.GetString() != fingerprint ||
      address == std::as_const(d).MemberEnd() || !address->value.IsString() ||
      address->value.GetStringLength() == 0) {
    return std::nullopt;
  }
  return std::string(address->value.GetString(), address->value.GetStringLength());
}

}  // namespace

core::Request ConsoleRequest(std::string_view console_api, std::string_view path,
                             const core::Secret* key) {
  core::Request request;
  request.url = JoinUrl(console_api, path);
  request.headers.emplace_back("Accept", "application/json");
  if (key != nullptr && !key->empty()) request.secret_headers.emplace_back("x-api-key", *key);
  return request;
}

core::Result<rapidjson::Document> FetchConsoleJson(core::Fetcher& fetcher,
                                                   const core::Request& request) {
  auto response = fetcher.Get(request);
  if (!response.ok()) return std::move(response).error();
  if (!IsSuccess(response->status)) return UpstreamHttpError(request, *response);
  return ParseJson(response->body, core::UrlForLog(request.url));
}

std::string KeyFingerprint(const core::Secret& key) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : key.reveal()) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

TenantAccount::TenantAccount(const TenantOptions& options)
    : console_api_(options.console_api),
      configured_(options.address),
      key_(options.console_api_key) {}

core::Result<std::string> TenantAccount::Resolve(core::Fetcher& fetcher, core::SourceState* state) {
  if (!configured_.empty()) return configured_;
  if (resolved_) return *resolved_;
  const std::string fingerprint = KeyFingerprint(key_);
  if (state != nullptr) {
    if (auto blob = state->Get(kAccountBlob)) {
      if (auto address = DecodeAccount(*blob, fingerprint)) {
        resolved_ = *address;
        return *resolved_;
      }
    }
  }
  if (key_.empty()) {
    return core::MakeError(core::ErrorReason::kAuth,
                           "tenant has neither an address nor a Console API key");
  }

  const core::Request me_request = ConsoleRequest(console_api_, "/v1/user/me", &key_);
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document me, FetchConsoleJson(fetcher, me_request));
  const std::string me_route = core::UrlForLog(me_request.url);
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject me_root, JsonObject::From(me, me_route));
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject me_data, me_root.Object("data"));
  AKASH_COLL_ASSIGN_OR_RETURN(std::string user_id, me_data.String("id"));

  // A uuid needs no escaping in a query string; anything else is refused rather than sent.
  for (char c : user_id) {
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) {
      return core::MakeError(core::ErrorReason::kParse,
                             "GET " + me_route + ": field data.id: not a user id");
    }
  }
  const core::Request wallets_request =
      ConsoleRequest(console_api_, "/v1/wallets?userId=" + user_id, &key_);
  AKASH_COLL_ASSIGN_OR_RETURN(rapidjson::Document wallets,
                              FetchConsoleJson(fetcher, wallets_request));
  const std::string wallets_route = core::UrlForLog(wallets_request.url);
  AKASH_COLL_ASSIGN_OR_RETURN(JsonObject wallets_root, JsonObject::From(wallets, wallets_route));
  const auto data = wallets_root.value().FindMember("data");
  if (data == wallets_root.value().MemberEnd() || !data->value.IsArray()) {
    return core::MakeError(core::ErrorReason::kParse,
                           "GET " + wallets_route + ": field data: expected an array");
  }
  for (const auto& wallet : data->value.GetArray()) {
    if (!wallet.IsObject()) continue;
    const auto address = wallet.FindMember("address");
    if (address == wallet.MemberEnd() || !address->value.IsString()) continue;
    std::string value(address->value.GetString(), address->value.GetStringLength());
    if (value.rfind("akash1", 0) != 0) continue;
    resolved_ = value;
    if (state != nullptr) state->Put(kAccountBlob, EncodeAccount(fingerprint, value));
    return *resolved_;
  }
  return core::MakeError(core::ErrorReason::kParse,
                         "GET " + wallets_route + ": the user has no wallet with an address");
}

}  // namespace akash::collectors
