#include "server/metrics/exposition.hpp"

#include <spdlog/fmt/fmt.h>

#include <cmath>

namespace edgesync::metrics {

namespace {

void append_escaped(std::string& out, std::string_view text, bool help) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && !help) {  // HELP text escapes only backslash and newline
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  append_escaped(text_, help, true);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void Exposition::series(std::string_view name, std::string_view suffix, Labels labels, std::string_view le) {
  text_ += name;
  text_ += suffix;
  if (labels.size() == 0 && le.empty()) {
    text_ += ' ';
    return;
  }
  text_ += '{';
  bool first = true;
  for (const auto& [label, label_value] : labels) {
    if (!first) text_ += ',';
    first = false;
    text_ += label;
    text_ += "=\"";
    append_escaped(text_, label_value, false);
    text_ += '"';
  }
  if (!le.empty()) {
    if (!first) text_ += ',';
    text_ += "le=\"";
    text_ += le;
    text_ += '"';
  }
  text_ += "} ";
}

void Exposition::value(double number) {
  if (std::isinf(number)) {
    text_ += number > 0 ? "+Inf" : "-Inf";
  } else if (std::isnan(number)) {
    text_ += "NaN";
  } else {
    text_ += fmt::format("{}", number);
  }
  text_ += '\n';
}

void Exposition::sample(std::string_view name, Labels labels, double number) {
  series(name, "", labels, "");
  value(number);
}

void Exposition::sample(std::string_view name, Labels labels, uint64_t number) {
  series(name, "", labels, "");
  text_ += fmt::format("{}\n", number);
}

void Exposition::sample(std::string_view name, Labels labels, int64_t number) {
  series(name, "", labels, "");
  text_ += fmt::format("{}\n", number);
}

void Exposition::histogram(std::string_view name, Labels labels, const Histogram& histogram) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram.bound_count(); ++i) {
    cumulative += histogram.bucket_count(i);
    series(name, "_bucket", labels, fmt::format("{}", static_cast<double>(histogram.bound(i)) / histogram.scale()));
    text_ += fmt::format("{}\n", cumulative);
  }
  cumulative += histogram.bucket_count(histogram.bound_count());
  series(name, "_bucket", labels, "+Inf");
  text_ += fmt::format("{}\n", cumulative);
  series(name, "_sum", labels, "");
  value(static_cast<double>(histogram.sum()) / histogram.scale());
  series(name, "_count", labels, "");
  text_ += fmt::format("{}\n", cumulative);
}

}  // namespace edgesync::metrics
