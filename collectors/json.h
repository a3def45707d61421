#pragma once
// RapidJSON helpers shared by the collectors.
//
// Bodies are parsed with kParseNumbersAsStringsFlag: every JSON number keeps its exact source
// text ("198821549.899183", "1e-05"), so money goes straight into core::Decimal without a
// detour through double. A consequence is that a JSON number and a JSON string holding the
// same digits are indistinguishable after parsing; that is what the upstream rules want
// ("accept both number and numeric string for every amount"), and String() therefore also
// accepts a number's text.
//
// Errors: every failure is a core::Error with reason kParse. Messages name the route and the
// field path (e.g. "GET https://host/v1/x: field current.activeCPU: missing") and never quote
// the body, which may be an HTML error page or carry data we do not want in logs.
//
// Ownership: a JsonObject is a view into a rapidjson::Document owned by the caller; the
// document must outlive every view taken from it. Thread-safety: value types, no shared state.

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "exporter/core/decimal.h"
#include "exporter/core/result.h"

namespace akash::collectors {

inline constexpr unsigned kJsonParseFlags = rapidjson::kParseNumbersAsStringsFlag;

// Parses `body`. Invalid, truncated or non-JSON input (an HTML page) gives kParse with
// RapidJSON's error text and byte offset. `route` only labels the message.
core::Result<rapidjson::Document> ParseJson(std::string_view body, std::string_view route);

// Parses a cache blob a collector wrote into its core::SourceState: true when `blob` is a JSON
// object whose integer "v" equals `version`. Anything else (an older format, damage) is false,
// and the caller treats the blob as absent.
bool ParseVersionedBlob(std::string_view blob, int version, rapidjson::Document& doc);

// Parses an ISO-8601 / RFC 3339 timestamp, "YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM|±HHMM]"
// ('T' may also be a space or 't'; no offset means UTC; a bare date means its midnight).
// Returns Unix seconds including the fraction, or nullopt.
std::optional<double> ParseIsoTimestamp(std::string_view text);

// A JSON object plus the context needed for good error messages.
class JsonObject {
 public:
  // Fails with kParse unless `value` is an object. `path` is the dotted name of `value`
  // ("" for the document root).
  static core::Result<JsonObject> From(const rapidjson::Value& value, std::string route,
                                       std::string path = "");

  // A required nested object.
  core::Result<JsonObject> Object(const char* name) const;
  // A required amount: JSON number or numeric string ("12", "1.5", "1e-05", "1.5e+16").
  core::Result<core::Decimal> Decimal(const char* name) const;
  // Same, but an absent or null member gives nullopt instead of an error.
  core::Result<std::optional<core::Decimal>> OptionalDecimal(const char* name) const;
  // A required integer: number or string whose value is integral ("3", 3, "3.0", 3e2).
  core::Result<std::int64_t> Int(const char* name) const;
  // A required string (a number's text is accepted too, see the file comment).
  core::Result<std::string> String(const char* name) const;
  // A required ISO-8601 timestamp string, as Unix seconds.
  core::Result<double> Timestamp(const char* name) const;

  const rapidjson::Value& value() const { return *value_; }
  const std::string& route() const { return route_; }

 private:
  JsonObject(const rapidjson::Value* value, std::string route, std::string path)
      : value_(value), route_(std::move(route)), path_(std::move(path)) {}
  std::string FieldPath(const char* name) const;
  core::Error FieldError(const char* name, std::string_view problem) const;
  // The member, or nullptr when absent.
  const rapidjson::Value* Find(const char* name) const;

  const rapidjson::Value* value_;
  std::string route_;
  std::string path_;
};

// Extracts a short machine-readable error code from an upstream error body, for messages:
// FastAPI `detail.error_code` (EARNINGS_004) or `detail.error`, Hono `code`/`error`. Returns ""
// for anything else (plain text, HTML). The result is restricted to [A-Za-z0-9_ .-] and 60
// characters so a hostile body cannot inject into logs.
std::string UpstreamErrorCode(std::string_view body);

}  // namespace akash::collectors
