#pragma once
// Structured logging in logfmt or JSON, to stderr by default.
// Fields are key/value pairs (strings, numbers, booleans); a Secret cannot be passed (it has no
// conversion to a field), which is how keys stay out of logs.
// Thread-safety: all functions are safe from any thread; lines are written whole.

#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace akash::core {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

std::optional<LogLevel> ParseLogLevel(std::string_view s);
std::optional<LogFormat> ParseLogFormat(std::string_view s);

// One key/value pair of a log line. A field built from a number knows it is numeric, so JSON
// output writes it as a JSON number (`"bytes":1234`) while logfmt output is the same either way.
// Booleans are written as JSON `true`/`false`. Non-finite doubles have no JSON number form and
// are written as strings ("NaN", "+Inf", "-Inf").
class LogField {
 public:
  enum class Kind { kString, kNumber, kBool };

  LogField(std::string_view key, std::string value) : key_(key), value_(std::move(value)) {}
  LogField(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  LogField(std::string_view key, const char* value) : key_(key), value_(value) {}
  LogField(std::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), kind_(Kind::kBool) {}
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>)
  LogField(std::string_view key, T value)
      : key_(key), value_(std::to_string(value)), kind_(Kind::kNumber) {}
  LogField(std::string_view key, double value);
  LogField(std::string_view key, float value) : LogField(key, static_cast<double>(value)) {}

  std::string_view key() const { return key_; }
  const std::string& value() const { return value_; }
  Kind kind() const { return kind_; }

 private:
  std::string_view key_;
  std::string value_;
  Kind kind_ = Kind::kString;
};

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
