#pragma once
// Prometheus text exposition format 0.0.4, written by hand so escaping and number formatting
// are exactly specified: HELP escapes '\\' and '\n'; label values escape '\\', '"' and '\n';
// values use the shortest round-trip form, with NaN, +Inf and -Inf spelled as the format asks.
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

namespace akash::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

void AppendFamily(std::string& out, const prometheus::MetricFamily& family);
// The two halves of AppendFamily, so one family can be written from several snapshots' parts.
void AppendFamilyHeader(std::string& out, const prometheus::MetricFamily& family);
void AppendSamples(std::string& out, const prometheus::MetricFamily& family);
std::string Serialize(const std::vector<prometheus::MetricFamily>& families);
void AppendValue(std::string& out, double value);

}  // namespace akash::metrics
