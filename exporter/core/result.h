#pragma once
// Result<T>: a value or an Error. C++20 on GCC 12 has no std::expected, so this is the small
// in-house stand-in the house style asks for.

#include <cassert>
#include <utility>
#include <variant>

#include "exporter/core/error.h"

namespace akash::core {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const noexcept { return std::holds_alternative<T>(v_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { assert(!ok()); return std::get<Error>(v_); }
  Error&& error() && { assert(!ok()); return std::get<Error>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error MakeError(ErrorReason reason, std::string message) {
  return Error{reason, std::move(message), std::nullopt};
}

}  // namespace akash::core
