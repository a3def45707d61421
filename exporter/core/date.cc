#include "exporter/core/date.h"

#include <cstdio>

namespace akash::core {

Date Date::FromYmd(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  return FromDays(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::optional<Date> Date::Parse(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return FromDays(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

Date Date::FromTime(std::chrono::system_clock::time_point t) {
  return FromDays(std::chrono::floor<std::chrono::days>(t).time_since_epoch().count());
}

namespace {
std::chrono::year_month_day Ymd(std::int64_t days) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}
}  // namespace

int Date::year() const { return static_cast<int>(Ymd(days_).year()); }
unsigned Date::month() const { return static_cast<unsigned>(Ymd(days_).month()); }
unsigned Date::day() const { return static_cast<unsigned>(Ymd(days_).day()); }
Date Date::FirstOfMonth() const { return FromYmd(year(), month(), 1); }
Date Date::FirstOfYear() const { return FromYmd(year(), 1, 1); }

std::chrono::system_clock::time_point Date::Midnight() const {
  return std::chrono::system_clock::time_point{std::chrono::days{days_}};
}

std::string Date::ToString() const {
  const auto ymd = Ymd(days_);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace akash::core
