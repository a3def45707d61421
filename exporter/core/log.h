#pragma once
// Structured logging in logfmt or JSON, to stderr by default.
// Fields are key/value strings; a Secret cannot be passed (it has no conversion to string),
// which is how keys stay out of logs.
// Thread-safety: all functions are safe from any thread; lines are written whole.

#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace akash::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view s);
std::optional<LogFormat> ParseLogFormat(std::string_view s);

using LogField = std::pair<std::string_view, std::string>;

class Logger {
 public:
  static Logger& Get();
  void Configure(LogLevel level, LogFormat format);
  // Redirects output (tests); nullptr restores stderr. The stream must outlive its use.
  void SetSink(std::ostream* sink);
  bool Enabled(LogLevel level) const;
  void Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields);

 private:
  Logger() = default;
  struct Impl;
  Impl& impl();
};

inline void LogDebug(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Logger::Get().Write(LogLevel::kDebug, msg, f);
}
inline void LogInfo(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Logger::Get().Write(LogLevel::kInfo, msg, f);
}
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Logger::Get().Write(LogLevel::kWarn, msg, f);
}
inline void LogError(std::string_view msg, std::initializer_list<LogField> f = {}) {
  Logger::Get().Write(LogLevel::kError, msg, f);
}

}  // namespace akash::core
