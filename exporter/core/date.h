#pragma once
// Calendar dates in UTC (proleptic Gregorian), for day-granular upstream windows.
// Thread-safety: a value type.

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace akash::core {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(std::int64_t days_since_epoch) { Date d; d.days_ = days_since_epoch; return d; }
  static Date FromYmd(int year, unsigned month, unsigned day);
  // Strict "YYYY-MM-DD" with a real calendar day; nullopt otherwise.
  static std::optional<Date> Parse(std::string_view text);
  // The UTC day containing the time point.
  static Date FromTime(std::chrono::system_clock::time_point t);

  std::int64_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  Date AddDays(std::int64_t n) const { return FromDays(days_ + n); }
  Date FirstOfMonth() const;
  Date FirstOfYear() const;
  // 00:00:00 UTC of this day.
  std::chrono::system_clock::time_point Midnight() const;
  double MidnightSeconds() const { return static_cast<double>(days_) * 86400.0; }
  std::string ToString() const;  // "YYYY-MM-DD"

  friend constexpr auto operator<=>(Date a, Date b) { return a.days_ <=> b.days_; }
  friend constexpr bool operator==(Date a, Date b) { return a.days_ == b.days_; }

 private:
  std::int64_t days_ = 0;
};

}  // namespace akash::core
