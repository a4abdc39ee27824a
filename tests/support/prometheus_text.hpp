// A strict parser of the Prometheus text exposition format (version 0.0.4), for tests of /metrics.
//
// Stricter than Prometheus itself where edgesync promises more: every family has HELP and TYPE before
// its samples, samples of a family are contiguous, no series repeats, label values use only the three
// escapes (\\, \", \n), and every histogram series has ascending buckets with cumulative counts that end
// in le="+Inf", plus _sum and a _count equal to the +Inf bucket. Throws std::runtime_error naming the
// line on any violation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edgesync::test {

using PromLabels = std::map<std::string, std::string>;

struct PromSample {
  std::string name;  // with its suffix (_bucket, _sum, _count) for histograms
  PromLabels labels;
  double value = 0;
};

struct PromFamily {
  std::string type;
  std::string help;
  std::vector<PromSample> samples;
};

struct PromScrape {
  std::map<std::string, PromFamily> families;

  // The value of the series `name` with exactly `labels`; nullopt when absent.
  std::optional<double> value(const std::string& name, const PromLabels& labels = {}) const;
  // The sum over every series `name` whose labels include `subset` (0 when none).
  double sum(const std::string& name, const PromLabels& subset = {}) const;
};

PromScrape parse_prometheus_text(const std::string& text);

}  // namespace edgesync::test
