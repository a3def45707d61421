#include "exporter/http/web_config.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

namespace akash::http {
namespace {

std::string Bcrypt(const std::string& password) {
  crypt_data data{};
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  crypt_gensalt_rn("$2y$", 4, nullptr, 0, salt.data(), static_cast<int>(salt.size()));
  return crypt_r(password.c_str(), salt.data(), &data);
}

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseWebConfig(yaml, "/etc/web.yml");
  } catch (const WebConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(WebConfig, EmptyFileMeansPlainHttpWithoutAuth) {
  const auto c = ParseWebConfig("", "/etc/web.yml");
  EXPECT_FALSE(c.tls.has_value());
  EXPECT_TRUE(c.basic_auth.empty());
  EXPECT_FALSE(ParseWebConfig("tls_server_config: {}\n", "/etc/web.yml").tls.has_value());
}

TEST(WebConfig, FullExample) {
  const std::string hash = Bcrypt("pw");
  const auto c = ParseWebConfig(
      "tls_server_config:\n"
      "  cert_file: tls/server.crt\n"
      "  key_file: /keys/server.key\n"
      "  client_ca_file: ca.pem\n"
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  min_version: TLS13\n"
      "  max_version: TLS13\n"
      "basic_auth_users:\n"
      "  prometheus: " +
          hash + "\n",
      "/etc/akash/web.yml");
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_EQ(c.tls->cert_file, "/etc/akash/tls/server.crt");  // relative to the file
  EXPECT_EQ(c.tls->key_file, "/keys/server.key");
  EXPECT_EQ(c.tls->client_ca_file, "/etc/akash/ca.pem");
  EXPECT_EQ(c.tls->client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(c.tls->min_version, TlsVersion::kTls13);
  EXPECT_EQ(c.tls->max_version, TlsVersion::kTls13);
  EXPECT_EQ(c.basic_auth.at("prometheus"), hash);
}

TEST(WebConfig, ClientAuthTypes) {
  for (const auto& [name, want] : std::vector<std::pair<std::string, ClientAuth>>{
           {"NoClientCert", ClientAuth::kNoClientCert},
           {"RequestClientCert", ClientAuth::kRequestClientCert},
           {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
           {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
           {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert}}) {
    const std::string ca = want == ClientAuth::kNoClientCert ? "" : "  client_ca_file: ca.pem\n";
    const auto c = ParseWebConfig("tls_server_config:\n  cert_file: a\n  key_file: b\n" + ca +
                                      "  client_auth_type: " + name + "\n",
                                  "/w.yml");
    EXPECT_EQ(c.tls->client_auth, want) << name;
  }
}

TEST(WebConfig, InvalidFilesNameFileLineAndReason) {
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  bogus: 1\n"),
            "/etc/web.yml:4: unknown key tls_server_config.bogus");
  EXPECT_EQ(ErrorOf("basic_auth_users: {}\nextra: 1\n"), "/etc/web.yml:2: unknown key extra");
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n").find("missing key_file"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  key_file: a\n").find("missing cert_file"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS11\n")
                .find("insecure"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: SSL3\n")
                .find("min_version must be TLS12 or TLS13"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Maybe\n")
          .find("client_auth_type must be one of"),
      std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n")
                .find("client_auth_type is not"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n"
                    "  client_auth_type: RequireAndVerifyClientCert\n")
                .find("client_ca_file is not set"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n"
                    "  max_version: TLS12\n")
                .find("max_version is below"),
            std::string::npos);
  EXPECT_NE(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n")
                .find("not supported"),
            std::string::npos);
  EXPECT_NE(ErrorOf("http_server_config:\n  http2: false\n").find("not supported"),
            std::string::npos);
  EXPECT_NE(ErrorOf("- a\n- b\n").find("must be a mapping"), std::string::npos);
  EXPECT_NE(ErrorOf("a: [\n").find("/etc/web.yml:"), std::string::npos);
}

// YAML allows complex and empty keys ("? ? " is a mapping whose key is itself a mapping with a
// null key); each must be a WebConfigError with a line, never a yaml-cpp exception that would end
// the process on start or reload. The first case is the input the CI fuzz run found.
TEST(WebConfig, NonScalarKeysAreRefusedWithALine) {
  EXPECT_EQ(ErrorOf(" ? ? "), "/etc/web.yml:1: keys must be plain names");
  EXPECT_EQ(ErrorOf("? [a, b]\n: 1\n"), "/etc/web.yml:1: keys must be plain names");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  ? {a: 1}\n  : x\n"),
            "/etc/web.yml:2: keys must be plain names");
  EXPECT_EQ(ErrorOf("basic_auth_users:\n  ? [u]\n  : x\n"),
            "/etc/web.yml:2: keys must be plain names");
}

TEST(WebConfig, PlainPasswordsAreRefusedWithoutBeingEchoed) {
  const auto err = ErrorOf("basic_auth_users:\n  alice: hunter2\n");
  EXPECT_NE(err.find("/etc/web.yml:2"), std::string::npos) << err;
  EXPECT_NE(err.find("not a bcrypt hash"), std::string::npos) << err;
  EXPECT_EQ(err.find("hunter2"), std::string::npos) << err;
  EXPECT_NE(ErrorOf("basic_auth_users:\n  'a:b': " + Bcrypt("x") + "\n").find("contains ':'"),
            std::string::npos);
}

TEST(BasicAuth, ChecksPasswordsAndCachesOnlySuccesses) {
  BasicAuth auth({{"alice", Bcrypt("wonderland")}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_FALSE(auth.Check(std::nullopt));
  EXPECT_FALSE(auth.Check("Bearer abc"));
  EXPECT_FALSE(auth.Check("Basic !!!"));
  EXPECT_FALSE(auth.Check("Basic YWxpY2U="));              // "alice", no colon
  EXPECT_FALSE(auth.Check("Basic YWxpY2U6d3Jvbmc="));      // alice:wrong
  EXPECT_FALSE(auth.Check("Basic Ym9iOndvbmRlcmxhbmQ="));  // bob:wonderland
  EXPECT_EQ(auth.cached(), 0u);
  EXPECT_TRUE(auth.Check("Basic YWxpY2U6d29uZGVybGFuZA=="));  // alice:wonderland
  EXPECT_TRUE(auth.Check("basic  YWxpY2U6d29uZGVybGFuZA== "));
  EXPECT_EQ(auth.cached(), 1u);
  EXPECT_FALSE(BasicAuth({}).enabled());
}

TEST(BasicAuth, BcryptMatches) {
  const auto h = Bcrypt("secret");
  EXPECT_TRUE(BcryptMatches("secret", h));
  EXPECT_FALSE(BcryptMatches("Secret", h));
  EXPECT_FALSE(BcryptMatches("secret", "$2y$04$invalid"));
}

}  // namespace
}  // namespace akash::http
