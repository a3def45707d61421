#pragma once
// JSON output helpers: number formats of the real services (JavaScript's JSON.stringify,
// Python's json.dumps), and body rewrites used by faults.
// Thread-safety: pure functions.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>

namespace akash::sim {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Number text as JavaScript prints it: "36", "1.73", "1e+21", "1e-7".
std::string JsNumber(double v);
// Number text as Python's float repr prints it: "0.0", "62549.30588271079", "1e-05", "1.5e+16".
std::string PyFloat(double v);
// Always scientific, Python style: "1.98821549899183e+08".
std::string SciFloat(double v);

inline void WriteRaw(JsonWriter& w, const std::string& text) {
  w.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}
inline void WriteJs(JsonWriter& w, double v) { WriteRaw(w, JsNumber(v)); }
inline void WriteStr(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void WriteKey(JsonWriter& w, std::string_view s) {
  w.Key(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

enum class JsonRewrite {
  kNumericStrings,  // every number becomes a string with the same digits
  kExponentFloats,  // every number with a fraction or exponent is rewritten in e-notation
  kWrongTypes,      // numbers become "not-a-number", numeric strings become false
};

// Rewrites a JSON document; nullopt when `body` is not JSON (it is then left alone).
std::optional<std::string> RewriteJson(std::string_view body, JsonRewrite mode);

}  // namespace akash::sim
