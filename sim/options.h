#pragma once
// Helpers for akash_sim's command line and demo mode, kept in the library so tests can use them.
// Thread-safety: pure functions (WriteDemoFiles touches the file system).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/world.h"

namespace akash::sim {

// "2026-08-20T12:00:00Z" or with fractional seconds / "+00:00" offset, to unix ms.
std::optional<std::int64_t> ParseRfc3339Ms(std::string_view text);
// "60s", "1.5m", "500ms", "2h" or bare seconds ("60"), to ms.
std::optional<std::int64_t> ParseDurationMs(std::string_view text);

// Writes one key file per provider and tenant into `dir` (mode 0600) and returns the YAML
// config for akash_exporter pointing at http://127.0.0.1:<port>. The first provider gets an
// earnings key file, the others use the public route; the last tenant is given by key only,
// so the exporter resolves its address through /v1/user/me and /v1/wallets.
std::optional<std::string> WriteDemoFiles(const World& world, int port, const std::string& dir,
                                          std::string* error);

}  // namespace akash::sim
