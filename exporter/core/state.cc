#include "exporter/core/state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include "exporter/core/log.h"

namespace akash::core {

SourceState::SourceState(std::string source, std::string target)
    : source_(std::move(source)), target_(std::move(target)) {}

std::optional<std::string> SourceState::Get(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = contents_.blobs.find(name);
  if (it == contents_.blobs.end()) return std::nullopt;
  return it->second;
}

void SourceState::Put(std::string_view name, std::string value) {
  std::lock_guard lock(mu_);
  auto it = contents_.blobs.find(name);
  if (it != contents_.blobs.end()) {
    if (it->second == value) return;
    it->second = std::move(value);
  } else {
    contents_.blobs.emplace(std::string(name), std::move(value));
  }
  dirty_ = true;
}

void SourceState::Erase(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = contents_.blobs.find(name);
  if (it == contents_.blobs.end()) return;
  contents_.blobs.erase(it);
  dirty_ = true;
}

std::optional<double> SourceState::HighWater(std::string_view series) const {
  std::lock_guard lock(mu_);
  auto it = contents_.high_water.find(series);
  if (it == contents_.high_water.end()) return std::nullopt;
  return it->second;
}

void SourceState::SetHighWater(std::string_view series, double value) {
  std::lock_guard lock(mu_);
  auto it = contents_.high_water.find(series);
  if (it != contents_.high_water.end()) {
    if (it->second == value) return;
    it->second = value;
  } else {
    contents_.high_water.emplace(std::string(series), value);
  }
  dirty_ = true;
}

bool SourceState::dirty() const {
  std::lock_guard lock(mu_);
  return dirty_;
}

void SourceState::MarkClean() {
  std::lock_guard lock(mu_);
  dirty_ = false;
}

void SourceState::SetDirty() {
  std::lock_guard lock(mu_);
  dirty_ = true;
}

SourceState::Contents SourceState::Snapshot() const {
  std::lock_guard lock(mu_);
  return contents_;
}

void SourceState::Restore(Contents contents) {
  std::lock_guard lock(mu_);
  contents_ = std::move(contents);
  dirty_ = false;
}

namespace {

constexpr const char* kFormat = "akash_exporter_state";
constexpr int kVersion = 1;
// A state file is a few kB (high-water marks) up to a few MB (closed-lease aggregates and
// tracked leases); anything far larger is not ours.
constexpr std::size_t kMaxStateFileBytes = 256u * 1024 * 1024;

// File names keep [a-z0-9_] and escape every other byte as %XX, so any target (an address,
// "tenants[0]", "") maps to one safe name and two targets never share a file.
std::string SafeName(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Errno() { return std::strerror(errno); }

// Reads a whole file; nullopt with `error` set when it cannot.
std::optional<std::string> ReadFile(const std::string& path, std::string& error, bool& missing) {
  missing = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    missing = errno == ENOENT;
    error = Errno();
    return std::nullopt;
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = "not a regular file";
    return std::nullopt;
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxStateFileBytes) {
    ::close(fd);
    error = "larger than " + std::to_string(kMaxStateFileBytes) + " bytes";
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = Errno();
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxStateFileBytes) {
      error = "larger than " + std::to_string(kMaxStateFileBytes) + " bytes";
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return text;
}

std::string Encode(const std::string& source, const std::string& target,
                   const SourceState::Contents& c) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("format");
  w.String(kFormat);
  w.Key("version");
  w.Int(kVersion);
  w.Key("source");
  w.String(source.data(), static_cast<rapidjson::SizeType>(source.size()));
  w.Key("target");
  w.String(target.data(), static_cast<rapidjson::SizeType>(target.size()));
  w.Key("high_water");
  w.StartObject();
  for (const auto& [series, value] : c.high_water) {
    w.Key(series.data(), static_cast<rapidjson::SizeType>(series.size()));
    // As text with 17 significant digits: reads back to the very same double.
    char num[40];
    std::snprintf(num, sizeof num, "%.17g", value);
    w.String(num);
  }
  w.EndObject();
  w.Key("blobs");
  w.StartObject();
  for (const auto& [name, blob] : c.blobs) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.String(blob.data(), static_cast<rapidjson::SizeType>(blob.size()));
  }
  w.EndObject();
  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out.push_back('\n');
  return out;
}

// Parses a state file; on error returns nullopt and says why.
std::optional<SourceState::Contents> Decode(const std::string& text, const std::string& source,
                                            const std::string& target, std::string& error) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    error = std::string("not valid JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
            " at byte " + std::to_string(doc.GetErrorOffset()) + ")";
    return std::nullopt;
  }
  // Read through a const view: comparing the non-const member iterators of RapidJSON is
  // ambiguous under C++20's reversed operators (clang -Wambiguous-reversed-operator).
  const rapidjson::Value& root = doc;
  auto str = [&](const char* key) -> std::optional<std::string> {
    if (!root.IsObject()) return std::nullopt;
    auto it = root.FindMember(key);
    if (it == root.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  if (!root.IsObject() || str("format") != std::string(kFormat)) {
    error = "not an akash_exporter state file";
    return std::nullopt;
  }
  auto version = root.FindMember("version");
  if (version == root.MemberEnd() || !version->value.IsInt() || version->value.GetInt() != kVersion) {
    error = "unsupported state format version (this build reads version " +
            std::to_string(kVersion) + ")";
    return std::nullopt;
  }
  if (str("source") != source || str("target") != target) {
    error = "the file belongs to another source or target";
    return std::nullopt;
  }
  SourceState::Contents c;
  auto hw = root.FindMember("high_water");
  auto blobs = root.FindMember("blobs");
  if (hw == root.MemberEnd() || !hw->value.IsObject() || blobs == root.MemberEnd() ||
      !blobs->value.IsObject()) {
    error = "missing high_water or blobs";
    return std::nullopt;
  }
  for (const auto& m : hw->value.GetObject()) {
    if (!m.value.IsString()) {
      error = "a high-water mark is not a string";
      return std::nullopt;
    }
    char* end = nullptr;
    const char* begin = m.value.GetString();
    const double v = std::strtod(begin, &end);
    if (end == begin || *end != '\0' || !std::isfinite(v)) {
      error = "a high-water mark is not a finite number";
      return std::nullopt;
    }
    c.high_water.emplace(std::string(m.name.GetString(), m.name.GetStringLength()), v);
  }
  for (const auto& m : blobs->value.GetObject()) {
    if (!m.value.IsString()) {
      error = "a cache blob is not a string";
      return std::nullopt;
    }
    c.blobs.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                    std::string(m.value.GetString(), m.value.GetStringLength()));
  }
  return c;
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

StateStore::StateStore(std::string dir) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    LogWarn("cannot create the state directory; state is kept in memory until it can be written",
            {{"storage_path", dir_}, {"err", ec.message()}});
  }
}

StateStore::~StateStore() = default;

std::string StateStore::PathFor(const std::string& source, const std::string& target) const {
  return dir_ + "/" + SafeName(source) + (target.empty() ? "" : "-" + SafeName(target)) + ".state";
}

SourceState* StateStore::For(const std::string& source, const std::string& target) {
  std::lock_guard lock(mu_);
  auto& slot = states_[{source, target}];
  if (slot) return slot.get();
  slot = std::make_unique<SourceState>(source, target);
  if (dir_.empty()) return slot.get();
  // The current file, else the one it replaced (a write is two renames; see Persist).
  const std::string path = PathFor(source, target);
  for (const std::string& candidate : {path, path + ".prev"}) {
    std::string error;
    bool missing = false;
    auto text = ReadFile(candidate, error, missing);
    if (!text) {
      if (!missing) {
        LogWarn("state file unreadable; ignored", {{"file", candidate}, {"err", error}});
      }
      continue;
    }
    auto contents = Decode(*text, source, target, error);
    if (!contents) {
      LogWarn("state file ignored", {{"file", candidate}, {"err", error}});
      continue;
    }
    slot->Restore(std::move(*contents));
    LogDebug("state loaded", {{"file", candidate}});
    break;
  }
  return slot.get();
}

bool StateStore::Persist(SourceState& state) {
  if (!state.dirty()) return true;
  if (dir_.empty()) {
    state.MarkClean();
    return true;
  }
  // Clean before the snapshot: a change made while writing marks it dirty again.
  state.MarkClean();
  const std::string data = Encode(state.source(), state.target(), state.Snapshot());
  const std::string path = PathFor(state.source(), state.target());
  const std::string tmp = path + ".tmp";
  std::string error;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "create " + tmp + ": " + Errno();
  } else {
    const bool ok = WriteAll(fd, data) && ::fsync(fd) == 0;
    if (!ok) error = "write " + tmp + ": " + Errno();
    ::close(fd);
    // The old file becomes .prev, then the new one takes its name: a crash between the two
    // renames leaves .prev, which For() reads when the file itself is missing.
    if (error.empty() && ::rename(path.c_str(), (path + ".prev").c_str()) != 0 && errno != ENOENT) {
      error = "rename " + path + ": " + Errno();
    }
    if (error.empty() && ::rename(tmp.c_str(), path.c_str()) != 0) {
      error = "rename " + tmp + ": " + Errno();
    }
    if (!error.empty()) ::unlink(tmp.c_str());
  }
  std::lock_guard lock(mu_);
  bool& failed = write_failed_[path];
  if (!error.empty()) {
    // Kept dirty so the next poll tries again; logged once until a write succeeds.
    state.SetDirty();
    if (!failed) {
      LogWarn("cannot write state file; counters and caches are kept in memory",
              {{"file", path}, {"err", error}});
    }
    failed = true;
    return false;
  }
  SyncDirectory(dir_);
  if (failed) LogInfo("state file written again", {{"file", path}});
  failed = false;
  return true;
}

}  // namespace akash::core
