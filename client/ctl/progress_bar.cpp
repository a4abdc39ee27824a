#include "client/ctl/progress_bar.hpp"

#include <cstdio>

namespace edgesync::ctl {

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

ProgressBar::ProgressBar(std::string label, uint64_t total) : label_(std::move(label)), total_(total) {}

void ProgressBar::update(uint64_t bytes) {
  const auto now = std::chrono::steady_clock::now();
  const bool done = total_ > 0 && bytes >= total_;
  if (!done && now - drawn_ < std::chrono::milliseconds(100)) return;
  drawn_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
  std::string line = "\r" + label_ + " " + human_bytes(static_cast<double>(bytes));
  if (total_ > 0) {
    const int width = 24;
    const double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_));
    const int filled = static_cast<int>(fraction * width);
    line += " / " + human_bytes(static_cast<double>(total_)) + " [" + std::string(filled, '#') +
            std::string(width - filled, ' ') + "]";
  }
  line += " " + human_bytes(rate) + "/s";
  if (total_ > 0 && rate > 0 && !done) {
    const auto eta = static_cast<long>(static_cast<double>(total_ - bytes) / rate);
    line += " ETA " + std::to_string(eta / 60) + "m" + (eta % 60 < 10 ? "0" : "") + std::to_string(eta % 60) + "s";
  }
  line += "   ";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace edgesync::ctl
