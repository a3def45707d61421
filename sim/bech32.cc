#include "sim/bech32.h"

namespace akash::sim {
namespace {

constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

std::uint32_t PolyMod(const std::vector<std::uint8_t>& values) {
  constexpr std::uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk = 1;
  for (std::uint8_t v : values) {
    std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

std::vector<std::uint8_t> HrpExpand(std::string_view hrp) {
  std::vector<std::uint8_t> out;
  for (char c : hrp) out.push_back(static_cast<std::uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<std::uint8_t>(c) & 31);
  return out;
}

// Regroups bits; returns false on invalid padding when decoding.
bool ConvertBits(const std::vector<std::uint8_t>& in, int from, int to, bool pad,
                 std::vector<std::uint8_t>* out) {
  std::uint32_t acc = 0;
  int bits = 0;
  const std::uint32_t maxv = (1u << to) - 1;
  for (std::uint8_t v : in) {
    if ((v >> from) != 0) return false;
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out->push_back(static_cast<std::uint8_t>((acc >> bits) & maxv));
    }
  }
  if (pad) {
    if (bits > 0) out->push_back(static_cast<std::uint8_t>((acc << (to - bits)) & maxv));
  } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
    return false;
  }
  return true;
}

}  // namespace

std::string Bech32Encode(std::string_view hrp, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> five;
  ConvertBits(data, 8, 5, true, &five);
  std::vector<std::uint8_t> values = HrpExpand(hrp);
  values.insert(values.end(), five.begin(), five.end());
  values.insert(values.end(), 6, 0);
  std::uint32_t mod = PolyMod(values) ^ 1;
  std::string out(hrp);
  out.push_back('1');
  for (std::uint8_t v : five) out.push_back(kCharset[v]);
  for (int i = 0; i < 6; ++i) out.push_back(kCharset[(mod >> (5 * (5 - i))) & 31]);
  return out;
}

std::optional<std::vector<std::uint8_t>> Bech32Decode(std::string_view hrp, std::string_view text) {
  if (text.size() < hrp.size() + 7 || text.size() > 90) return std::nullopt;
  bool lower = false, upper = false;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= 'A' && c <= 'Z') upper = true;
    if (c < 33 || c > 126) return std::nullopt;
  }
  if (lower && upper) return std::nullopt;
  std::string s(text);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::size_t sep = s.rfind('1');
  if (sep == std::string::npos || s.substr(0, sep) != hrp) return std::nullopt;
  std::vector<std::uint8_t> five;
  for (std::size_t i = sep + 1; i < s.size(); ++i) {
    std::size_t pos = kCharset.find(s[i]);
    if (pos == std::string_view::npos) return std::nullopt;
    five.push_back(static_cast<std::uint8_t>(pos));
  }
  if (five.size() < 6) return std::nullopt;
  std::vector<std::uint8_t> values = HrpExpand(hrp);
  values.insert(values.end(), five.begin(), five.end());
  if (PolyMod(values) != 1) return std::nullopt;
  five.resize(five.size() - 6);
  std::vector<std::uint8_t> out;
  if (!ConvertBits(five, 5, 8, false, &out)) return std::nullopt;
  return out;
}

bool IsValidAkashAddress(std::string_view text) {
  auto data = Bech32Decode("akash", text);
  return data.has_value() && (data->size() == 20 || data->size() == 32);
}

}  // namespace akash::sim
