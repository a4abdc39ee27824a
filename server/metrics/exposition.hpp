// Exposition: renders metrics in the Prometheus text format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// One Exposition per scrape: call family() once per metric name, then its samples. Label values are
// escaped here (backslash, double quote, newline), so callers may pass any text. Not thread-safe (it
// is a string being built); the metrics it reads are.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "server/metrics/metrics.hpp"

namespace edgesync::metrics {

// The Content-Type of the text format.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  // type: counter, gauge or histogram. Writes the HELP and TYPE lines.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, uint64_t value);
  void sample(std::string_view name, Labels labels, int64_t value);
  // The _bucket (cumulative, ending with le="+Inf"), _sum and _count lines of one labelled histogram.
  void histogram(std::string_view name, Labels labels, const Histogram& histogram);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  void series(std::string_view name, std::string_view suffix, Labels labels, std::string_view le);
  void value(double number);

  std::string text_;
};

}  // namespace edgesync::metrics
