#include "collectors/common.h"

#include "collectors/json.h"

namespace akash::collectors {

std::string JoinUrl(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string url(base);
  url += '/';
  url += path;
  return url;
}

core::Error UpstreamHttpError(const core::Request& request, const core::Response& response) {
  core::Error e = core::HttpError(request, response);
  const std::string code = UpstreamErrorCode(response.body);
  if (!code.empty()) e.message += " (" + code + ")";
  return e;
}

core::TakeRateRegime RegimeFor(core::Date day, const std::vector<core::TakeRateRegime>& regimes) {
  for (const auto& regime : regimes) {
    if (!regime.until || day < *regime.until) return regime;
  }
  // Every regime ended before `day` (a schedule without an open-ended tail): the protocol
  // no longer takes anything, which is what the chain does after BME.
  return core::TakeRateRegime{};
}

core::Decimal MulRatio(core::Decimal amount, core::Decimal ratio) {
  const core::Int128 scale = core::Decimal::FromInt(1).raw();
  const core::Int128 a = amount.raw();
  const core::Int128 r = ratio.raw();
  // a·r / scale = (a_int·scale + a_frac)·r / scale = a_int·r + a_frac·r / scale. With r ≤ 1e18
  // and |a_frac| < 1e18 the second product stays below 1e36; the first is below 2^127 for
  // |amount| < 1.7e20, the Decimal range.
  const core::Int128 a_int = a / scale;
  const core::Int128 a_frac = a % scale;
  core::Int128 whole = 0;
  core::Int128 part = 0;
  if (__builtin_mul_overflow(a_int, r, &whole) || __builtin_mul_overflow(a_frac, r, &part)) {
    // Outside any realistic range; fall back to floating point rather than wrapping.
    return core::Decimal::FromDouble(amount.ToDouble() * ratio.ToDouble());
  }
  return core::Decimal::Raw(whole + part / scale);
}

}  // namespace akash::collectors
