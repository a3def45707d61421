#include "exporter/metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace akash::metrics {
namespace {

void AppendEscaped(std::string& out, std::string_view s, bool quote_too) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '"':
        if (quote_too) {
          out += "\\\"";
        } else {
          out.push_back(c);
        }
        break;
      default: out.push_back(c);
    }
  }
}

std::string_view TypeName(prometheus::MetricType t) {
  switch (t) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Histogram: return "histogram";
    case prometheus::MetricType::Untyped: return "untyped";
  }
  return "untyped";
}

double ValueOf(prometheus::MetricType t, const prometheus::ClientMetric& m) {
  switch (t) {
    case prometheus::MetricType::Counter: return m.counter.value;
    case prometheus::MetricType::Gauge: return m.gauge.value;
    default: return m.untyped.value;
  }
}

}  // namespace

void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    // Whole numbers (counts, timestamps) print in full rather than as 1.7e+09.
    const bool integral = std::fabs(v) < 1e15 && v == std::trunc(v);
    auto [ptr, ec] = integral ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                              : std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ptr);
  }
}

void AppendFamily(std::string& out, const prometheus::MetricFamily& family) {
  AppendFamilyHeader(out, family);
  AppendSamples(out, family);
}

void AppendFamilyHeader(std::string& out, const prometheus::MetricFamily& family) {
  out += "# HELP ";
  out += family.name;
  out.push_back(' ');
  AppendEscaped(out, family.help, false);
  out += "\n# TYPE ";
  out += family.name;
  out.push_back(' ');
  out += TypeName(family.type);
  out.push_back('\n');
}

void AppendSamples(std::string& out, const prometheus::MetricFamily& family) {
  for (const auto& m : family.metric) {
    out += family.name;
    if (!m.label.empty()) {
      out.push_back('{');
      bool first = true;
      for (const auto& l : m.label) {
        if (!first) out.push_back(',');
        first = false;
        out += l.name;
        out += "=\"";
        AppendEscaped(out, l.value, true);
        out.push_back('"');
      }
      out.push_back('}');
    }
    out.push_back(' ');
    AppendValue(out, ValueOf(family.type, m));
    out.push_back('\n');
  }
}

std::string Serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  out.reserve(families.size() * 256);
  for (const auto& f : families) AppendFamily(out, f);
  return out;
}

}  // namespace akash::metrics
