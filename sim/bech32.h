#pragma once
// Bech32 (BIP-173) encoding of 20-byte account addresses, with a real checksum, so that the
// simulator's addresses pass the same validation as the Console API's (cosmjs fromBech32).
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akash::sim {

// Encodes `data` (8-bit bytes) under human-readable part `hrp`, e.g. "akash1...".
std::string Bech32Encode(std::string_view hrp, const std::vector<std::uint8_t>& data);

// Decodes and verifies the checksum; returns the 8-bit payload, or nullopt when the string is
// not valid bech32 for `hrp` (wrong prefix, mixed case, bad character, bad checksum, bad padding).
std::optional<std::vector<std::uint8_t>> Bech32Decode(std::string_view hrp, std::string_view text);

// True when `text` is a checksum-valid bech32 address with prefix `akash`.
bool IsValidAkashAddress(std::string_view text);

}  // namespace akash::sim
