#pragma once
// GET a JSON document (akash_sim's truth and control answers) for integration tests.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "tests/integration/harness.h"

namespace akash::itest {

// The parsed body of GET `url`. A non-200 answer or a body that is not JSON fails the test and
// yields an empty object, so callers' member lookups fail their own checks instead of crashing.
inline rapidjson::Document Json(const std::string& url) {
  const auto r = Http("GET", url);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (r.status != 200 || d.HasParseError()) {
    ADD_FAILURE() << url << ": HTTP " << r.status << " " << r.body.substr(0, 300);
    d.SetObject();
  }
  return d;
}

}  // namespace akash::itest
