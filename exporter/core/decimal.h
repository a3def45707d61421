#pragma once
// Exact decimal arithmetic for money.
//
// Upstream amounts arrive as chain DecCoin strings with 18 fractional digits, integer strings,
// JSON numbers in micro-units ("198821549.899183", "1e-05", "1.5e+16") and numeric strings.
// Decimal keeps them as a signed 128-bit integer scaled by 1e18, so sums over any number of
// leases are exact; conversion to double happens only at export. Range: |x| < 1.7e20, which
// holds every realistic micro-unit total (the whole AKT supply is ~2.6e14 uakt).
//
// Thread-safety: a value type; no shared state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace akash::core {

// __int128 is a GCC/Clang extension; the typedef keeps -Wpedantic quiet in one place.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

class Decimal {
 public:
  static constexpr int kScaleDigits = 18;

  constexpr Decimal() = default;
  static Decimal FromInt(std::int64_t v);
  // Parses "[-+]digits[.digits][(e|E)[-+]digits]" exactly. Digits beyond the 18th fractional
  // place are truncated toward zero. Returns nullopt on anything else (empty, garbage,
  // overflow, "nan", "inf").
  static std::optional<Decimal> Parse(std::string_view text);
  // Exact conversion from a double's shortest decimal representation.
  static Decimal FromDouble(double v);

  Decimal operator+(Decimal o) const { return Raw(raw_ + o.raw_); }
  Decimal operator-(Decimal o) const { return Raw(raw_ - o.raw_); }
  Decimal& operator+=(Decimal o) { raw_ += o.raw_; return *this; }
  Decimal& operator-=(Decimal o) { raw_ -= o.raw_; return *this; }
  Decimal operator-() const { return Raw(-raw_); }
  // Multiplication by an integer count (blocks, units): exact.
  Decimal MulInt(std::int64_t n) const { return Raw(raw_ * n); }
  // Division by a power of ten (e.g. 6 turns micro-units into whole units). Truncates beyond
  // the 18th fractional digit.
  Decimal ShiftDown(int digits) const;
  auto operator<=>(const Decimal&) const = default;

  bool IsZero() const { return raw_ == 0; }
  bool IsNegative() const { return raw_ < 0; }
  // Closest double to the exact value.
  double ToDouble() const;
  // Canonical form: no trailing fractional zeros, "0" for zero, e.g. "152.341".
  std::string ToString() const;

  Int128 raw() const { return raw_; }
  static Decimal Raw(Int128 r) { Decimal d; d.raw_ = r; return d; }

 private:
  Int128 raw_ = 0;
};

}  // namespace akash::core
