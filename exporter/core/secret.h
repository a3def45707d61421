#pragma once
// A secret (API key). It cannot be streamed or formatted; the only way out is reveal(), which
// the HTTP layer calls when it sets a request header. Keeping the type distinct makes an
// accidental log line a compile error rather than a leak.
// Thread-safety: a value type.

#include <string>
#include <utility>

namespace akash::core {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }
  friend bool operator==(const Secret& a, const Secret& b) { return a.value_ == b.value_; }

 private:
  std::string value_;
};

}  // namespace akash::core
