// Base64 for the Basic authorization header (private; the SDK does not link common/).
#pragma once

#include <string>

namespace edgesync::client::detail {

inline std::string base64_encode(const std::string& input) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((input.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < input.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(input[i]) << 16) | (static_cast<unsigned char>(input[i + 1]) << 8) |
                       static_cast<unsigned char>(input[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < input.size()) {
    unsigned n = static_cast<unsigned char>(input[i]) << 16;
    if (i + 1 < input.size()) n |= static_cast<unsigned char>(input[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < input.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace edgesync::client::detail
