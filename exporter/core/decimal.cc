#include "exporter/core/decimal.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace akash::core {
namespace {

constexpr Int128 Pow10(int n) {
  Int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}
constexpr Int128 kScale = Pow10(Decimal::kScaleDigits);
// Largest magnitude we accept before multiplying by 10 again.
constexpr Int128 kLimit = (static_cast<Int128>(1) << 125) / 10;

}  // namespace

Decimal Decimal::FromInt(std::int64_t v) { return Raw(static_cast<Int128>(v) * kScale); }

std::optional<Decimal> Decimal::Parse(std::string_view s) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    negative = s[i] == '-';
    ++i;
  }
  // Collect the significant digits as an integer and the position of the decimal point.
  Int128 mantissa = 0;
  int frac_digits = 0;      // digits after the point that went into mantissa
  int dropped_int = 0;      // integer digits not stored (never happens within range)
  bool any_digit = false;
  bool in_frac = false;
  bool saturated = false;   // further fractional digits are below our precision
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (in_frac) {
        if (saturated || frac_digits >= 40) continue;
        if (mantissa > kLimit) { saturated = true; continue; }
        mantissa = mantissa * 10 + (c - '0');
        ++frac_digits;
      } else {
        if (mantissa > kLimit) return std::nullopt;
        mantissa = mantissa * 10 + (c - '0');
      }
    } else if (c == '.' && !in_frac) {
      in_frac = true;
    } else {
      break;
    }
  }
  (void)dropped_int;
  if (!any_digit) return std::nullopt;
  int exponent = 0;
  if (i < s.size()) {
    if (s[i] != 'e' && s[i] != 'E') return std::nullopt;
    ++i;
    const char* begin = s.data() + i;
    const char* end = s.data() + s.size();
    if (begin < end && *begin == '+') ++begin;
    auto [ptr, ec] = std::from_chars(begin, end, exponent);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    if (exponent > 60 || exponent < -80) {
      if (exponent < 0) return Decimal();  // underflows to zero
      if (mantissa == 0) return Decimal();
      return std::nullopt;
    }
  }
  // value = mantissa * 10^(exponent - frac_digits); we store value * 10^18.
  int shift = kScaleDigits + exponent - frac_digits;
  Int128 raw = mantissa;
  if (shift >= 0) {
    for (int k = 0; k < shift; ++k) {
      if (raw > kLimit) return std::nullopt;
      raw *= 10;
    }
  } else {
    for (int k = 0; k < -shift && raw != 0; ++k) raw /= 10;
  }
  return Raw(negative ? -raw : raw);
}

Decimal Decimal::FromDouble(double v) {
  if (!std::isfinite(v)) return Decimal();
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return Decimal();
  return Parse(std::string_view(buf, static_cast<std::size_t>(ptr - buf))).value_or(Decimal());
}

Decimal Decimal::ShiftDown(int digits) const {
  Int128 r = raw_;
  for (int k = 0; k < digits; ++k) r /= 10;
  return Raw(r);
}

double Decimal::ToDouble() const {
  // Integer and fractional parts are each exactly representable in long double far enough that
  // the final rounding to double is correct to within one ulp.
  const Int128 ip = raw_ / kScale;
  const Int128 fp = raw_ % kScale;
  const long double v = static_cast<long double>(ip) +
                        static_cast<long double>(fp) / static_cast<long double>(kScale);
  return static_cast<double>(v);
}

std::string Decimal::ToString() const {
  Int128 r = raw_;
  const bool negative = r < 0;
  UInt128 u = negative ? static_cast<UInt128>(-(r + 1)) + 1
                                 : static_cast<UInt128>(r);
  const UInt128 scale = static_cast<UInt128>(kScale);
  UInt128 ip = u / scale;
  UInt128 fp = u % scale;
  std::string int_part;
  do {
    int_part.insert(int_part.begin(), static_cast<char>('0' + static_cast<int>(ip % 10)));
    ip /= 10;
  } while (ip != 0);
  std::string out = negative ? "-" + int_part : int_part;
  if (fp != 0) {
    std::string frac(kScaleDigits, '0');
    for (int k = kScaleDigits - 1; k >= 0; --k) {
      frac[static_cast<std::size_t>(k)] = static_cast<char>('0' + static_cast<int>(fp % 10));
      fp /= 10;
    }
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out;
}

}  // namespace akash::core
