#include "sim/options.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "exporter/core/date.h"

namespace akash::sim {

std::optional<std::int64_t> ParseRfc3339Ms(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  auto date = core::Date::Parse(s.substr(0, 10));
  if (!date) return std::nullopt;
  auto two = [&](std::size_t at) -> int {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9')
      return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int hh = two(11), mm = two(14), ss = two(17);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::size_t i = 19;
  std::int64_t ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 3; ++d) ms *= 10;
  }
  std::int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = two(i + 1), om = two(i + 4);
    if (oh < 0 || om < 0) return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return (date->days() * 86400 + hh * 3600 + mm * 60 + ss - offset_s) * 1000 + ms;
}

std::optional<std::int64_t> ParseDurationMs(std::string_view s) {
  std::size_t unit_at = 0;
  while (unit_at < s.size() && ((s[unit_at] >= '0' && s[unit_at] <= '9') || s[unit_at] == '.'))
    ++unit_at;
  if (unit_at == 0) return std::nullopt;
  double value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + unit_at, value);
  if (ec != std::errc() || p != s.data() + unit_at) return std::nullopt;
  std::string_view unit = s.substr(unit_at);
  double scale;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else
    return std::nullopt;
  return static_cast<std::int64_t>(std::llround(value * scale));
}

std::optional<std::string> WriteDemoFiles(const World& world, int port, const std::string& dir,
                                          std::string* error) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create " + dir + ": " + std::strerror(errno);
    return std::nullopt;
  }
  auto write = [&](const std::string& name,
                   const std::string& secret) -> std::optional<std::string> {
    std::string path = dir + "/" + name;
    {
      std::ofstream out(path, std::ios::trunc);
      if (!out) {
        *error = "cannot write " + path;
        return std::nullopt;
      }
      out << secret << "\n";
    }
    chmod(path.c_str(), 0600);
    return path;
  };
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::string y;
  y += "# akash_exporter configuration for the akash_sim demo (" + base + ").\n";
  y += "providers:\n";
  for (std::size_t i = 0; i < world.providers().size(); ++i) {
    const Provider& p = world.providers()[i];
    y += "  - address: " + p.address + "\n";
    if (i == 0) {
      auto path = write("provider-" + std::to_string(i + 1) + ".earnings.key", p.earnings_api_key);
      if (!path) return std::nullopt;
      y += "    earnings_api_key_file: " + *path + "\n";
    }
  }
  y += world.tenants().empty() ? "tenants: []\n" : "tenants:\n";
  for (std::size_t i = 0; i < world.tenants().size(); ++i) {
    const Tenant& t = world.tenants()[i];
    auto path = write("tenant-" + std::to_string(i + 1) + ".console.key", t.console_api_key);
    if (!path) return std::nullopt;
    bool key_only = world.tenants().size() > 1 && i + 1 == world.tenants().size();
    if (key_only) {
      y += "  - console_api_key_file: " + *path + "\n";
    } else {
      y += "  - address: " + t.address + "\n";
      y += "    console_api_key_file: " + *path + "\n";
    }
  }
  y += "endpoints:\n";
  y += "  console_api: " + base + "\n";
  y += "  provider_console_api: " + base + "\n";
  y += "  chain_rest: [" + base + "]\n";
  y += "sources:\n";
  y += "  provider_dashboard: {interval: 15s}\n";
  y += "  provider_earnings: {interval: 5m}\n";
  y += "  chain_leases: {interval: 15s, page_limit: 1000}\n";
  y += "  market: {interval: 1m}\n";
  y += "  tenant_usage: {interval: 1m}\n";
  y += "  tenant_billing: {interval: 1m}\n";
  return y;
}

}  // namespace akash::sim
