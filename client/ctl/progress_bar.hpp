// A one-line progress bar on stderr: bytes moved, total (when known), rate and ETA. Redrawn at most
// ten times a second so a fast transfer does not spend its time printing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace edgesync::ctl {

class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total);
  void update(uint64_t bytes);

 private:
  std::string label_;
  uint64_t total_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_{};
};

std::string human_bytes(double bytes);

}  // namespace edgesync::ctl
