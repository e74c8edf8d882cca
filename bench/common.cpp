#include "common.h"

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace postlab::bench {

namespace {

std::size_t status_kib(std::string_view key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    std::istringstream fields(line.substr(key.size()));
    std::size_t kib = 0;
    fields >> kib;
    return kib;
  }
  return 0;
}

}  // namespace

std::size_t rss_bytes() { return status_kib("VmRSS:") * 1024; }
std::size_t peak_rss_bytes() { return status_kib("VmHWM:") * 1024; }

bool reset_peak_rss() {
  malloc_trim(0);
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(samples.size()));
  const std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  return samples[std::min(index, samples.size() - 1)];
}

void figure(std::string_view name, std::string_view value) {
  std::cout << name << ": " << value << std::endl;
}

void figure(std::string_view name, double value, std::string_view unit, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string text = buf;
  if (!unit.empty()) {
    text += ' ';
    text += unit;
  }
  figure(name, text);
}

std::string mib(std::size_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

bool in_child(std::string_view name, const std::function<void()>& section) {
  std::cout.flush();
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {  // no child: run it here
    section();
    return true;
  }
  if (pid == 0) {
    section();
    std::cout.flush();
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  std::cout << name << ": failed ("
            << (WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                    : "exit status " + std::to_string(WEXITSTATUS(status)))
            << ")" << std::endl;
  return false;
}

}  // namespace postlab::bench
