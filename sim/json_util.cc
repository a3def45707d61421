#include "sim/json_util.h"

#include <rapidjson/reader.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace akash::sim {
namespace {

// Shortest round-trip digits and decimal exponent: v = 0.d1d2d3... × 10^point.
struct Digits {
  bool negative = false;
  std::string digits;  // no leading/trailing zeros, at least one digit
  int exponent = 0;    // scientific exponent: v = d1.d2d3... × 10^exponent
};

Digits Shortest(double v) {
  Digits d;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  std::size_t i = 0;
  if (s[0] == '-') {
    d.negative = true;
    i = 1;
  }
  std::size_t e = s.find('e');
  for (std::size_t k = i; k < e; ++k) {
    if (s[k] != '.') d.digits.push_back(s[k]);
  }
  d.exponent = std::atoi(s.c_str() + e + 1);
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  return d;
}

std::string Fixed(const Digits& d, bool point_zero) {
  std::string out = d.negative ? "-" : "";
  int n = static_cast<int>(d.digits.size());
  if (d.exponent >= 0) {
    if (d.exponent + 1 >= n) {
      out += d.digits + std::string(static_cast<std::size_t>(d.exponent + 1 - n), '0');
      if (point_zero) out += ".0";
    } else {
      // Appended piece by piece: the `"." + std::string` form trips GCC 12's false
      // -Wrestrict inside libstdc++ at -O3.
      const auto point = static_cast<std::size_t>(d.exponent + 1);
      out.append(d.digits, 0, point);
      out.push_back('.');
      out.append(d.digits, point);
    }
  } else {
    out += "0.";
    out.append(static_cast<std::size_t>(-d.exponent - 1), '0');
    out += d.digits;
  }
  return out;
}

std::string Sci(const Digits& d) {
  std::string out = d.negative ? "-" : "";
  out += d.digits.substr(0, 1);
  if (d.digits.size() > 1) {
    out.push_back('.');
    out.append(d.digits, 1);
  }
  char e[16];
  std::snprintf(e, sizeof e, "e%c%02d", d.exponent < 0 ? '-' : '+', std::abs(d.exponent));
  return out + e;
}

}  // namespace

std::string JsNumber(double v) {
  if (!std::isfinite(v)) return "null";
  if (v == 0) return "0";
  Digits d = Shortest(v);
  if (d.exponent >= 21 || d.exponent < -6) {
    std::string s = Sci(d);
    // JavaScript writes at least one exponent digit, not two: 1e+21, 1e-7.
    std::size_t e = s.find('e');
    std::string mant = s.substr(0, e);
    int exp = d.exponent;
    mant += exp < 0 ? "e-" : "e+";
    mant += std::to_string(std::abs(exp));
    return mant;
  }
  return Fixed(d, false);
}

std::string PyFloat(double v) {
  if (!std::isfinite(v)) return "NaN";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  Digits d = Shortest(v);
  if (d.exponent >= 16 || d.exponent < -4) return Sci(d);
  return Fixed(d, true);
}

std::string SciFloat(double v) {
  if (v == 0) return "0e+00";
  return Sci(Shortest(v));
}

namespace {

bool LooksNumeric(const char* s, rapidjson::SizeType n) {
  if (n == 0) return false;
  rapidjson::SizeType i = (s[0] == '-') ? 1 : 0;
  if (i == n) return false;
  bool digit = false;
  for (; i < n; ++i) {
    if (s[i] >= '0' && s[i] <= '9')
      digit = true;
    else if (s[i] != '.')
      return false;
  }
  return digit;
}

struct RewriteHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RewriteHandler> {
  RewriteHandler(JsonWriter& w, JsonRewrite m) : out(w), mode(m) {}
  JsonWriter& out;
  JsonRewrite mode;
  bool Null() { return out.Null(); }
  bool Bool(bool b) { return out.Bool(b); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    switch (mode) {
      case JsonRewrite::kNumericStrings:
        return out.String(s, n);
      case JsonRewrite::kWrongTypes:
        return out.String("not-a-number");
      case JsonRewrite::kExponentFloats: {
        std::string text(s, n);
        if (text.find_first_of(".eE") == std::string::npos) {
          return out.RawValue(s, n, rapidjson::kNumberType);
        }
        std::string sci = SciFloat(std::strtod(text.c_str(), nullptr));
        return out.RawValue(sci.data(), sci.size(), rapidjson::kNumberType);
      }
    }
    return false;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (mode == JsonRewrite::kWrongTypes && LooksNumeric(s, n)) return out.Bool(false);
    return out.String(s, n);
  }
  bool StartObject() { return out.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return out.Key(s, n); }
  bool EndObject(rapidjson::SizeType n) { return out.EndObject(n); }
  bool StartArray() { return out.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return out.EndArray(n); }
};

}  // namespace

std::optional<std::string> RewriteJson(std::string_view body, JsonRewrite mode) {
  rapidjson::StringBuffer buf;
  JsonWriter writer(buf);
  RewriteHandler handler(writer, mode);
  rapidjson::Reader reader;
  std::string copy(body);
  rapidjson::StringStream ss(copy.c_str());
  if (!reader.Parse<rapidjson::kParseNumbersAsStringsFlag>(ss, handler)) return std::nullopt;
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace akash::sim
