#include "exporter/http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "exporter/core/log.h"

namespace akash::http {
namespace {

using core::ErrorReason;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Redirects are followed by hand, and only within the same origin (scheme, host and port):
// libcurl would forward custom headers such as X-API-Key to whatever host a Location names.
constexpr int kMaxRedirects = 3;
// Upper bound on one curl_multi_poll wait, so Abort() is noticed quickly even if the wakeup
// were lost; curl_multi_wakeup normally ends the wait at once.
constexpr int kPollSliceMs = 100;
// Delta-seconds beyond this are clamped; keeps later time_point arithmetic far from overflow.
constexpr std::int64_t kMaxRetryAfterSeconds = std::numeric_limits<std::int32_t>::max();

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The URL as it may appear in a message or log line: no query, no fragment, no userinfo.
std::string SafeUrl(const std::string& url) {
  std::string out = core::UrlForLog(url);
  if (const auto hash = out.find('#'); hash != std::string::npos) out.resize(hash);
  const auto scheme_end = out.find("://");
  const std::size_t authority_begin = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto authority_end = out.find('/', authority_begin);
  const auto at = out.rfind('@', authority_end == std::string::npos ? out.size() : authority_end);
  if (at != std::string::npos && at >= authority_begin) {
    out.erase(authority_begin, at + 1 - authority_begin);
  }
  return out;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool ValidHeader(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// libcurl drops a header given as "Name:" with nothing after it; "Name;" sends it empty.
std::string HeaderLine(std::string_view name, std::string_view value) {
  std::string line(name);
  if (value.empty()) {
    line += ';';
  } else {
    line += ": ";
    line += value;
  }
  return line;
}

// --- HTTP-date parsing (RFC 9110 §5.6.7), locale-free ---------------------------------------

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kShortDays = {"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return s_.empty(); }
  bool Literal(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  // Exactly `digits` decimal digits.
  std::optional<int> Number(std::size_t digits) {
    if (s_.size() < digits) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s_[i]))) return std::nullopt;
      v = v * 10 + (s_[i] - '0');
    }
    s_.remove_prefix(digits);
    return v;
  }
  // Case-insensitive match against one of `names`; returns its index.
  template <std::size_t N>
  std::optional<int> Name(const std::array<std::string_view, N>& names) {
    // Longest first so "Sun" does not shadow "Sunday".
    std::optional<int> best;
    std::size_t best_len = 0;
    for (std::size_t i = 0; i < N; ++i) {
      const auto& n = names[i];
      if (n.size() > best_len && s_.size() >= n.size() &&
          EqualsIgnoreCase(s_.substr(0, n.size()), n)) {
        best = static_cast<int>(i);
        best_len = n.size();
      }
    }
    if (best) s_.remove_prefix(best_len);
    return best;
  }
  std::optional<int> Month() {
    const auto m = Name(kMonths);
    return m ? std::optional<int>(*m + 1) : std::nullopt;
  }
  // "HH:MM:SS"
  bool Time(int& h, int& m, int& s) {
    const auto hh = Number(2);
    if (!hh || !Literal(":")) return false;
    const auto mm = Number(2);
    if (!mm || !Literal(":")) return false;
    const auto ss = Number(2);
    if (!ss) return false;
    h = *hh;
    m = *mm;
    s = *ss;
    return true;
  }

 private:
  std::string_view s_;
};

struct DateParts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<DateParts> ParseImfFixdate(std::string_view v) {
  Cursor c(v);
  DateParts d;
  if (!c.Name(kShortDays) || !c.Literal(", ")) return std::nullopt;
  const auto day = c.Number(2);
  if (!day || !c.Literal(" ")) return std::nullopt;
  const auto month = c.Month();
  if (!month || !c.Literal(" ")) return std::nullopt;
  const auto year = c.Number(4);
  if (!year || !c.Literal(" ")) return std::nullopt;
  if (!c.Time(d.hour, d.minute, d.second) || !c.Literal(" GMT") || !c.done()) return std::nullopt;
  d.day = *day;
  d.month = *month;
  d.year = *year;
  return d;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; the two-digit year is resolved relative to `now_year`.
std::optional<DateParts> ParseRfc850(std::string_view v, int now_year) {
  Cursor c(v);
  DateParts d;
  if (!c.Name(kLongDays) || !c.Literal(", ")) return std::nullopt;
  const auto day = c.Number(2);
  if (!day || !c.Literal("-")) return std::nullopt;
  const auto month = c.Month();
  if (!month || !c.Literal("-")) return std::nullopt;
  const auto yy = c.Number(2);
  if (!yy || !c.Literal(" ")) return std::nullopt;
  if (!c.Time(d.hour, d.minute, d.second) || !c.Literal(" GMT") || !c.done()) return std::nullopt;
  // RFC 9110: a two-digit year more than 50 years in the future means the previous century.
  int year = now_year - now_year % 100 + *yy;
  if (year > now_year + 50) year -= 100;
  d.day = *day;
  d.month = *month;
  d.year = year;
  return d;
}

// "Sun Nov  6 08:49:37 1994"
std::optional<DateParts> ParseAsctime(std::string_view v) {
  Cursor c(v);
  DateParts d;
  if (!c.Name(kShortDays) || !c.Literal(" ")) return std::nullopt;
  const auto month = c.Month();
  if (!month || !c.Literal(" ")) return std::nullopt;
  std::optional<int> day;
  if (c.Literal(" ")) {
    day = c.Number(1);
  } else {
    day = c.Number(2);
  }
  if (!day || !c.Literal(" ")) return std::nullopt;
  if (!c.Time(d.hour, d.minute, d.second) || !c.Literal(" ")) return std::nullopt;
  const auto year = c.Number(4);
  if (!year || !c.done()) return std::nullopt;
  d.day = *day;
  d.month = *month;
  d.year = *year;
  return d;
}

std::optional<std::chrono::system_clock::time_point> ToTimePoint(const DateParts& d) {
  using namespace std::chrono;
  const year_month_day ymd{year{d.year}, month{static_cast<unsigned>(d.month)},
                           day{static_cast<unsigned>(d.day)}};
  // Second 60 is a leap second; accept it rather than reject an otherwise valid date.
  if (!ymd.ok() || d.hour > 23 || d.minute > 59 || d.second > 60) return std::nullopt;
  return sys_days{ymd} + hours{d.hour} + minutes{d.minute} + seconds{d.second};
}

// --- curl error classification ---------------------------------------------------------------

struct Classified {
  ErrorReason reason;
  std::string detail;
};

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    std::int64_t secs = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec == std::errc::result_out_of_range || secs > kMaxRetryAfterSeconds) {
      return std::chrono::seconds(kMaxRetryAfterSeconds);
    }
    if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
    return std::chrono::seconds(secs);
  }
  const auto now_days = std::chrono::floor<std::chrono::days>(now);
  const int now_year = static_cast<int>(std::chrono::year_month_day{now_days}.year());
  std::optional<DateParts> parts = ParseImfFixdate(value);
  if (!parts) parts = ParseRfc850(value, now_year);
  if (!parts) parts = ParseAsctime(value);
  if (!parts) return std::nullopt;
  // Nanosecond time points end in 2262; any date that far out is past every cap anyway.
  if (parts->year >= 2200) return std::chrono::seconds(kMaxRetryAfterSeconds);
  // They begin in 1677: a date before 1970 is simply in the past.
  if (parts->year < 1970) return std::chrono::seconds(0);
  const auto when = ToTimePoint(*parts);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::seconds(0);
  return std::min(std::chrono::ceil<std::chrono::seconds>(*when - now),
                  std::chrono::seconds(kMaxRetryAfterSeconds));
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlFetcher::Impl {
  ClientOptions options;
  CURLM* multi = nullptr;  // replaced only by ReleaseConnections(), under multi_mu
  CURL* easy = nullptr;
  std::atomic<bool> aborted{false};
  std::mutex multi_mu;  // Abort() wakes `multi` from another thread

  // State of the transfer in progress; reset per hop.
  std::string body;
  bool too_large = false;
  std::optional<std::string> retry_after;

  static std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    const std::size_t len = size * n;
    if (self->aborted.load(std::memory_order_relaxed)) return 0;
    // Counts decoded bytes, so a small gzip body cannot expand past the cap.
    if (len > self->options.max_body_bytes - self->body.size()) {
      self->too_large = true;
      return 0;  // CURLE_WRITE_ERROR ends the transfer
    }
    self->body.append(data, len);
    return len;
  }

  static std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* self = static_cast<Impl*>(user);
    const std::size_t len = size * n;
    const std::string_view line(data, len);
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response starts (after 100 Continue or on another hop): forget the old headers.
      self->retry_after.reset();
      return len;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(Trim(line.substr(0, colon)), "Retry-After")) {
      self->retry_after = std::string(Trim(line.substr(colon + 1)));
    }
    return len;
  }

  static int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Impl*>(user)->aborted.load(std::memory_order_relaxed) ? 1 : 0;
  }

  void ResetTransfer() {
    body.clear();
    too_large = false;
    retry_after.reset();
  }

  // Options are set from scratch per hop; curl_easy_reset keeps live connections, the DNS
  // cache and TLS sessions, which is all the reuse we want.
  void SetOptions(const std::string& url, curl_slist* headers, long timeout_ms) {
    curl_easy_reset(easy);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(std::min<std::size_t>(
                         options.max_body_bytes,
                         static_cast<std::size_t>(std::numeric_limits<curl_off_t>::max()))));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &Impl::OnProgress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, this);
  }

  // Runs the configured transfer on the private multi handle so that Abort() can wake it.
  CURLcode Perform() {
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) return CURLE_FAILED_INIT;
    CURLcode result = CURLE_OK;
    for (;;) {
      int running = 0;
      if (curl_multi_perform(multi, &running) != CURLM_OK) {
        result = CURLE_FAILED_INIT;
        break;
      }
      bool done = false;
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
          result = msg->data.result;
          done = true;
        }
      }
      if (done) break;
      if (aborted.load()) {
        result = CURLE_ABORTED_BY_CALLBACK;
        break;
      }
      if (running == 0) {  // cannot happen without a DONE message; do not spin if it does
        result = CURLE_FAILED_INIT;
        break;
      }
      curl_multi_poll(multi, nullptr, 0, kPollSliceMs, nullptr);
    }
    curl_multi_remove_handle(multi, easy);
    return result;
  }

  Classified Classify(CURLcode code, milliseconds timeout) const {
    if (too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return {ErrorReason::kTooLarge,
              "response body exceeds " + std::to_string(options.max_body_bytes) + " bytes"};
    }
    if (aborted.load() || code == CURLE_ABORTED_BY_CALLBACK) {
      return {ErrorReason::kTimeout, "aborted"};
    }
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT: {
        // No pre-transfer mark means the request was never sent: the TCP or TLS handshake did
        // not finish, so the upstream is unreachable rather than slow. (CONNECT_TIME would be
        // zero on a reused connection too, so it cannot tell the two apart.)
        curl_off_t pretransfer_us = 0;
        curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
        if (pretransfer_us == 0) {
          return {ErrorReason::kConnect,
                  "connect timeout after " +
                      std::to_string(std::min(options.connect_timeout, timeout).count()) + " ms"};
        }
        return {ErrorReason::kTimeout, "timeout after " + std::to_string(timeout.count()) + " ms"};
      }
      // Could not reach the upstream, or it dropped the connection before a whole response:
      // all transport failures a retry may cure, hence kConnect rather than kParse.
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_USE_SSL_FAILED:
        return {ErrorReason::kConnect, curl_easy_strerror(code)};
      // The bytes arrived but cannot be decoded (bad gzip stream, broken framing).
      case CURLE_BAD_CONTENT_ENCODING:
      case CURLE_WEIRD_SERVER_REPLY:
        return {ErrorReason::kParse, curl_easy_strerror(code)};
      default:
        // Malformed URL, unsupported scheme, out of memory: nothing was fetched.
        return {ErrorReason::kConnect, curl_easy_strerror(code)};
    }
  }
};

namespace {

// True when `next` has the same scheme, host and port as `current`.
bool SameOrigin(const std::string& current, const std::string& next) {
  auto origin = [](const std::string& url) -> std::optional<std::string> {
    CURLU* u = curl_url();
    if (u == nullptr) return std::nullopt;
    std::optional<std::string> out;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
      char* scheme = nullptr;
      char* host = nullptr;
      char* port = nullptr;
      if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
          curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
          curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        std::string h(host);
        std::transform(h.begin(), h.end(), h.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out = std::string(scheme) + "://" + h + ":" + port;
      }
      curl_free(scheme);
      curl_free(host);
      curl_free(port);
    }
    curl_url_cleanup(u);
    return out;
  };
  const auto a = origin(current);
  const auto b = origin(next);
  return a && b && *a == *b;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

}  // namespace

CurlFetcher::CurlFetcher(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->options = std::move(options);
  impl_->multi = curl_multi_init();
  impl_->easy = curl_easy_init();
}

CurlFetcher::~CurlFetcher() {
  if (impl_->easy != nullptr) curl_easy_cleanup(impl_->easy);
  if (impl_->multi != nullptr) curl_multi_cleanup(impl_->multi);
}

void CurlFetcher::Abort() noexcept {
  impl_->aborted.store(true);
  std::lock_guard lock(impl_->multi_mu);
  if (impl_->multi != nullptr) curl_multi_wakeup(impl_->multi);
}

void CurlFetcher::ReleaseConnections() noexcept {
  // The connection cache belongs to the multi handle the transfers run on: a new one starts
  // empty, and cleaning up the old one closes its connections. The easy handle keeps its DNS
  // cache and TLS session IDs.
  CURLM* fresh = curl_multi_init();
  if (fresh == nullptr) return;
  std::lock_guard lock(impl_->multi_mu);
  if (impl_->multi != nullptr) curl_multi_cleanup(impl_->multi);
  impl_->multi = fresh;
}

core::Result<core::Response> CurlFetcher::Get(const core::Request& request) noexcept {
  Impl& impl = *impl_;
  const std::string safe_url = SafeUrl(request.url);
  auto fail = [&](ErrorReason reason, const std::string& detail) {
    return core::MakeError(reason, "GET " + safe_url + ": " + detail);
  };
  try {
    if (impl.aborted.load()) return fail(ErrorReason::kTimeout, "aborted");
    if (impl.easy == nullptr || impl.multi == nullptr) {
      return fail(ErrorReason::kConnect, "libcurl initialisation failed");
    }

    Slist headers;
    auto append = [&](const std::string& name, const std::string& value) {
      // Only the name is reported: the value may be a key.
      if (!ValidHeader(name, value)) return false;
      curl_slist* next = curl_slist_append(headers.get(), HeaderLine(name, value).c_str());
      if (next == nullptr) return false;
      (void)headers.release();
      headers.reset(next);
      return true;
    };
    for (const auto& [name, value] : request.headers) {
      if (!append(name, value)) return fail(ErrorReason::kConnect, "invalid header " + name);
    }
    for (const auto& [name, secret] : request.secret_headers) {
      if (!append(name, secret.reveal())) {
        return fail(ErrorReason::kConnect, "invalid header " + name);
      }
    }

    const milliseconds timeout =
        request.timeout.count() > 0 ? request.timeout : impl.options.total_timeout;
    const auto start = Clock::now();
    const auto deadline = start + timeout;
    std::string url = request.url;
    long status = 0;
    for (int hop = 0;; ++hop) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        return fail(ErrorReason::kTimeout,
                    "timeout after " + std::to_string(timeout.count()) + " ms");
      }
      impl.ResetTransfer();
      impl.SetOptions(url, headers.get(), static_cast<long>(left.count()));
      const CURLcode code = impl.Perform();
      if (code != CURLE_OK) {
        const Classified c = impl.Classify(code, timeout);
        impl.body.clear();
        impl.body.shrink_to_fit();
        return fail(c.reason, c.detail);
      }
      curl_easy_getinfo(impl.easy, CURLINFO_RESPONSE_CODE, &status);
      if (status < 300 || status >= 400 || hop >= kMaxRedirects) break;
      char* location = nullptr;
      curl_easy_getinfo(impl.easy, CURLINFO_REDIRECT_URL, &location);
      if (location == nullptr) break;
      std::string next(location);
      // Another origin: hand the 3xx back rather than send our headers elsewhere.
      if (!SameOrigin(url, next)) break;
      url = std::move(next);
    }

    core::Response response;
    response.status = static_cast<int>(status);
    char* content_type = nullptr;
    curl_easy_getinfo(impl.easy, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type != nullptr) response.content_type = content_type;
    if (impl.retry_after) {
      response.retry_after = ParseRetryAfter(*impl.retry_after, std::chrono::system_clock::now());
    }
    response.body = std::move(impl.body);
    impl.body = std::string();

    if (core::Logger::Get().Enabled(core::LogLevel::kDebug)) {
      const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      core::LogDebug("http request", {{"method", "GET"},
                                      {"url", safe_url},
                                      {"status", response.status},
                                      {"bytes", response.body.size()},
                                      {"duration_ms", took.count()}});
    }
    return response;
  } catch (const std::exception&) {
    // Only allocation can throw here; keep the message allocation-light.
    return core::MakeError(ErrorReason::kConnect, "GET: out of memory");
  }
}

}  // namespace akash::http
