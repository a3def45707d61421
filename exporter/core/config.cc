#include "exporter/core/config.h"

#include "exporter/core/file_read.h"
#include "exporter/core/log.h"

#include <arpa/inet.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <span>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

namespace akash::core {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr milliseconds kDefaultTimeout{20'000};
constexpr int kDefaultStalenessFactor = 3;
// Keeps interval × 3 plus a wall-clock time point far from overflowing nanosecond clocks.
constexpr milliseconds kMaxDuration{365LL * 24 * 3600 * 1000};
constexpr std::uint32_t kMinPageLimit = 1;
constexpr std::uint32_t kMaxPageLimit = 10'000;
constexpr std::uint32_t kMaxMaxLeaseSeries = 1'000'000;
// A key file is a few dozen bytes; the cap stops a mistyped path (a log, /dev/zero) early.
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
constexpr std::size_t kMaxConfigFileBytes = 16 * 1024 * 1024;
constexpr const char* kCredentialsDirectoryEnv = "CREDENTIALS_DIRECTORY";
constexpr const char* kEarningsKeyFormat = "akash_ followed by 64 lowercase hex digits";
constexpr const char* kConsoleKeyFormat = "ac.sk.<env>.<key>";

// ---------------------------------------------------------------------------------------------
// Addresses: bech32 (BIP-173) with the "akash" human-readable part.

constexpr std::string_view kBech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::string_view kAkashHrp = "akash";
constexpr std::size_t kMinAddressLength = 39;
constexpr std::size_t kMaxAddressLength = 90;

std::uint32_t Bech32Polymod(const std::vector<std::uint8_t>& values) {
  constexpr std::array<std::uint32_t, 5> kGenerator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                                       0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk = 1;
  for (std::uint8_t v : values) {
    const std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGenerator[i];
    }
  }
  return chk;
}

// Returns the reason an address is invalid, or nullopt when it is a well-formed akash address.
std::optional<std::string> CheckAkashAddress(std::string_view address) {
  const std::string prefix = std::string(kAkashHrp) + "1";
  if (address.substr(0, prefix.size()) != prefix) {
    return "must start with \"akash1\"";
  }
  if (address.size() < kMinAddressLength || address.size() > kMaxAddressLength) {
    return "has " + std::to_string(address.size()) + " characters, expected " +
           std::to_string(kMinAddressLength) + " to " + std::to_string(kMaxAddressLength);
  }
  std::vector<std::uint8_t> values;
  for (char c : kAkashHrp) values.push_back(static_cast<std::uint8_t>(c) >> 5);
  values.push_back(0);
  for (char c : kAkashHrp) values.push_back(static_cast<std::uint8_t>(c) & 31);
  for (char c : address.substr(prefix.size())) {
    if (c >= 'A' && c <= 'Z') return std::string("must be lowercase");
    const auto pos = kBech32Charset.find(c);
    if (pos == std::string_view::npos) {
      return std::string("contains '") + c + "', which is not a bech32 character";
    }
    values.push_back(static_cast<std::uint8_t>(pos));
  }
  if (Bech32Polymod(values) != 1) return std::string("invalid checksum");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Keys.

bool IsEarningsKey(std::string_view key) {
  constexpr std::string_view kPrefix = "akash_";
  if (key.size() != kPrefix.size() + 64 || key.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(key.begin() + kPrefix.size(), key.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Tolerant on purpose: the Console's key format has changed before. A key travels in an HTTP
// header, so anything outside visible ASCII (a stray newline, a space) is refused.
bool IsConsoleKey(std::string_view key) {
  constexpr std::string_view kPrefix = "ac.sk.";
  if (key.size() <= kPrefix.size() || key.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// A key pasted where a path, a name or an address belongs; messages must not echo it.
bool LooksLikeKey(std::string_view text) {
  if (text.find("ac.sk.") != std::string_view::npos) return true;
  const auto prefix = text.find("akash_");
  if (prefix == std::string_view::npos) return false;
  const std::string_view rest = text.substr(prefix + 6);
  const auto hex_digits =
      std::find_if_not(rest.begin(), rest.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }) -
      rest.begin();
  return hex_digits >= 32;
}

// A value quoted for an error message, unless it might be a secret.
std::string Shown(std::string_view text) {
  if (LooksLikeKey(text)) return "(value not shown: it looks like an API key)";
  return "\"" + std::string(text) + "\"";
}

bool ExposedToOthers(const SmallFile& file) {
  if ((file.mode & 007) != 0) return true;
  if ((file.mode & 070) == 0) return false;
  if (file.gid == getegid()) return false;
  const int n = getgroups(0, nullptr);
  if (n > 0) {
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    const int got = getgroups(n, groups.data());
    for (int i = 0; i < got; ++i) {
      if (groups[static_cast<std::size_t>(i)] == file.gid) return false;
    }
  }
  return true;
}

std::string StripTrailingWhitespace(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  return s;
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

// ---------------------------------------------------------------------------------------------
// Durations: the Prometheus syntax, units in decreasing order, each at most once.

struct DurationUnit {
  std::string_view name;
  std::int64_t ms;
};
constexpr std::array<DurationUnit, 7> kDurationUnits = {{{"y", 365LL * 86'400'000},
                                                         {"w", 7LL * 86'400'000},
                                                         {"d", 86'400'000},
                                                         {"h", 3'600'000},
                                                         {"m", 60'000},
                                                         {"s", 1'000},
                                                         {"ms", 1}}};

enum class DurationParse { kOk, kGarbage, kNoUnit, kTooLong };

DurationParse ParseDuration(std::string_view text, milliseconds& out) {
  if (text.empty()) return DurationParse::kGarbage;
  if (text == "0") {
    out = milliseconds(0);
    return DurationParse::kOk;
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return DurationParse::kNoUnit;
  }
  std::int64_t total = 0;
  std::size_t next_unit = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > kMaxDuration.count()) return DurationParse::kTooLong;
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == digits_start) return DurationParse::kGarbage;
    const std::size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    std::size_t u = next_unit;
    while (u < kDurationUnits.size() && kDurationUnits[u].name != unit) ++u;
    if (u == kDurationUnits.size()) return DurationParse::kGarbage;
    next_unit = u + 1;
    if (number > kMaxDuration.count() / kDurationUnits[u].ms) return DurationParse::kTooLong;
    total += number * kDurationUnits[u].ms;
    if (total > kMaxDuration.count()) return DurationParse::kTooLong;
  }
  out = milliseconds(total);
  return DurationParse::kOk;
}

// Shortest Prometheus-style rendering: 90000 → "1m30s", 0 → "0s".
std::string FormatDuration(milliseconds d) {
  if (d.count() == 0) return "0s";
  std::string out;
  std::int64_t rest = d.count();
  for (const auto& unit : kDurationUnits) {
    if (unit.name == "y" || unit.name == "w") continue;  // "14d" reads better than "2w"
    if (rest >= unit.ms) {
      out += std::to_string(rest / unit.ms);
      out += unit.name;
      rest %= unit.ms;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// URLs.

// Returns the reason a base URL is unusable, or nullopt.
std::optional<std::string> CheckBaseUrl(std::string_view url) {
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else {
    return std::string("must start with http:// or https://");
  }
  if (std::any_of(url.begin(), url.end(), [](char c) { return c <= ' ' || c >= 0x7f; })) {
    return std::string("contains whitespace or a non-ASCII character");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return std::string("must not contain a query or fragment (it is a base URL)");
  }
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos) {
    // Credentials in a URL would end up in logs and on the landing page.
    return std::string("must not contain user:password@ credentials");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::string("has an unterminated IPv6 address");
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return std::string("has garbage after the host");
    if (!port.empty()) port.remove_prefix(1);
    if (host.size() <= 2) return std::string("has no host");
  } else {
    const auto colon = host.find(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      if (port.empty()) return std::string("has an empty port");
    }
  }
  if (host.empty()) return std::string("has no host");
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::string("has an invalid port");
    }
    const int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535) return std::string("has an invalid port");
  }
  return std::nullopt;
}

std::string StripTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// ---------------------------------------------------------------------------------------------
// The parser: walks the YAML tree once, validating as it goes; the first error throws.

using KeyList = std::span<const std::string_view>;

constexpr std::string_view kTopLevelKeys[] = {"providers", "tenants", "endpoints", "sources",
                                              "take_rates"};
constexpr std::string_view kProviderKeys[] = {"address", "earnings_api_key_file",
                                              "earnings_api_key_env"};
constexpr std::string_view kTenantKeys[] = {"address", "console_api_key_file",
                                            "console_api_key_env"};
constexpr std::string_view kEndpointKeys[] = {"console_api", "provider_console_api", "chain_rest"};
constexpr std::string_view kSourceKeys[] = {"enabled", "interval", "timeout", "max_staleness"};
constexpr std::string_view kChainLeasesKeys[] = {
    "enabled",    "interval",         "timeout",         "max_staleness",
    "page_limit", "per_lease_series", "max_lease_series"};
constexpr std::string_view kTakeRateKeys[] = {"until", "akt", "act"};

struct KeySpec {
  const char* file_key;
  const char* env_key;
  const char* label;  // for messages: "earnings API key"
  bool (*valid)(std::string_view);
  const char* format;
};

constexpr KeySpec kEarningsKeySpec = {"earnings_api_key_file", "earnings_api_key_env",
                                      "earnings API key", IsEarningsKey, kEarningsKeyFormat};
constexpr KeySpec kConsoleKeySpec = {"console_api_key_file", "console_api_key_env",
                                     "Console API key", IsConsoleKey, kConsoleKeyFormat};

// Where the content and document markers of a YAML text are (1-based lines, 0 for none).
struct DocumentScan {
  int first_content_line = 0;     // first line that is not blank, a comment or a marker
  int second_document_line = 0;   // a marker that starts a second document
};

DocumentScan ScanDocuments(const std::string& text) {
  DocumentScan scan;
  bool content = false;  // content seen in the current document
  bool ended = false;    // "..." closed the current document
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size() && scan.second_document_line == 0) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    ++line_no;
    pos = end + 1;
    auto is_marker = [&](std::string_view m) {
      return line.substr(0, 3) == m &&
             (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
    };
    if (is_marker("---")) {
      if (content || ended) {
        scan.second_document_line = line_no;
        break;
      }
      // "--- value" starts the document with content on the marker line itself.
      const auto rest = line.find_first_not_of(" \t\r", 3);
      if (rest != std::string_view::npos && line[rest] != '#') {
        content = true;
        if (scan.first_content_line == 0) scan.first_content_line = line_no;
      }
      continue;
    }
    if (is_marker("...")) {
      ended = content || ended;
      continue;
    }
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    if (ended) {
      scan.second_document_line = line_no;
      break;
    }
    content = true;
    if (scan.first_content_line == 0) scan.first_content_line = line_no;
    if (end == text.size()) break;
  }
  return scan;
}

class Parser {
 public:
  Parser(std::string path, const EnvLookup& env) : path_(std::move(path)), env_(env) {
    if (!path_.empty()) base_dir_ = fs::path(path_).parent_path();
  }

  Config Parse(const std::string& text) {
    text_ = text;
    // yaml-cpp 0.7's LoadAll never returns on some malformed input (",5" makes it append null
    // documents forever), so the file is read with Load, which stops after one document, and
    // further documents are found by their markers: "---" or "..." at column 0 always ends a
    // document in YAML, whatever block is open.
    const DocumentScan scan = ScanDocuments(text);
    if (scan.second_document_line > 0) {
      throw ConfigError(path_, scan.second_document_line,
                        "more than one YAML document; the config is a single document");
    }
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw ConfigError(path_, e.mark.is_null() ? 0 : e.mark.line + 1,
                        "YAML syntax error: " + e.msg);
    }
    Config config;
    config.path = path_;
    config.take_rates = DefaultTakeRates();
    for (const char* source : kAllSources) config.sources[source] = DefaultSourceSettings(source);
    if (!root.IsDefined() || root.IsNull()) {
      if (scan.first_content_line == 0) return config;  // empty or comments only: defaults
      throw ConfigError(path_, scan.first_content_line,
                        "the config must be a mapping of top-level keys");
    }
    if (!root.IsMap()) Fail(root, "the config must be a mapping of top-level keys");
    try {
      CheckKeys(root, kTopLevelKeys, "the top level");
      if (const auto node = root["providers"]; IsPresent(node)) ParseProviders(node, config);
      if (const auto node = root["tenants"]; IsPresent(node)) ParseTenants(node, config);
      if (const auto node = root["endpoints"]; IsPresent(node)) ParseEndpoints(node, config);
      if (const auto node = root["sources"]; IsPresent(node)) ParseSources(node, config);
      if (const auto node = root["take_rates"]; IsPresent(node)) ParseTakeRates(node, config);
    } catch (const YAML::Exception& e) {
      // Every shape is checked before it is used; this only keeps a missed case a ConfigError.
      throw ConfigError(path_, e.mark.is_null() ? 0 : e.mark.line + 1, e.msg);
    }
    return config;
  }

 private:
  // An absent key and an explicit null ("providers:" with every entry commented out) both mean
  // "use the default".
  static bool IsPresent(const YAML::Node& node) { return node.IsDefined() && !node.IsNull(); }

  // yaml-cpp marks an empty value ("address:") at the next token, often the next line; such
  // values are reported at their key, which CheckKeys remembers for every map it checks.
  int LineOf(const YAML::Node& node) const {
    if (node.IsNull()) {
      for (const auto& [value, key_line] : null_value_lines_) {
        if (value.is(node)) return key_line;
      }
    }
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return 0;
    if (node.IsNull()) return LineOfEmptyValue(mark);
    return mark.line + 1;
  }

  // An empty list entry ("-" alone) is marked at the token after it; it belongs to the last
  // line before that token holding something other than blanks or a comment.
  int LineOfEmptyValue(const YAML::Mark& mark) const {
    const std::size_t pos = std::min(static_cast<std::size_t>(mark.pos), text_.size());
    const std::string_view at = std::string_view(text_).substr(pos);
    if (at.starts_with("~") || at.starts_with("null") || at.starts_with("Null") ||
        at.starts_with("NULL")) {
      return mark.line + 1;  // an explicit null is marked where it is written
    }
    int line = mark.line;  // 0-based line of the mark
    std::size_t end = text_.rfind('\n', pos == 0 ? 0 : pos - 1);
    if (pos == 0 || end == std::string::npos) return mark.line + 1;
    // If the mark is not at the start of its line, the value's line is the mark's line.
    const std::string_view before_mark = std::string_view(text_).substr(end + 1, pos - end - 1);
    if (before_mark.find_first_not_of(" \t-") != std::string_view::npos) return mark.line + 1;
    while (end != std::string::npos && end > 0) {
      const std::size_t start = text_.rfind('\n', end - 1);
      const std::size_t first = start == std::string::npos ? 0 : start + 1;
      const std::string_view content = std::string_view(text_).substr(first, end - first);
      --line;
      const auto non_blank = content.find_first_not_of(" \t\r");
      if (non_blank != std::string_view::npos && content[non_blank] != '#') return line + 1;
      if (start == std::string::npos) break;
      end = start;
    }
    return mark.line + 1;
  }

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& reason) const {
    throw ConfigError(path_, LineOf(at), reason);
  }

  // Rejects keys outside `allowed` and repeated keys; yaml-cpp accepts both silently.
  void CheckKeys(const YAML::Node& map, KeyList allowed, const std::string& where) const {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) Fail(key, "keys in " + where + " must be plain names");
      const std::string& name = key.Scalar();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string reason = "unknown key " + Shown(name) + " in " + where;
        std::string_view suggestion;
        std::size_t best = 3;  // suggest only close matches
        for (std::string_view candidate : allowed) {
          const std::size_t distance = EditDistance(name, candidate);
          if (distance < best) {
            best = distance;
            suggestion = candidate;
          }
        }
        if (!suggestion.empty()) {
          reason += " (did you mean \"" + std::string(suggestion) + "\"?)";
        } else {
          reason += " (valid keys:";
          for (std::string_view candidate : allowed) reason += " " + std::string(candidate);
          reason += ")";
        }
        Fail(key, reason);
      }
      if (!seen.insert(name).second) Fail(key, "duplicate key \"" + name + "\" in " + where);
      if (entry.second.IsNull()) null_value_lines_.emplace_back(entry.second, LineOf(key));
    }
  }

  // The value of a key as text; `what` names it in messages.
  std::string ScalarText(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) Fail(node, what + " must be a single value, not a list or mapping");
    return node.Scalar();
  }

  std::string NonEmptyString(const YAML::Node& node, const std::string& what) const {
    if (node.IsNull()) Fail(node, what + " is empty");
    std::string text = ScalarText(node, what);
    if (text.empty()) Fail(node, what + " is empty");
    return text;
  }

  bool Bool(const YAML::Node& node, const std::string& what) const {
    const std::string text = node.IsNull() ? "" : ScalarText(node, what);
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    Fail(node, what + " must be true or false, not " + Shown(text));
  }

  std::uint32_t UnsignedInRange(const YAML::Node& node, const std::string& what, std::uint32_t min,
                                std::uint32_t max) const {
    const std::string text = node.IsNull() ? "" : ScalarText(node, what);
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    if (text.empty() || text.size() > 10 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      Fail(node, what + " must be a whole number in " + range + ", not " + Shown(text));
    }
    const std::uint64_t value = std::stoull(text);
    if (value < min || value > max) {
      Fail(node, what + " must be in " + range + ", not " + text);
    }
    return static_cast<std::uint32_t>(value);
  }

  milliseconds PositiveDuration(const YAML::Node& node, const std::string& what) const {
    const std::string text = node.IsNull() ? "" : ScalarText(node, what);
    milliseconds value{0};
    switch (ParseDuration(text, value)) {
      case DurationParse::kOk:
        break;
      case DurationParse::kNoUnit:
        Fail(node, what + " " + Shown(text) + " needs a unit, e.g. " + text + "s");
      case DurationParse::kTooLong:
        Fail(node, what + " " + Shown(text) + " is too long (at most " +
                       FormatDuration(kMaxDuration) + ")");
      case DurationParse::kGarbage:
        Fail(node,
             what + " " + Shown(text) + " is not a duration (examples: 500ms, 90s, 1m30s, 1h, 2d)");
    }
    if (value.count() <= 0) Fail(node, what + " must be greater than 0");
    return value;
  }

  std::string Address(const YAML::Node& node, const std::string& what) const {
    const std::string text = NonEmptyString(node, what);
    if (const auto problem = CheckAkashAddress(text)) {
      Fail(node, what + " " + Shown(text) + " is not an akash address: " + *problem);
    }
    return text;
  }

  std::string Url(const YAML::Node& node, const std::string& what) const {
    const std::string text = NonEmptyString(node, what);
    if (const auto problem = CheckBaseUrl(text)) {
      // A URL with user:password@ is refused and, like a key, not repeated.
      const bool has_credentials = text.find('@') != std::string::npos;
      Fail(node, what + " " + (has_credentials ? std::string("(value not shown)") : Shown(text)) +
                     " " + *problem);
    }
    return StripTrailingSlashes(text);
  }

  // Reads the key named by `spec` in `entry` from its file or environment variable. Messages
  // name paths and variables, never the key text.
  Secret ResolveKey(const YAML::Node& entry, const KeySpec& spec, const std::string& where,
                    std::string& origin) const {
    const YAML::Node file_node = entry[spec.file_key];
    const YAML::Node env_node = entry[spec.env_key];
    if (file_node.IsDefined() && env_node.IsDefined()) {
      Fail(env_node, where + ": set at most one of " + spec.file_key + " and " + spec.env_key);
    }
    if (file_node.IsDefined()) return ReadKeyFile(file_node, spec, where, origin);
    if (env_node.IsDefined()) return ReadKeyEnv(env_node, spec, where, origin);
    return Secret();
  }

  Secret ReadKeyFile(const YAML::Node& node, const KeySpec& spec, const std::string& where,
                     std::string& origin) const {
    const std::string what = where + "." + spec.file_key;
    const std::string text = NonEmptyString(node, what);
    if (LooksLikeKey(text)) {
      Fail(node, what + " must be the path of a file holding the key, not the key itself");
    }
    fs::path path(text);
    if (path.is_relative() && !base_dir_.empty()) path = base_dir_ / path;
    std::error_code ec;
    std::string how = "file";
    const bool exists = fs::exists(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
      Fail(node, what + ": cannot access key file " + path.string() + ": " + ec.message());
    }
    if (!exists) {
      // systemd LoadCredential: the service sees its credentials under $CREDENTIALS_DIRECTORY,
      // whose name depends on the unit; the file name stays the same.
      const auto credentials = env_(kCredentialsDirectoryEnv);
      const fs::path candidate = credentials && !credentials->empty() && path.has_filename()
                                     ? fs::path(*credentials) / path.filename()
                                     : fs::path();
      if (!candidate.empty() && fs::exists(candidate, ec)) {
        path = candidate;
        how = "credential";
      } else {
        std::string reason = what + ": key file " + path.string() + " does not exist";
        if (!candidate.empty()) reason += " (nor " + candidate.string() + ")";
        Fail(node, reason);
      }
    }
    // Never blocks: a FIFO or device is refused, a hung mount times out (file_read.h).
    const SmallFile file = ReadSmallFile(path.string(), kMaxKeyFileBytes);
    if (!file.ok) {
      Fail(node, what + ": cannot read key file " + path.string() + ": " + file.error);
    }
    if (ExposedToOthers(file)) {
      // Readable or writable by others, or by a group this process is not in: the key is
      // exposed to other local users. (A group of our own is fine: Kubernetes mounts Secret
      // files group-readable for the pod's fsGroup.)
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(file.mode & 07777));
      LogWarn("key file is accessible to other users; restrict it with chmod 0400",
              {{"file", path.string()}, {"mode", mode}, {"fix", "chmod 0400 " + path.string()}});
    }
    std::string content = file.content;
    content = StripTrailingWhitespace(std::move(content));
    if (content.empty()) Fail(node, what + ": key file " + path.string() + " is empty");
    if (!spec.valid(content)) {
      Fail(node, what + ": key file " + path.string() + " does not hold a valid " + spec.label +
                     " (expected " + spec.format + ")");
    }
    origin = how + " " + path.string();
    return Secret(std::move(content));
  }

  Secret ReadKeyEnv(const YAML::Node& node, const KeySpec& spec, const std::string& where,
                    std::string& origin) const {
    const std::string what = where + "." + spec.env_key;
    const std::string name = NonEmptyString(node, what);
    if (LooksLikeKey(name)) {
      Fail(node, what + " must name an environment variable holding the key, not be the key");
    }
    if (!IsEnvName(name)) {
      Fail(node, what + " " + Shown(name) + " is not a valid environment variable name");
    }
    const auto value = env_(name);
    if (!value) Fail(node, what + ": environment variable " + name + " is not set");
    std::string key = StripTrailingWhitespace(*value);
    if (key.empty()) Fail(node, what + ": environment variable " + name + " is empty");
    if (!spec.valid(key)) {
      Fail(node, what + ": environment variable " + name + " does not hold a valid " + spec.label +
                     " (expected " + spec.format + ")");
    }
    origin = "env " + name;
    return Secret(std::move(key));
  }

  void ParseProviders(const YAML::Node& list, Config& config) const {
    if (!list.IsSequence()) Fail(list, "providers must be a list of entries (- address: ...)");
    std::map<std::string, int> lines_by_address;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& entry = list[i];
      const std::string where = "providers[" + std::to_string(i) + "]";
      if (!entry.IsMap()) Fail(entry, where + " must be a mapping with at least an address");
      CheckKeys(entry, kProviderKeys, where);
      if (!entry["address"].IsDefined()) Fail(entry, where + " has no address");
      ProviderTarget provider;
      provider.address = Address(entry["address"], where + ".address");
      const auto [it, inserted] = lines_by_address.emplace(provider.address, LineOf(entry));
      if (!inserted) {
        Fail(entry["address"], where + ".address " + provider.address +
                                   " is already listed (line " + std::to_string(it->second) + ")");
      }
      provider.earnings_api_key =
          ResolveKey(entry, kEarningsKeySpec, where, provider.earnings_api_key_origin);
      config.providers.push_back(std::move(provider));
    }
  }

  void ParseTenants(const YAML::Node& list, Config& config) const {
    if (!list.IsSequence()) Fail(list, "tenants must be a list of entries (- address: ...)");
    std::map<std::string, int> lines_by_address;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& entry = list[i];
      const std::string where = "tenants[" + std::to_string(i) + "]";
      if (!entry.IsMap()) Fail(entry, where + " must be a mapping (address and/or a Console key)");
      CheckKeys(entry, kTenantKeys, where);
      TenantTarget tenant;
      if (entry["address"].IsDefined()) {
        tenant.address = Address(entry["address"], where + ".address");
        const auto [it, inserted] = lines_by_address.emplace(tenant.address, LineOf(entry));
        if (!inserted) {
          Fail(entry["address"], where + ".address " + tenant.address +
                                     " is already listed (line " + std::to_string(it->second) +
                                     ")");
        }
      }
      tenant.console_api_key =
          ResolveKey(entry, kConsoleKeySpec, where, tenant.console_api_key_origin);
      if (tenant.address.empty() && tenant.console_api_key.empty()) {
        Fail(entry, where + " needs an address, a console_api_key_file or a console_api_key_env");
      }
      for (std::size_t j = 0; j < config.tenants.size(); ++j) {
        if (!tenant.console_api_key.empty() &&
            config.tenants[j].console_api_key == tenant.console_api_key) {
          Fail(entry,
               where + " uses the same Console API key as tenants[" + std::to_string(j) + "]");
        }
      }
      config.tenants.push_back(std::move(tenant));
    }
  }

  void ParseEndpoints(const YAML::Node& map, Config& config) const {
    if (!map.IsMap()) Fail(map, "endpoints must be a mapping");
    CheckKeys(map, kEndpointKeys, "endpoints");
    Endpoints& endpoints = config.endpoints;
    if (const auto node = map["console_api"]; node.IsDefined()) {
      endpoints.console_api = Url(node, "endpoints.console_api");
    }
    if (const auto node = map["provider_console_api"]; node.IsDefined()) {
      endpoints.provider_console_api = Url(node, "endpoints.provider_console_api");
    }
    if (const auto node = map["chain_rest"]; IsPresent(node)) {
      if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
          endpoints.chain_rest.push_back(
              Url(node[i], "endpoints.chain_rest[" + std::to_string(i) + "]"));
        }
      } else {
        endpoints.chain_rest.push_back(Url(node, "endpoints.chain_rest"));
      }
    }
  }

  void ParseSources(const YAML::Node& map, Config& config) const {
    if (!map.IsMap()) Fail(map, "sources must be a mapping of source name to settings");
    static constexpr std::string_view kSourceNames[] = {
        kAllSources[0], kAllSources[1], kAllSources[2], kAllSources[3],
        kAllSources[4], kAllSources[5], kAllSources[6]};
    static_assert(std::size(kSourceNames) == std::size(kAllSources));
    CheckKeys(map, kSourceNames, "sources");
    for (const auto& entry : map) {
      const std::string name = entry.first.Scalar();
      const YAML::Node& settings_node = entry.second;
      const std::string where = "sources." + name;
      SourceSettings& settings = config.sources[name];
      if (settings_node.IsNull()) continue;  // "market:" alone keeps the defaults
      if (!settings_node.IsMap()) Fail(settings_node, where + " must be a mapping of settings");
      const bool chain = name == kSourceChainLeases;
      if (!chain) {
        for (const auto& setting : settings_node) {
          const YAML::Node& key = setting.first;
          if (!key.IsScalar()) continue;  // CheckKeys reports it
          const bool common = std::find(std::begin(kSourceKeys), std::end(kSourceKeys),
                                        key.Scalar()) != std::end(kSourceKeys);
          const bool chain_only =
              std::find(std::begin(kChainLeasesKeys), std::end(kChainLeasesKeys), key.Scalar()) !=
              std::end(kChainLeasesKeys);
          if (chain_only && !common) {
            Fail(key, "key \"" + key.Scalar() + "\" is not valid in " + where +
                          " (only in sources.chain_leases)");
          }
        }
      }
      CheckKeys(settings_node, chain ? KeyList(kChainLeasesKeys) : KeyList(kSourceKeys), where);

      if (const auto n = settings_node["enabled"]; n.IsDefined()) {
        settings.enabled = Bool(n, where + ".enabled");
      }
      if (const auto n = settings_node["interval"]; n.IsDefined()) {
        settings.interval = PositiveDuration(n, where + ".interval");
        const milliseconds floor = MinimumInterval(name, config.endpoints);
        if (settings.interval < floor) {
          Fail(n, where + ".interval " + FormatDuration(settings.interval) +
                      " is shorter than the minimum " + FormatDuration(floor) +
                      " for this upstream (it protects your API keys and the upstream from "
                      "throttling; only an upstream on this host may be polled faster)");
        }
      }
      const auto timeout_node = settings_node["timeout"];
      if (timeout_node.IsDefined()) {
        settings.timeout = PositiveDuration(timeout_node, where + ".timeout");
        if (settings.timeout > settings.interval) {
          Fail(timeout_node, where + ".timeout " + FormatDuration(settings.timeout) +
                                 " is longer than the interval " +
                                 FormatDuration(settings.interval));
        }
      } else {
        settings.timeout = std::min(kDefaultTimeout, settings.interval);
      }
      const auto staleness_node = settings_node["max_staleness"];
      if (staleness_node.IsDefined()) {
        settings.max_staleness = PositiveDuration(staleness_node, where + ".max_staleness");
        // Shorter than one interval would withdraw the series between two good polls.
        if (settings.max_staleness < settings.interval) {
          Fail(staleness_node, where + ".max_staleness " + FormatDuration(settings.max_staleness) +
                                   " is shorter than the interval " +
                                   FormatDuration(settings.interval));
        }
      } else {
        settings.max_staleness = settings.interval * kDefaultStalenessFactor;
      }
      if (!chain) continue;
      if (const auto n = settings_node["page_limit"]; n.IsDefined()) {
        settings.page_limit =
            UnsignedInRange(n, where + ".page_limit", kMinPageLimit, kMaxPageLimit);
      }
      if (const auto n = settings_node["per_lease_series"]; n.IsDefined()) {
        settings.per_lease_series = Bool(n, where + ".per_lease_series");
      }
      if (const auto n = settings_node["max_lease_series"]; n.IsDefined()) {
        settings.max_lease_series =
            UnsignedInRange(n, where + ".max_lease_series", 0, kMaxMaxLeaseSeries);
      }
    }
  }

  Decimal Ratio(const YAML::Node& node, const std::string& what) const {
    const std::string text = node.IsNull() ? "" : ScalarText(node, what);
    const auto value = Decimal::Parse(text);
    if (!value) Fail(node, what + " must be a number between 0 and 1, not " + Shown(text));
    if (value->IsNegative() || *value > Decimal::FromInt(1)) {
      Fail(node, what + " must be between 0 and 1 (a ratio: 0.2 means 20%), not " + text);
    }
    return *value;
  }

  void ParseTakeRates(const YAML::Node& list, Config& config) const {
    if (!list.IsSequence() || list.size() == 0) {
      Fail(list, "take_rates must be a non-empty list of {until, akt, act} entries");
    }
    std::vector<TakeRateRegime> regimes;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node& entry = list[i];
      const std::string where = "take_rates[" + std::to_string(i) + "]";
      if (!entry.IsMap()) Fail(entry, where + " must be a mapping {until, akt, act}");
      CheckKeys(entry, kTakeRateKeys, where);
      const bool last = i + 1 == list.size();
      TakeRateRegime regime;
      const auto until = entry["until"];
      if (until.IsDefined()) {
        if (last) {
          Fail(until, where +
                          ": the last entry must not have until (it applies to every later "
                          "day)");
        }
        const std::string text = until.IsNull() ? "" : ScalarText(until, where + ".until");
        regime.until = Date::Parse(text);
        if (!regime.until) {
          Fail(until, where + ".until must be a date YYYY-MM-DD, not " + Shown(text));
        }
        if (!regimes.empty() && *regime.until <= *regimes.back().until) {
          Fail(until, where + ".until " + regime.until->ToString() +
                          " must be later than the previous entry's " +
                          regimes.back().until->ToString());
        }
      } else if (!last) {
        Fail(entry, where + " has no until; only the last entry may omit it");
      }
      for (const char* denom : {"akt", "act"}) {
        const auto node = entry[denom];
        if (!node.IsDefined()) Fail(entry, where + " has no " + denom + " rate");
        (std::string_view(denom) == "akt" ? regime.akt : regime.act) =
            Ratio(node, where + "." + denom);
      }
      regimes.push_back(regime);
    }
    config.take_rates = std::move(regimes);
  }

  std::string path_;
  const EnvLookup& env_;
  fs::path base_dir_;
  std::string text_;
  mutable std::vector<std::pair<YAML::Node, int>> null_value_lines_;
};

std::string RatioText(const Decimal& d) { return d.ToString(); }

}  // namespace

ConfigError::ConfigError(std::string file, int line, std::string reason)
    : std::runtime_error((file.empty() ? std::string("<config>") : file) +
                         (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + reason),
      file_(std::move(file)),
      line_(line),
      reason_(std::move(reason)) {}

std::vector<TakeRateRegime> DefaultTakeRates() {
  return {
      TakeRateRegime{Date::FromYmd(2026, 3, 21), *Decimal::Parse("0.02"), *Decimal::Parse("0.20")},
      TakeRateRegime{std::nullopt, Decimal(), Decimal()},
  };
}

SourceSettings DefaultSourceSettings(const std::string& source) {
  static const std::map<std::string, milliseconds, std::less<>> kIntervals = {
      {kSourceProviderDashboard, milliseconds(60'000)},
      {kSourceProviderEarnings, milliseconds(3'600'000)},
      {kSourceChainLeases, milliseconds(60'000)},
      {kSourceMarket, milliseconds(300'000)},
      {kSourceProviderStatus, milliseconds(300'000)},
      {kSourceTenantUsage, milliseconds(600'000)},
      {kSourceTenantBilling, milliseconds(600'000)},
  };
  const auto it = kIntervals.find(source);
  if (it == kIntervals.end()) throw std::invalid_argument("unknown source: " + source);
  SourceSettings settings;
  settings.interval = it->second;
  settings.timeout = std::min(kDefaultTimeout, settings.interval);
  settings.max_staleness = settings.interval * kDefaultStalenessFactor;
  return settings;
}

bool IsLoopbackUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.substr(0, scheme.size()) == scheme) {
      url.remove_prefix(scheme.size());
      break;
    }
  }
  std::string_view host = url.substr(0, url.find('/'));
  if (host.substr(0, 5) == "[::1]") return true;
  host = host.substr(0, host.find(':'));
  if (host == "localhost") return true;
  in_addr addr{};
  return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1 &&
         (ntohl(addr.s_addr) >> 24) == 127;
}

milliseconds MinimumInterval(const std::string& source, const Endpoints& endpoints) {
  constexpr milliseconds kApiFloor{10'000};
  constexpr milliseconds kChainFloor{5'000};
  if (source == kSourceChainLeases) {
    const bool all_local = std::all_of(endpoints.chain_rest.begin(), endpoints.chain_rest.end(),
                                       [](const std::string& u) { return IsLoopbackUrl(u); });
    return all_local ? milliseconds{0} : kChainFloor;
  }
  bool local = IsLoopbackUrl(endpoints.console_api);
  if (source == kSourceProviderEarnings) {
    local = local && IsLoopbackUrl(endpoints.provider_console_api);
  }
  return local ? milliseconds{0} : kApiFloor;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Config ParseConfig(const std::string& yaml_text, const std::string& path, const EnvLookup& env) {
  return Parser(path, env).Parse(yaml_text);
}

Config LoadConfig(const std::string& path, const EnvLookup& env) {
  const SmallFile file = ReadSmallFile(path, kMaxConfigFileBytes);
  if (!file.ok) {
    throw ConfigError(path, 0, std::string(file.not_found ? "cannot open: " : "cannot read: ") +
                                   file.error);
  }
  const std::string& text = file.content;
  return ParseConfig(text, path, env);
}

std::vector<PlannedSource> PlanSources(const Config& config) {
  std::vector<PlannedSource> plan;
  const auto add = [&](const char* source, const std::string& target) {
    if (config.source(source).enabled) plan.push_back(PlannedSource{source, target});
  };
  add(kSourceMarket, "");
  for (const ProviderTarget& provider : config.providers) {
    add(kSourceProviderDashboard, provider.address);
    add(kSourceProviderEarnings, provider.address);
    if (!config.endpoints.chain_rest.empty()) add(kSourceChainLeases, provider.address);
    add(kSourceProviderStatus, provider.address);
  }
  for (std::size_t i = 0; i < config.tenants.size(); ++i) {
    const TenantTarget& tenant = config.tenants[i];
    const std::string target =
        tenant.address.empty() ? "tenants[" + std::to_string(i) + "]" : tenant.address;
    add(kSourceTenantUsage, target);
    if (!tenant.console_api_key.empty()) add(kSourceTenantBilling, target);
  }
  return plan;
}

std::string DescribeConfig(const Config& config) {
  std::ostringstream out;
  out << "config: " << (config.path.empty() ? "(built-in defaults)" : config.path) << "\n";
  if (config.providers.empty() && config.tenants.empty()) {
    out << "warning: no providers and no tenants configured; only the market source runs\n";
  }
  out << "providers: " << config.providers.size() << "\n";
  for (const ProviderTarget& provider : config.providers) {
    out << "  " << provider.address << "  earnings key: ";
    if (provider.earnings_api_key.empty()) {
      out << "not set (public Console route)\n";
    } else {
      out << "set (" << provider.earnings_api_key_origin << ")\n";
    }
  }
  out << "tenants: " << config.tenants.size() << "\n";
  for (std::size_t i = 0; i < config.tenants.size(); ++i) {
    const TenantTarget& tenant = config.tenants[i];
    out << "  "
        << (tenant.address.empty()
                ? "tenants[" + std::to_string(i) + "] (address resolved from the key at run time)"
                : tenant.address)
        << "  console key: ";
    if (tenant.console_api_key.empty()) {
      out << "not set (tenant_billing off)\n";
    } else {
      out << "set (" << tenant.console_api_key_origin << ")\n";
    }
  }
  out << "endpoints:\n";
  out << "  console_api: " << config.endpoints.console_api << "\n";
  out << "  provider_console_api: " << config.endpoints.provider_console_api << "\n";
  out << "  chain_rest:";
  if (config.endpoints.chain_rest.empty()) out << " none (chain_leases off)";
  for (const std::string& url : config.endpoints.chain_rest) out << " " << url;
  out << "\n";
  out << "take rates:\n";
  std::optional<Date> from;
  for (const TakeRateRegime& regime : config.take_rates) {
    out << "  ";
    if (from) out << "from " << from->ToString() << " ";
    if (regime.until) out << "until " << regime.until->ToString() << " (exclusive) ";
    if (!from && !regime.until) out << "always ";
    out << "akt " << RatioText(regime.akt) << ", act " << RatioText(regime.act) << "\n";
    from = regime.until;
  }
  const std::vector<PlannedSource> plan = PlanSources(config);
  out << "sources: " << plan.size() << " planned\n";
  if (plan.empty()) out << "warning: every source is disabled; nothing would be polled\n";
  for (const PlannedSource& planned : plan) {
    const SourceSettings& settings = config.source(planned.source);
    out << "  " << planned.source << " target=\"" << planned.target << "\""
        << " interval=" << FormatDuration(settings.interval)
        << " timeout=" << FormatDuration(settings.timeout)
        << " max_staleness=" << FormatDuration(settings.max_staleness);
    if (planned.source == kSourceChainLeases) {
      out << " page_limit=" << settings.page_limit
          << " per_lease_series=" << (settings.per_lease_series ? "true" : "false")
          << " max_lease_series=" << settings.max_lease_series;
    }
    out << "\n";
  }
  std::string disabled;
  for (const char* source : kAllSources) {
    if (!config.source(source).enabled) disabled += std::string(" ") + source;
  }
  if (!disabled.empty()) out << "disabled by config:" << disabled << "\n";
  return out.str();
}

}  // namespace akash::core
