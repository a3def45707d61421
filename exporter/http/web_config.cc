#include "exporter/http/web_config.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <memory>

#include "exporter/core/file_read.h"

namespace akash::http {
namespace {

std::string Where(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1);
}

[[noreturn]] void Fail(const std::string& file, const YAML::Node& node, const std::string& why) {
  throw WebConfigError(Where(file, node) + ": " + why);
}

std::string Scalar(const std::string& file, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) Fail(file, node, key + " must be a string");
  return node.Scalar();
}

// A mapping key as text. YAML allows any node as a key ("? [a]: b", "? : x"); a web config only
// has plain names, so anything else is refused here instead of reaching yaml-cpp's as<std::string>,
// which throws on a sequence or mapping.
std::string Key(const std::string& file, const YAML::Node& node) {
  if (!node.IsScalar()) Fail(file, node, "keys must be plain names");
  return node.Scalar();
}

std::string Resolve(const std::string& file, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(file).parent_path() / path).lexically_normal().string();
}

TlsVersion ParseVersion(const std::string& file, const YAML::Node& node, const std::string& key) {
  const std::string v = Scalar(file, node, key);
  if (v == "TLS12") return TlsVersion::kTls12;
  if (v == "TLS13") return TlsVersion::kTls13;
  if (v == "TLS10" || v == "TLS11") {
    Fail(file, node, key + " " + v + " is not supported: TLS 1.0 and 1.1 are insecure; use TLS12");
  }
  Fail(file, node, key + " must be TLS12 or TLS13, got '" + v + "'");
}

ClientAuth ParseClientAuth(const std::string& file, const YAML::Node& node) {
  const std::string v = Scalar(file, node, "client_auth_type");
  if (v == "NoClientCert" || v.empty()) return ClientAuth::kNoClientCert;
  if (v == "RequestClientCert") return ClientAuth::kRequestClientCert;
  if (v == "RequireAnyClientCert") return ClientAuth::kRequireAnyClientCert;
  if (v == "VerifyClientCertIfGiven") return ClientAuth::kVerifyClientCertIfGiven;
  if (v == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerifyClientCert;
  Fail(file, node,
       "client_auth_type must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, "
       "VerifyClientCertIfGiven, RequireAndVerifyClientCert; got '" +
           v + "'");
}

// bcrypt as written by htpasswd -B or Go's bcrypt: $2a$, $2b$ or $2y$, two-digit cost, 53
// characters of salt and digest in bcrypt's base64 alphabet.
bool LooksLikeBcrypt(const std::string& h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$') return false;
  if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(h[4])) ||
      !std::isdigit(static_cast<unsigned char>(h[5]))) {
    return false;
  }
  const int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (std::size_t i = 7; i < h.size(); ++i) {
    const char c = h[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') return false;
  }
  return true;
}

std::optional<TlsServerConfig> ParseTls(const std::string& file, const YAML::Node& node) {
  if (node.IsNull()) return std::nullopt;
  if (!node.IsMap()) Fail(file, node, "tls_server_config must be a mapping");
  TlsServerConfig tls;
  bool any = false;
  bool auth_given = false;
  for (const auto& kv : node) {
    const std::string key = Key(file, kv.first);
    const YAML::Node& v = kv.second;
    if (key == "cert_file") {
      tls.cert_file = Resolve(file, Scalar(file, v, key));
    } else if (key == "key_file") {
      tls.key_file = Resolve(file, Scalar(file, v, key));
    } else if (key == "client_ca_file") {
      tls.client_ca_file = Resolve(file, Scalar(file, v, key));
    } else if (key == "client_auth_type") {
      tls.client_auth = ParseClientAuth(file, v);
      auth_given = true;
    } else if (key == "min_version") {
      tls.min_version = ParseVersion(file, v, key);
    } else if (key == "max_version") {
      tls.max_version = ParseVersion(file, v, key);
    } else if (key == "cert" || key == "key" || key == "cipher_suites" ||
               key == "curve_preferences" || key == "prefer_server_cipher_suites" ||
               key == "client_allowed_sans") {
      Fail(file, kv.first, "tls_server_config." + key + " is not supported by akash_exporter");
    } else {
      Fail(file, kv.first, "unknown key tls_server_config." + key);
    }
    any = true;
  }
  if (!any) return std::nullopt;
  if (tls.cert_file.empty()) Fail(file, node, "tls_server_config: missing cert_file");
  if (tls.key_file.empty()) Fail(file, node, "tls_server_config: missing key_file");
  if (!tls.client_ca_file.empty() && !auth_given) {
    // As in the exporter-toolkit: a CA alone would silently verify nothing.
    Fail(file, node, "tls_server_config: client_ca_file is set but client_auth_type is not");
  }
  if (!tls.client_ca_file.empty() && tls.client_auth == ClientAuth::kNoClientCert) {
    Fail(file, node,
         "tls_server_config: client_ca_file is set but client_auth_type is NoClientCert");
  }
  if (tls.client_ca_file.empty() && (tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                                     tls.client_auth == ClientAuth::kRequireAndVerifyClientCert)) {
    Fail(file, node,
         "tls_server_config: client_auth_type verifies client certificates but "
         "client_ca_file is not set");
  }
  if (tls.max_version && *tls.max_version < tls.min_version) {
    Fail(file, node, "tls_server_config: max_version is below min_version");
  }
  return tls;
}

std::string Sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::optional<std::string> DecodeBase64(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character carries no whole byte
  return out;
}

// A valid hash for a random password: unknown users cost one bcrypt too, so response times do
// not tell which user names exist.
const std::string& DummyHash() {
  static const std::string hash = [] {
    std::string h;
    auto data = std::make_unique<crypt_data>();
    std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> setting{};
    const char* salt =
        crypt_gensalt_rn("$2y$", 10, nullptr, 0, setting.data(), static_cast<int>(setting.size()));
    if (salt != nullptr) {
      const char* out = crypt_r("akash-exporter-unknown-user", salt, data.get());
      if (out != nullptr && out[0] != '*') h = out;
    }
    return h;
  }();
  return hash;
}

}  // namespace

namespace {

WebConfig ParseRoot(const YAML::Node& root, const std::string& file) {
  WebConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) Fail(file, root, "the web config must be a mapping");
  for (const auto& kv : root) {
    const std::string key = Key(file, kv.first);
    if (key == "tls_server_config") {
      config.tls = ParseTls(file, kv.second);
    } else if (key == "basic_auth_users") {
      const YAML::Node& users = kv.second;
      if (users.IsNull()) continue;
      if (!users.IsMap()) Fail(file, users, "basic_auth_users must be a mapping of user: hash");
      for (const auto& u : users) {
        const std::string user = Key(file, u.first);
        if (user.empty()) Fail(file, u.first, "basic_auth_users: empty user name");
        if (user.find(':') != std::string::npos) {
          Fail(file, u.first, "basic_auth_users: user name '" + user + "' contains ':'");
        }
        if (!u.second.IsScalar() || !LooksLikeBcrypt(u.second.Scalar())) {
          // The value is never echoed: it may be a plain password written by mistake.
          Fail(file, u.second,
               "basic_auth_users: the hash of user '" + user +
                   "' is not a bcrypt hash ($2y$..., e.g. from htpasswd -nbB)");
        }
        if (!config.basic_auth.emplace(user, u.second.Scalar()).second) {
          Fail(file, u.first, "basic_auth_users: user '" + user + "' is listed twice");
        }
      }
    } else if (key == "http_server_config") {
      Fail(file, kv.first, "http_server_config is not supported by akash_exporter");
    } else {
      Fail(file, kv.first, "unknown key " + key);
    }
  }
  return config;
}

}  // namespace

WebConfig ParseWebConfig(std::string_view yaml, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw WebConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  try {
    return ParseRoot(root, file);
  } catch (const YAML::Exception& e) {
    // Every shape is checked before it is used; this only keeps a missed case a WebConfigError
    // (a refused start or reload) rather than an exception that ends the process.
    throw WebConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

std::string ReadWebConfigFile(const std::string& file) {
  auto read = core::ReadSmallFile(file, 1 << 20);
  if (!read.ok) throw WebConfigError(file + ": cannot read the web config file: " + read.error);
  return std::move(read.content);
}

bool BcryptMatches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // ~32 KiB: too large for a small stack
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (out == nullptr || out[0] == '*') return false;
  const std::string_view got(out);
  return got.size() == hash.size() && CRYPTO_memcmp(got.data(), hash.data(), hash.size()) == 0;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

bool BasicAuth::Check(std::optional<std::string_view> authorization) {
  if (!authorization) return false;
  std::string_view v = *authorization;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  constexpr std::string_view kScheme = "basic ";
  if (v.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(v[i])) != kScheme[i]) return false;
  }
  v.remove_prefix(kScheme.size());
  while (!v.empty() && (v.front() == ' ' || v.back() == ' ')) {
    if (v.front() == ' ') v.remove_prefix(1);
    if (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  }
  const auto decoded = DecodeBase64(v);
  if (!decoded) return false;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  const auto it = users_.find(user);
  if (it == users_.end()) {
    if (!DummyHash().empty()) (void)BcryptMatches(password, DummyHash());
    return false;
  }
  const std::string& hash = it->second;
  std::string material;
  material.reserve(user.size() + password.size() + hash.size() + 2);
  material.append(user).push_back('\0');
  material.append(password).push_back('\0');
  material.append(hash);
  const std::string digest = Sha256(material);
  {
    std::lock_guard lock(mu_);
    if (cache_.count(digest) != 0) return true;
  }
  if (!BcryptMatches(password, hash)) return false;
  std::lock_guard lock(mu_);
  if (cache_.insert(digest).second) {
    order_.push_back(digest);
    if (order_.size() > kCacheSize) {
      cache_.erase(order_.front());
      order_.pop_front();
    }
  }
  return true;
}

std::size_t BasicAuth::cached() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

}  // namespace akash::http
