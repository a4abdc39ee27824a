// Validation of names that come from outside: org IDs, object types and IDs, destination types and
// IDs, versions (reference/mms-reference.md §1.1).
//
// A valid name is non-empty UTF-8 made only of ASCII letters and digits, the characters
// | ! @ # $ ^ * - _ . ~ +, and any Unicode letter or number. Everything else is refused: spaces, '/',
// '%', '<', '>', quotes, control characters, NUL, invalid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace edgesync {

bool is_valid_name(std::string_view utf8);

// True when text contains something shaped like an HTML tag: "<x" or "</x" where x is a letter.
// Descriptions with such text are refused (MMS rule); '<' followed by a space or digit is fine.
bool contains_html_tag(std::string_view text);

// Escapes & < > " ' for quoting a refused value back in an error message, as MMS does.
std::string html_escape(std::string_view text);

}  // namespace edgesync
