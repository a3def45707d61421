#include "collectors/json.h"

#include <rapidjson/error/en.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

namespace akash::collectors {
namespace {

using core::ErrorReason;
using core::MakeError;

std::string_view AsView(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

bool ReadDigits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

core::Result<rapidjson::Document> ParseJson(std::string_view body, std::string_view route) {
  rapidjson::Document doc;
  doc.Parse<kJsonParseFlags>(body.data(), body.size());
  if (doc.HasParseError()) {
    return MakeError(ErrorReason::kParse, "GET " + std::string(route) +
                                              ": invalid JSON at offset " +
                                              std::to_string(doc.GetErrorOffset()) + ": " +
                                              rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

std::optional<double> ParseIsoTimestamp(std::string_view s) {
  int year = 0, month = 0, day = 0;
  if (!ReadDigits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || s[7] != '-' ||
      !ReadDigits(s, 5, 2, month) || !ReadDigits(s, 8, 2, day)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  const double day_seconds =
      static_cast<double>(std::chrono::sys_days{ymd}.time_since_epoch().count()) * 86400.0;
  if (s.size() == 10) return day_seconds;

  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, 11, 2, hour) || s.size() < 19 || s[13] != ':' ||
      !ReadDigits(s, 14, 2, minute) || s[16] != ':' || !ReadDigits(s, 17, 2, second)) {
    return std::nullopt;
  }
  // 60 admits a leap second; it is counted as the next second, as POSIX time does.
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t i = 19;
  double fraction = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    double scale = 0.1;
    const std::size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      fraction += (s[i] - '0') * scale;
      scale /= 10;
    }
    if (i == start) return std::nullopt;
  }
  int offset_seconds = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      const int sign = s[i] == '-' ? -1 : 1;
      ++i;
      int oh = 0, om = 0;
      if (!ReadDigits(s, i, 2, oh)) return std::nullopt;
      i += 2;
      if (i < s.size() && s[i] == ':') ++i;
      if (i < s.size()) {
        if (!ReadDigits(s, i, 2, om)) return std::nullopt;
        i += 2;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  if (i != s.size()) return std::nullopt;
  // Local time = UTC + offset, so UTC = local − offset.
  return day_seconds + hour * 3600.0 + minute * 60.0 + second + fraction - offset_seconds;
}

core::Result<JsonObject> JsonObject::From(const rapidjson::Value& value, std::string route,
                                          std::string path) {
  if (!value.IsObject()) {
    return MakeError(ErrorReason::kParse, "GET " + route + ": " +
                                              (path.empty() ? std::string("document") : path) +
                                              ": expected a JSON object");
  }
  return JsonObject(&value, std::move(route), std::move(path));
}

std::string JsonObject::FieldPath(const char* name) const {
  return path_.empty() ? std::string(name) : path_ + "." + name;
}

core::Error JsonObject::FieldError(const char* name, std::string_view problem) const {
  return MakeError(ErrorReason::kParse,
                   "GET " + route_ + ": field " + FieldPath(name) + ": " + std::string(problem));
}

const rapidjson::Value* JsonObject::Find(const char* name) const {
  const auto it = value_->FindMember(name);
  return it == value_->MemberEnd() ? nullptr : &it->value;
}

core::Result<JsonObject> JsonObject::Object(const char* name) const {
  const rapidjson::Value* v = Find(name);
  if (v == nullptr) return FieldError(name, "missing");
  if (!v->IsObject()) return FieldError(name, "expected an object");
  return JsonObject(v, route_, FieldPath(name));
}

core::Result<std::optional<core::Decimal>> JsonObject::OptionalDecimal(const char* name) const {
  const rapidjson::Value* v = Find(name);
  if (v == nullptr || v->IsNull()) return std::optional<core::Decimal>();
  // Numbers arrive as strings (kParseNumbersAsStringsFlag); anything else is a type error.
  if (!v->IsString()) return FieldError(name, "expected a number or numeric string");
  const auto d = core::Decimal::Parse(AsView(*v));
  if (!d) return FieldError(name, "not a number");
  return std::optional<core::Decimal>(*d);
}

core::Result<core::Decimal> JsonObject::Decimal(const char* name) const {
  auto d = OptionalDecimal(name);
  if (!d.ok()) return std::move(d).error();
  if (!d->has_value()) {
    return FieldError(name, Find(name) == nullptr ? "missing" : "null");
  }
  return **d;
}

core::Result<std::int64_t> JsonObject::Int(const char* name) const {
  auto d = Decimal(name);
  if (!d.ok()) return std::move(d).error();
  const core::Int128 scale = core::Decimal::FromInt(1).raw();
  const core::Int128 raw = d->raw();
  if (raw % scale != 0) return FieldError(name, "expected an integer");
  const core::Int128 v = raw / scale;
  if (v > std::numeric_limits<std::int64_t>::max() ||
      v < std::numeric_limits<std::int64_t>::min()) {
    return FieldError(name, "integer out of range");
  }
  return static_cast<std::int64_t>(v);
}

core::Result<std::string> JsonObject::String(const char* name) const {
  const rapidjson::Value* v = Find(name);
  if (v == nullptr) return FieldError(name, "missing");
  if (!v->IsString()) return FieldError(name, "expected a string");
  return std::string(AsView(*v));
}

core::Result<double> JsonObject::Timestamp(const char* name) const {
  auto s = String(name);
  if (!s.ok()) return std::move(s).error();
  const auto t = ParseIsoTimestamp(*s);
  if (!t) return FieldError(name, "not an ISO-8601 timestamp");
  return *t;
}

std::string UpstreamErrorCode(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<kJsonParseFlags>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  auto pick = [](const rapidjson::Value& obj, const char* key) -> std::string_view {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return {};
    return AsView(it->value);
  };
  std::string_view code;
  // Through a const view: comparing RapidJSON's non-const member iterators is ambiguous under
  // C++20's reversed operators (clang -Wambiguous-reversed-operator).
  const rapidjson::Value& root = doc;
  const auto detail = root.FindMember("detail");
  if (detail != root.MemberEnd() && detail->value.IsObject()) {
    code = pick(detail->value, "error_code");
    if (code.empty()) code = pick(detail->value, "error");
  } else if (detail != root.MemberEnd() && detail->value.IsArray()) {
    code = "validation_error";
  }
  if (code.empty()) code = pick(doc, "code");
  if (code.empty()) code = pick(doc, "error");
  std::string out;
  for (char c : code.substr(0, 60)) {
    const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == ' ' || c == '.' || c == '-';
    out.push_back(safe ? c : '?');
  }
  return out;
}

bool ParseVersionedBlob(std::string_view blob, int version, rapidjson::Document& doc) {
  doc.Parse(blob.data(), blob.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const auto v = std::as_const(doc).FindMember("v");
  return v != std::as_const(doc).MemberEnd() && v->value.IsInt() && v->value.GetInt() == version;
}

}  // namespace akash::collectors
