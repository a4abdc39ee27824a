// Standard base64 (RFC 4648, with padding), as Go's encoding/json writes []byte fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace edgesync {

std::string base64_encode(std::string_view bytes);
// nullopt when the text is not valid padded base64 (whitespace is not accepted).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace edgesync
