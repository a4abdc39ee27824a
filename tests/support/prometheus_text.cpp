#include "tests/support/prometheus_text.hpp"

#include <cmath>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace edgesync::test {

namespace {

const std::regex kMetricName("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex kLabelName("[a-zA-Z_][a-zA-Z0-9_]*");

[[noreturn]] void fail(size_t line, const std::string& why) {
  throw std::runtime_error("metrics line " + std::to_string(line) + ": " + why);
}

double parse_value(const std::string& text, size_t line) {
  if (text == "+Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    fail(line, "bad value '" + text + "'");
  }
  if (used != text.size()) fail(line, "bad value '" + text + "'");
  return value;
}

// name{a="x",b="y"} value
PromSample parse_sample(const std::string& text, size_t line) {
  PromSample sample;
  size_t at = 0;
  while (at < text.size() && text[at] != '{' && text[at] != ' ') ++at;
  sample.name = text.substr(0, at);
  if (!std::regex_match(sample.name, kMetricName)) fail(line, "bad metric name '" + sample.name + "'");
  if (at < text.size() && text[at] == '{') {
    ++at;
    while (true) {
      if (at >= text.size()) fail(line, "unterminated labels");
      if (text[at] == '}') {
        ++at;
        break;
      }
      const size_t equals = text.find('=', at);
      if (equals == std::string::npos) fail(line, "label without '='");
      const std::string label = text.substr(at, equals - at);
      if (!std::regex_match(label, kLabelName)) fail(line, "bad label name '" + label + "'");
      at = equals + 1;
      if (at >= text.size() || text[at] != '"') fail(line, "label value not quoted");
      ++at;
      std::string value;
      while (true) {
        if (at >= text.size()) fail(line, "unterminated label value");
        const char c = text[at++];
        if (c == '"') break;
        if (c == '\\') {
          if (at >= text.size()) fail(line, "dangling escape");
          const char escaped = text[at++];
          if (escaped == '\\')
            value += '\\';
          else if (escaped == '"')
            value += '"';
          else if (escaped == 'n')
            value += '\n';
          else
            fail(line, std::string("unknown escape \\") + escaped);
        } else if (c == '\n') {
          fail(line, "raw newline in a label value");
        } else {
          value += c;
        }
      }
      if (!sample.labels.emplace(label, value).second) fail(line, "label '" + label + "' repeated");
      if (at < text.size() && text[at] == ',')
        ++at;
      else if (at >= text.size() || text[at] != '}')
        fail(line, "expected ',' or '}' after a label");
    }
  }
  if (at >= text.size() || text[at] != ' ') fail(line, "expected one space before the value");
  const std::string value = text.substr(at + 1);
  if (value.find(' ') != std::string::npos) fail(line, "timestamps are not expected");
  sample.value = parse_value(value, line);
  return sample;
}

bool has_suffix(const std::string& text, const std::string& suffix) {
  return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void check_histogram(const std::string& name, const PromFamily& family) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // le, cumulative count
    std::optional<double> sum, count;
  };
  std::map<PromLabels, Series> series;
  for (const auto& sample : family.samples) {
    PromLabels labels = sample.labels;
    if (sample.name == name + "_bucket") {
      auto le = labels.find("le");
      if (le == labels.end()) throw std::runtime_error(name + ": a bucket without le");
      const double bound = le->second == "+Inf" ? INFINITY : std::stod(le->second);
      labels.erase(le);
      series[labels].buckets.emplace_back(bound, sample.value);
    } else if (sample.name == name + "_sum") {
      series[labels].sum = sample.value;
    } else if (sample.name == name + "_count") {
      series[labels].count = sample.value;
    } else {
      throw std::runtime_error(name + ": unexpected sample " + sample.name);
    }
  }
  for (const auto& [labels, one] : series) {
    if (one.buckets.empty() || !std::isinf(one.buckets.back().first))
      throw std::runtime_error(name + ": buckets must end with le=\"+Inf\"");
    for (size_t i = 1; i < one.buckets.size(); ++i) {
      if (!(one.buckets[i].first > one.buckets[i - 1].first)) throw std::runtime_error(name + ": le not ascending");
      if (one.buckets[i].second < one.buckets[i - 1].second)
        throw std::runtime_error(name + ": buckets not cumulative");
    }
    if (!one.sum || !one.count) throw std::runtime_error(name + ": _sum or _count missing");
    if (*one.count != one.buckets.back().second)
      throw std::runtime_error(name + ": _count differs from the +Inf bucket");
  }
}

}  // namespace

PromScrape parse_prometheus_text(const std::string& text) {
  PromScrape scrape;
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("metrics text must end with a newline");
  std::istringstream lines(text);
  std::string line;
  size_t number = 0;
  std::string current;  // the family whose samples may follow
  std::string help_for;
  std::set<std::string> series_seen;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) fail(number, "empty line");
    if (line.rfind("# HELP ", 0) == 0) {
      const std::string rest = line.substr(7);
      const size_t space = rest.find(' ');
      const std::string name = rest.substr(0, space);
      if (!std::regex_match(name, kMetricName)) fail(number, "bad name in HELP");
      if (scrape.families.count(name)) fail(number, "family " + name + " repeated");
      help_for = name;
      scrape.families[name].help = space == std::string::npos ? "" : rest.substr(space + 1);
      current.clear();
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string rest = line.substr(7);
      const size_t space = rest.find(' ');
      if (space == std::string::npos) fail(number, "TYPE without a type");
      const std::string name = rest.substr(0, space), type = rest.substr(space + 1);
      if (name != help_for) fail(number, "TYPE " + name + " does not follow its HELP");
      static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
      if (!kTypes.count(type)) fail(number, "unknown type " + type);
      if (!scrape.families[name].type.empty()) fail(number, "TYPE repeated for " + name);
      scrape.families[name].type = type;
      current = name;
      help_for.clear();
      continue;
    }
    if (line[0] == '#') fail(number, "unexpected comment");
    PromSample sample = parse_sample(line, number);
    if (current.empty()) fail(number, "sample " + sample.name + " outside a family");
    PromFamily& family = scrape.families[current];
    const bool belongs = family.type == "histogram"
                             ? (sample.name == current + "_bucket" || sample.name == current + "_sum" ||
                                sample.name == current + "_count")
                             : sample.name == current;
    if (!belongs) fail(number, "sample " + sample.name + " does not belong to family " + current);
    if (family.type == "counter" && (sample.value < 0 || std::isnan(sample.value))) fail(number, "negative counter");
    std::string key = sample.name;
    for (const auto& [label, value] : sample.labels) key += "\x1f" + label + "=" + value;
    if (!series_seen.insert(key).second) fail(number, "series repeated: " + line);
    family.samples.push_back(std::move(sample));
  }
  for (const auto& [name, family] : scrape.families) {
    if (family.type.empty()) throw std::runtime_error("family " + name + " has HELP but no TYPE");
    if (family.type == "histogram") check_histogram(name, family);
    if (family.type == "counter" && !has_suffix(name, "_total"))
      throw std::runtime_error("counter " + name + " should end in _total");
  }
  return scrape;
}

std::optional<double> PromScrape::value(const std::string& name, const PromLabels& labels) const {
  for (const auto& [family_name, family] : families) {
    for (const auto& sample : family.samples)
      if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

double PromScrape::sum(const std::string& name, const PromLabels& subset) const {
  double total = 0;
  for (const auto& [family_name, family] : families) {
    for (const auto& sample : family.samples) {
      if (sample.name != name) continue;
      bool includes = true;
      for (const auto& [label, value] : subset) {
        auto found = sample.labels.find(label);
        includes = includes && found != sample.labels.end() && found->second == value;
      }
      if (includes) total += sample.value;
    }
  }
  return total;
}

}  // namespace edgesync::test
