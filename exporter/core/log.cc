#include "exporter/core/log.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <mutex>

namespace akash::core {

struct Logger::Impl {
  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  std::atomic<int> format{static_cast<int>(LogFormat::kLogfmt)};
  std::mutex mu;
  std::ostream* sink = nullptr;
};

Logger& Logger::Get() {
  static Logger logger;
  return logger;
}

Logger::Impl& Logger::impl() {
  static Impl impl;
  return impl;
}

LogField::LogField(std::string_view key, double value) : key_(key) {
  if (std::isnan(value)) {
    value_ = "NaN";
  } else if (std::isinf(value)) {
    value_ = value > 0 ? "+Inf" : "-Inf";
  } else {
    // Shortest text that reads back as the same double; always a valid JSON number.
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    value_.assign(buf, ec == std::errc() ? end : buf);
    kind_ = Kind::kNumber;
  }
}

std::optional<LogLevel> ParseLogLevel(std::string_view s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return std::nullopt;
}

std::optional<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "logfmt") return LogFormat::kLogfmt;
  if (s == "json") return LogFormat::kJson;
  return std::nullopt;
}

void Logger::Configure(LogLevel level, LogFormat format) {
  impl().level = static_cast<int>(level);
  impl().format = static_cast<int>(format);
}

void Logger::SetSink(std::ostream* sink) {
  std::lock_guard lock(impl().mu);
  impl().sink = sink;
}

bool Logger::Enabled(LogLevel level) const {
  return static_cast<int>(level) >= const_cast<Logger*>(this)->impl().level.load();
}

namespace {

std::string_view LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// Backslash escapes shared by both formats: quote, backslash, and control characters.
void AppendEscaped(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
}

void AppendJsonString(std::string& out, std::string_view v) {
  out.push_back('"');
  AppendEscaped(out, v);
  out.push_back('"');
}

// logfmt quotes a value only when it must (empty, or holding a space, '=', '"' or a control
// character).
void AppendLogfmtValue(std::string& out, std::string_view v) {
  bool quote = v.empty();
  for (char c : v) {
    if (c == ' ' || c == '=' || c == '"' || static_cast<unsigned char>(c) < 0x20) quote = true;
  }
  if (quote) {
    AppendJsonString(out, v);
  } else {
    out.append(v);
  }
}

}  // namespace

void Logger::Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(128);
  if (static_cast<LogFormat>(impl().format.load()) == LogFormat::kJson) {
    line += "{\"time\":";
    AppendJsonString(line, Timestamp());
    line += ",\"level\":";
    AppendJsonString(line, LevelName(level));
    line += ",\"msg\":";
    AppendJsonString(line, msg);
    for (const auto& f : fields) {
      line.push_back(',');
      AppendJsonString(line, f.key());
      line.push_back(':');
      if (f.kind() == LogField::Kind::kString) {
        AppendJsonString(line, f.value());
      } else {
        line.append(f.value());
      }
    }
    line += "}\n";
  } else {
    line += "time=" + Timestamp() + " level=";
    line += LevelName(level);
    line += " msg=";
    AppendLogfmtValue(line, msg);
    for (const auto& f : fields) {
      line.push_back(' ');
      line.append(f.key());
      line.push_back('=');
      AppendLogfmtValue(line, f.value());
    }
    line.push_back('\n');
  }
  std::lock_guard lock(impl().mu);
  std::ostream& os = impl().sink ? *impl().sink : std::cerr;
  os << line;
  os.flush();
}

}  // namespace akash::core
