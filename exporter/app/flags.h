#pragma once
// Command-line flags in the exporter-toolkit conventions (metrics.md "Command line").
// No flag carries a secret: keys come only from files, the environment or systemd credentials.

#include <string>
#include <vector>

#include "exporter/core/log.h"

namespace akash::app {

inline constexpr const char* kDefaultListenAddress = ":9733";

struct Flags {
  std::string config_file;  // empty: built-in default (market only)
  bool config_check = false;
  std::vector<std::string> listen_addresses;
  std::string telemetry_path = "/metrics";
  int max_requests = 128;  // see docs/reliability.md (load): no 503 for 64 scrapers
  bool disable_exporter_metrics = false;
  // Where counter high-water marks and costly caches survive restarts; empty: memory only.
  std::string storage_path;
  std::string web_config_file;   // exporter-toolkit TLS/basic auth config; empty: none
  bool enable_lifecycle = false;  // POST /-/reload answers only with this
  bool systemd_socket = false;    // listeners from systemd socket activation
  core::LogLevel log_level = core::LogLevel::kInfo;
  core::LogFormat log_format = core::LogFormat::kLogfmt;
};

struct ParsedFlags {
  enum class Action { kRun, kExit };
  Action action = Action::kRun;
  int exit_code = 0;  // for kExit (help, version, usage errors)
  Flags flags;
};

// Parses argv. --help/--version print and ask to exit 0; usage errors print and exit 1.
ParsedFlags ParseFlags(int argc, const char* const* argv);

std::string VersionString();

}  // namespace akash::app
