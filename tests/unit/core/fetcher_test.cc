#include "exporter/core/fetcher.h"

#include <gtest/gtest.h>

namespace akash::core {
namespace {

Response Answer(int status, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  return r;
}

TEST(HttpError, ReasonFollowsTheStatus) {
  const Request req{"https://console-api.akash.network/v1/x?address=a", {}, {}, {}};
  EXPECT_EQ(HttpError(req, Answer(401, "application/json")).reason, ErrorReason::kAuth);
  EXPECT_EQ(HttpError(req, Answer(403, "application/json")).reason, ErrorReason::kAuth);
  EXPECT_EQ(HttpError(req, Answer(404, "text/plain")).reason, ErrorReason::kHttp4xx);
  EXPECT_EQ(HttpError(req, Answer(429, "text/html")).reason, ErrorReason::kRateLimited);
  EXPECT_EQ(HttpError(req, Answer(503, "text/html")).reason, ErrorReason::kHttp5xx);
  EXPECT_EQ(HttpError(req, Answer(404, "")).message,
            "GET https://console-api.akash.network/v1/x: HTTP 404");
}

TEST(HttpError, AnHtml403FromTheEdgeIsNotAnAuthFailure) {
  // A Cloudflare challenge page says nothing about the key; reporting `auth` would page the
  // operator about a key that is fine.
  const Request req{"https://console-api.akash.network/v1/x", {}, {}, {}};
  const Error e = HttpError(req, Answer(403, "text/html; charset=UTF-8"));
  EXPECT_EQ(e.reason, ErrorReason::kRateLimited);
  EXPECT_NE(e.message.find("from the edge"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace akash::core
