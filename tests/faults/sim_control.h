#pragma once
// akash_sim's control API (/_sim/faults, /_sim/stats) for the fault and load suites.

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace akash::itest {

// One request with an optional JSON body; returns the status (0 on a transport failure).
inline long SimRequest(const std::string& method, const std::string& url,
                       const std::string& body = "", std::string* answer = nullptr) {
  CURL* h = curl_easy_init();
  std::string out;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* u) {
        static_cast<std::string*>(u)->append(p, s * n);
        return s * n;
      });
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (answer) *answer = out;
  return status;
}

// Adds a permanent fault on `route`; throws when the simulator refuses it.
inline void AddFault(const std::string& sim, const std::string& route, const std::string& kind,
                     const std::string& arg) {
  std::string body = "{\"route\":\"" + route + "\",\"kind\":\"" + kind + "\"";
  if (!arg.empty()) body += ",\"arg\":\"" + arg + "\"";
  body += "}";
  std::string answer;
  if (SimRequest("POST", sim + "/_sim/faults", body, &answer) != 201) {
    throw std::runtime_error("akash_sim refused fault " + body + ": " + answer);
  }
}

inline void ClearFaults(const std::string& sim) {
  if (SimRequest("DELETE", sim + "/_sim/faults") != 200) {
    throw std::runtime_error("akash_sim did not clear its faults");
  }
}

inline void ResetStats(const std::string& sim) {
  if (SimRequest("DELETE", sim + "/_sim/stats") != 200) {
    throw std::runtime_error("akash_sim did not reset its stats");
  }
}

// Requests per route since the last reset.
inline std::map<std::string, long> Stats(const std::string& sim) {
  std::string answer;
  if (SimRequest("GET", sim + "/_sim/stats", "", &answer) != 200) {
    throw std::runtime_error("akash_sim stats unavailable");
  }
  rapidjson::Document d;
  d.Parse(answer.c_str());
  std::map<std::string, long> out;
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("requests")) return out;
  for (const auto& m : std::as_const(d)["requests"].GetObject()) {
    if (m.value.IsInt64()) out[m.name.GetString()] = static_cast<long>(m.value.GetInt64());
  }
  return out;
}

}  // namespace akash::itest
